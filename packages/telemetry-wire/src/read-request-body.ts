import type { IncomingMessage } from 'node:http';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import { ContentEncodingError } from './content-encoding-error';

const gunzip = promisify(zlib.gunzip);
const inflate = promisify(zlib.inflate);
const inflateRaw = promisify(zlib.inflateRaw);
const brotliDecompress = promisify(zlib.brotliDecompress);

/** Options of {@link decodeContentEncoding} and {@link readRequestBody}. */
export interface DecodeContentEncodingOptions {
  /**
   * Largest decoded body in bytes; a larger one throws {@link ContentEncodingError} (`too-large`).
   * Decompression stops as soon as its output passes this, so a gzip bomb costs at most about
   * the limit, never its full size. Default: no limit. @example { maxDecodedBytes: 16 * 1024 * 1024 }
   */
  maxDecodedBytes?: number;
}

/** Reads the whole body of a request and undoes its Content-Encoding (gzip, deflate, br). */
export async function readRequestBody(request: IncomingMessage, options: DecodeContentEncodingOptions = {}): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return decodeContentEncoding(Buffer.concat(chunks), request.headers['content-encoding'], options);
}

/**
 * Undoes a `Content-Encoding` header's encodings (`gzip`/`x-gzip`, `deflate` with or without the
 * zlib wrapper, `br`, `identity`; several are undone from the last applied). Failures throw
 * {@link ContentEncodingError} with the reason.
 *
 * @example const body = await decodeContentEncoding(raw, request.headers['content-encoding'], { maxDecodedBytes: 1 << 24 });
 */
export async function decodeContentEncoding(
  body: Buffer,
  contentEncoding: string | undefined,
  options: DecodeContentEncodingOptions = {},
): Promise<Buffer> {
  const maxBytes = options.maxDecodedBytes;
  const encodings = (contentEncoding ?? '')
    .split(',')
    .map((encoding) => encoding.trim().toLowerCase())
    .filter((encoding) => encoding !== '' && encoding !== 'identity');
  // zlib stops at maxOutputLength (ERR_BUFFER_TOO_LARGE), which is what keeps a bomb cheap.
  const zlibOptions = maxBytes === undefined ? {} : { maxOutputLength: maxBytes };
  // Encodings are listed in the order they were applied, so undo them from the last.
  for (const encoding of encodings.reverse()) {
    try {
      if (encoding === 'gzip' || encoding === 'x-gzip') body = await gunzip(body, zlibOptions);
      else if (encoding === 'deflate') body = await inflateZlibOrRaw(body, zlibOptions);
      else if (encoding === 'br') body = await brotliDecompress(body, zlibOptions);
      else throw new ContentEncodingError('unsupported-encoding', `unsupported Content-Encoding "${encoding}" (use gzip, deflate, br or none)`);
    } catch (error) {
      if (error instanceof ContentEncodingError) throw error;
      if (isOutputLimitError(error)) {
        throw new ContentEncodingError('too-large', `request body is over the limit of ${maxBytes} bytes after ${encoding} decompression`, { cause: error });
      }
      throw new ContentEncodingError('malformed', `request body is not valid ${encoding}: ${(error as Error).message}`, { cause: error });
    }
  }
  if (maxBytes !== undefined && body.length > maxBytes) {
    throw new ContentEncodingError('too-large', `request body is over the limit of ${maxBytes} bytes`);
  }
  return body;
}

function isOutputLimitError(error: unknown): boolean {
  return (error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE' || error instanceof RangeError;
}

// HTTP's "deflate" means the zlib wrapper, but some clients send raw deflate under that name.
async function inflateZlibOrRaw(body: Buffer, zlibOptions: zlib.ZlibOptions): Promise<Buffer> {
  try {
    return await inflate(body, zlibOptions);
  } catch (error) {
    // Over the limit is an answer, not a sign of the other format.
    if (isOutputLimitError(error)) throw error;
    return inflateRaw(body, zlibOptions);
  }
}
