import { EnvelopeParseError } from './envelope-parse-error';
import type { EnvelopeItem, ParsedEnvelope } from './types';

const newline = 0x0a;

/**
 * Splits a (decompressed) Sentry envelope into its header and items. An item header with `length`
 * owns exactly that many payload bytes (binary attachments may contain newlines); without it the
 * payload runs to the next newline. Throws EnvelopeParseError on malformed input.
 * Example: `parseEnvelope(body).items.find((item) => item.headers.type === 'event')`
 */
export function parseEnvelope(body: Buffer | Uint8Array): ParsedEnvelope {
  const bytes = Buffer.isBuffer(body) ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  if (bytes.length === 0) throw new EnvelopeParseError('empty envelope');

  let offset = 0;
  const readLine = (): Buffer => {
    const end = bytes.indexOf(newline, offset);
    const line = bytes.subarray(offset, end === -1 ? bytes.length : end);
    offset = end === -1 ? bytes.length : end + 1;
    return line;
  };

  const headers = parseJsonObject(readLine(), 'envelope header');
  const items: EnvelopeItem[] = [];
  while (offset < bytes.length) {
    const headerLine = readLine();
    // A trailing newline (or blank padding) after the last item is allowed.
    if (headerLine.length === 0 || isBlank(headerLine)) continue;
    const itemHeaders = parseJsonObject(headerLine, `item ${items.length} header`);
    if (typeof itemHeaders.type !== 'string' || itemHeaders.type === '') {
      throw new EnvelopeParseError(`item ${items.length} header has no "type"`);
    }
    let payload: Buffer;
    if (itemHeaders.length !== undefined && itemHeaders.length !== null) {
      const length = itemHeaders.length;
      if (typeof length !== 'number' || !Number.isInteger(length) || length < 0) {
        throw new EnvelopeParseError(`item ${items.length} has an invalid length ${JSON.stringify(length)}`);
      }
      if (offset + length > bytes.length) {
        throw new EnvelopeParseError(`item ${items.length} declares length ${length} but only ${bytes.length - offset} bytes remain`);
      }
      payload = bytes.subarray(offset, offset + length);
      offset += length;
      if (offset < bytes.length) {
        if (bytes[offset] !== newline) throw new EnvelopeParseError(`item ${items.length} payload is longer than its length ${length}`);
        offset += 1;
      }
    } else {
      payload = readLine();
    }
    items.push({ headers: itemHeaders, payload });
  }
  return { headers, items };
}

function parseJsonObject(line: Buffer, what: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(line.toString('utf8'));
  } catch (error) {
    throw new EnvelopeParseError(`${what} is not valid JSON: ${(error as Error).message}`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new EnvelopeParseError(`${what} must be a JSON object`);
  }
  return value as Record<string, unknown>;
}

function isBlank(line: Buffer): boolean {
  for (const byte of line) if (byte !== 0x20 && byte !== 0x09 && byte !== 0x0d) return false;
  return true;
}
