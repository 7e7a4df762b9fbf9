import { sanitize } from '@kira/conventions';

const TRUNCATION_MARK = '…[truncated]';
const encoder = new TextEncoder();

/**
 * Serialises a tool input or output for a span attribute under the contract's payload rule
 * (`sanitize`: secret keys, JWT/Bearer/Basic values and base64 blobs never leave the process),
 * then as JSON that survives cycles, bigints and throwing getters; a string stays a string. The
 * result never exceeds `maxBytes` UTF-8 bytes. Called only when recording is on, so a tool that
 * records no payload pays nothing for it.
 */
export function payloadToString(value: unknown, maxBytes: number): string {
  // The byte cap below is the real limit; sanitize's own string cap only has to be no tighter.
  const safe = sanitize(value, { maxStringLength: Math.max(1, Math.ceil(maxBytes)) });
  const text = typeof safe === 'string' ? safe : safeJsonStringify(safe);
  return capUtf8(text, maxBytes);
}

function safeJsonStringify(value: unknown): string {
  try {
    const ancestors: unknown[] = [];
    const json = JSON.stringify(value, function replacer(this: unknown, _key: string, current: unknown) {
      if (typeof current === 'bigint') return current.toString();
      if (typeof current === 'function' || typeof current === 'symbol') return undefined;
      if (typeof current !== 'object' || current === null) return current;
      // `this` is the object holding `current`; unwinding to it leaves exactly the ancestors of
      // `current` on the stack, so shared (non-cyclic) references are still serialised.
      while (ancestors.length > 0 && ancestors[ancestors.length - 1] !== this) ancestors.pop();
      if (ancestors.includes(current)) return '[Circular]';
      ancestors.push(current);
      if (current instanceof Error) return { name: current.name, message: current.message };
      return current;
    });
    return json ?? String(value);
  } catch {
    return '[unserializable]';
  }
}

function capUtf8(text: string, maxBytes: number): string {
  const limit = Number.isFinite(maxBytes) && maxBytes > 0 ? Math.floor(maxBytes) : 0;
  // Fast path: every UTF-16 unit is at most 3 UTF-8 bytes.
  if (text.length * 3 <= limit) return text;
  const bytes = encoder.encode(text);
  if (bytes.length <= limit) return text;
  const markBytes = encoder.encode(TRUNCATION_MARK).length;
  if (limit <= markBytes) return '';
  // encodeInto stops before a character that does not fit, so the cut is never mid-character.
  const target = new Uint8Array(limit - markBytes);
  const { read } = encoder.encodeInto(text, target);
  return text.slice(0, read) + TRUNCATION_MARK;
}
