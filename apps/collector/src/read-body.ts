import type { IncomingMessage } from 'node:http';
import { ContentEncodingError, type ContentEncodingFailure, decodeContentEncoding } from '@kira/telemetry-wire';

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

/** HTTP status for each way the shared decoder can refuse a body. */
const STATUS_OF_FAILURE: Record<ContentEncodingFailure, BodyError['status']> = { 'unsupported-encoding': 415, malformed: 400, 'too-large': 413 };

/**
 * Undoes Content-Encoding with the shared decoder of `@kira/telemetry-wire`, its output capped at
 * `maxBytes` (so a gzip bomb is refused after inflating at most the limit), and turns its refusal
 * into the status to answer.
 */
export async function decodeBody(body: Buffer, contentEncoding: string | undefined, maxBytes: number): Promise<Buffer> {
  try {
    return await decodeContentEncoding(body, contentEncoding, { maxDecodedBytes: maxBytes });
  } catch (error) {
    if (error instanceof ContentEncodingError) throw new BodyError(STATUS_OF_FAILURE[error.reason], error.message);
    throw error;
  }
}
