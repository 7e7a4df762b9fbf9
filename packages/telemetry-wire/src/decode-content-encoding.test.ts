import { brotliCompressSync, deflateRawSync, deflateSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { ContentEncodingError, decodeContentEncoding } from './index';

const text = Buffer.from('{"resourceSpans":[]}'.repeat(50));

/** The decoder's refusal, so a test can check its reason and message. */
async function refusal(promise: Promise<unknown>): Promise<ContentEncodingError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(ContentEncodingError);
  return error as ContentEncodingError;
}

/**
 * 64 MiB of zeros gzipped (~64 KiB), with the compressed bytes of its second half overwritten:
 * a decoder that inflated everything would run into the damage and call it malformed; one that
 * stops at its output cap never reaches it.
 */
function bombWithDamagedTail(): Buffer {
  const bomb = Buffer.from(gzipSync(Buffer.alloc(64 * 1024 * 1024)));
  bomb.fill(0xff, bomb.length >> 1, bomb.length - 8);
  return bomb;
}

describe('decodeContentEncoding', () => {
  it.each([
    ['gzip', gzipSync(text)],
    ['x-gzip', gzipSync(text)],
    ['deflate', deflateSync(text)],
    ['deflate', deflateRawSync(text)],
    ['br', brotliCompressSync(text)],
    ['identity', text],
    [undefined, text],
    ['gzip, br', brotliCompressSync(gzipSync(text))],
  ])('undoes %s', async (encoding, body) => {
    expect(await decodeContentEncoding(body, encoding)).toEqual(text);
    expect(await decodeContentEncoding(body, encoding, { maxDecodedBytes: text.length })).toEqual(text);
  });

  it('refuses a decoded body one byte over maxDecodedBytes, compressed or not', async () => {
    for (const [encoding, body] of [['gzip', gzipSync(text)], ['deflate', deflateSync(text)], ['br', brotliCompressSync(text)]] as const) {
      const error = await refusal(decodeContentEncoding(body, encoding, { maxDecodedBytes: text.length - 1 }));
      expect(error.reason).toBe('too-large');
      expect(error.message).toBe(`request body is over the limit of ${text.length - 1} bytes after ${encoding} decompression`);
    }
    const plain = await refusal(decodeContentEncoding(text, undefined, { maxDecodedBytes: text.length - 1 }));
    expect(plain.reason).toBe('too-large');
    expect(plain.message).toBe(`request body is over the limit of ${text.length - 1} bytes`);
  });

  it('stops inflating a gzip bomb at maxDecodedBytes instead of inflating all of it', async () => {
    const bomb = bombWithDamagedTail();
    // Uncapped, the whole stream is inflated and the damaged tail is found: the bomb is a real test.
    expect((await refusal(decodeContentEncoding(bomb, 'gzip'))).reason).toBe('malformed');
    const capped = await refusal(decodeContentEncoding(bomb, 'gzip', { maxDecodedBytes: 1024 * 1024 }));
    expect(capped.reason).toBe('too-large');
    expect(capped.message).toMatch(/over the limit of 1048576 bytes after gzip decompression/);
  });

  it('stops a deflate bomb at the cap too, without retrying it as raw deflate', async () => {
    const bomb = deflateSync(Buffer.alloc(8 * 1024 * 1024));
    expect((await refusal(decodeContentEncoding(bomb, 'deflate', { maxDecodedBytes: 1024 * 1024 }))).reason).toBe('too-large');
  });

  it('names an unsupported encoding and malformed data by their reasons', async () => {
    const unsupported = await refusal(decodeContentEncoding(text, 'compress'));
    expect(unsupported.reason).toBe('unsupported-encoding');
    expect(unsupported.message).toBe('unsupported Content-Encoding "compress" (use gzip, deflate, br or none)');
    const truncated = await refusal(decodeContentEncoding(gzipSync(text).subarray(0, 20), 'gzip', { maxDecodedBytes: 1024 }));
    expect(truncated.reason).toBe('malformed');
    expect(truncated.message).toMatch(/^request body is not valid gzip: /);
  });
});
