/** The body of an OTLP request could not be decoded (answer 400) or has an unsupported content type (415). */
export class OtlpDecodeError extends Error {
  override readonly name = 'OtlpDecodeError';
  /** `unsupported-content-type` → HTTP 415, `malformed` → HTTP 400. */
  readonly reason: 'malformed' | 'unsupported-content-type';

  constructor(message: string, reason: 'malformed' | 'unsupported-content-type' = 'malformed', options?: { cause?: unknown }) {
    super(message, options);
    this.reason = reason;
  }
}
