/** Why a body could not be decoded: the HTTP status a server answers follows from it. */
export type ContentEncodingFailure = 'unsupported-encoding' | 'malformed' | 'too-large';

/**
 * A `Content-Encoding` that could not be undone: `unsupported-encoding` (answer 415), `malformed`
 * compressed data (400), or a body larger than the allowed decoded size (413).
 */
export class ContentEncodingError extends Error {
  override readonly name = 'ContentEncodingError';

  constructor(
    readonly reason: ContentEncodingFailure,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
