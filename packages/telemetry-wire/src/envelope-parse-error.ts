/** A Sentry envelope body that does not follow the envelope format. */
export class EnvelopeParseError extends Error {
  override readonly name = 'EnvelopeParseError';
}
