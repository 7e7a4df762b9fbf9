import type { IncomingMessage } from 'node:http';
import { promisify } from 'node:util';
import { brotliDecompress, gunzip, inflate, inflateRaw } from 'node:zlib';

const gunzipAsync = promisify(gunzip);
const inflateAsync = promisify(inflate);
const inflateRawAsync = promisify(inflateRaw);
const brotliAsync = promisify(brotliDecompress);

/** A body the collector refuses, with the HTTP status to answer. */
export class BodyError extends Error {
  override readonly name = 'BodyError';
  constructor(
    readonly status: 400 | 413 | 415,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Reads the raw request body, refusing (413) one over `maxBytes`. The excess is read and thrown
 * away up to a bound, so the client gets to read the 413 instead of a reset connection.
 */
export async function readRawBody(request: IncomingMessage, maxBytes: number): Promise<Buffer> {
  const tooLarge = (size: number) => new BodyError(413, `request body of ${size} bytes is over the limit of ${maxBytes} bytes`);
  const declared = Number(request.headers['content-length']);
  const drainLimit = maxBytes + 64 * 1024 * 1024;
  if (Number.isFinite(declared) && declared > drainLimit) throw tooLarge(declared);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > drainLimit) throw tooLarge(size);
    if (size <= maxBytes) chunks.push(chunk as Buffer);
  }
  if (size > maxBytes) throw tooLarge(size);
  return Buffer.concat(chunks, size);
}

/**
 * Undoes Content-Encoding with an output cap: zlib stops at `maxBytes` (`maxOutputLength`), so a
 * gzip bomb is refused after inflating at most the limit, never the whole bomb.
 */
export async function decodeBody(body: Buffer, contentEncoding: string | undefined, maxBytes: number): Promise<Buffer> {
  const encodings = (contentEncoding ?? '')
    .split(',')
    .map((encoding) => encoding.trim().toLowerCase())
    .filter((encoding) => encoding !== '' && encoding !== 'identity');
  const options = { maxOutputLength: maxBytes };
  // Encodings are listed in the order they were applied: undo from the last.
  for (const encoding of encodings.reverse()) {
    try {
      if (encoding === 'gzip' || encoding === 'x-gzip') body = await gunzipAsync(body, options);
      else if (encoding === 'deflate') body = await (body[0] !== undefined && (body[0] & 0x0f) === 8 ? inflateAsync(body, options) : inflateRawAsync(body, options));
      else if (encoding === 'br') body = await brotliAsync(body, options);
      else throw new BodyError(415, `unsupported Content-Encoding "${encoding}" (use gzip, deflate, br or none)`);
    } catch (error) {
      if (error instanceof BodyError) throw error;
      const code = (error as { code?: string }).code;
      if (code === 'ERR_BUFFER_TOO_LARGE' || error instanceof RangeError) {
        throw new BodyError(413, `request body is over the limit of ${maxBytes} bytes after ${encoding} decompression`);
      }
      throw new BodyError(400, `request body is not valid ${encoding}: ${(error as Error).message}`);
    }
  }
  if (body.length > maxBytes) throw new BodyError(413, `request body is over the limit of ${maxBytes} bytes`);
  return body;
}
