import { OTHER_VALUE } from './spans';

const ABORT_NAMES: ReadonlySet<string> = new Set(['AbortError', 'TimeoutError']);

/**
 * The one `error.type` rule: a low-cardinality name for a thrown value, used on every Kira span.
 *
 * 1. not an object (a thrown string, number, `undefined`) → `_OTHER`;
 * 2. `AbortError` / `TimeoutError` (by name, whatever the class: `DOMException` carries them);
 * 3. a string `code` on the error's `cause`, then on the error itself — the system code Node and
 *    undici report (`ECONNREFUSED`, `ENOTFOUND`, `UND_ERR_SOCKET`), more useful than the generic
 *    `TypeError: fetch failed` around it;
 * 4. the error's `name` when it is set and not the generic `Error`;
 * 5. the constructor name (`class QuotaError extends Error` that never sets `name`);
 * 6. `Error`, else `_OTHER`.
 *
 * @example errorType(new RangeError('x')) // 'RangeError'
 * @example errorType(new TypeError('fetch failed', { cause: { code: 'ECONNREFUSED' } })) // 'ECONNREFUSED'
 */
export function errorType(error: unknown): string {
  if (typeof error !== 'object' || error === null) return OTHER_VALUE;
  try {
    const { name, code, cause } = error as { name?: unknown; code?: unknown; cause?: unknown };
    if (typeof name === 'string' && ABORT_NAMES.has(name)) return name;
    const causeCode = typeof cause === 'object' && cause !== null ? (cause as { code?: unknown }).code : undefined;
    if (isNonEmptyString(causeCode)) return causeCode;
    if (isNonEmptyString(code)) return code;
    if (isNonEmptyString(name) && name !== 'Error') return name;
    const constructorName = (error as { constructor?: { name?: unknown } }).constructor?.name;
    if (isNonEmptyString(constructorName) && constructorName !== 'Object') return constructorName;
    return isNonEmptyString(name) ? name : OTHER_VALUE;
  } catch {
    // A throwing getter (a Proxy, a hostile `name`) must not break the caller's error path.
    return OTHER_VALUE;
  }
}

function isNonEmptyString(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0;
}
