import type { IncomingMessage } from 'node:http';
import { promisify } from 'node:util';
import zlib from 'node:zlib';

const gunzip = promisify(zlib.gunzip);
const inflate = promisify(zlib.inflate);
const inflateRaw = promisify(zlib.inflateRaw);
const brotliDecompress = promisify(zlib.brotliDecompress);

/** Reads the whole body of a request and undoes its Content-Encoding (gzip, deflate, br). */
export async function readRequestBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return decodeContentEncoding(Buffer.concat(chunks), request.headers['content-encoding']);
}

export async function decodeContentEncoding(body: Buffer, contentEncoding: string | undefined): Promise<Buffer> {
  const encodings = (contentEncoding ?? '')
    .split(',')
    .map((encoding) => encoding.trim().toLowerCase())
    .filter((encoding) => encoding && encoding !== 'identity');
  // Encodings are listed in the order they were applied, so undo them from the last.
  for (const encoding of encodings.reverse()) {
    if (encoding === 'gzip' || encoding === 'x-gzip') body = await gunzip(body);
    else if (encoding === 'deflate') body = await inflateZlibOrRaw(body);
    else if (encoding === 'br') body = await brotliDecompress(body);
    else throw new Error(`unsupported Content-Encoding "${encoding}"`);
  }
  return body;
}

// Some clients send raw deflate under "deflate" although HTTP means the zlib wrapper.
async function inflateZlibOrRaw(body: Buffer): Promise<Buffer> {
  try {
    return await inflate(body);
  } catch {
    return inflateRaw(body);
  }
}
