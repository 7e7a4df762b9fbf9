import { cleanAttributes } from '@opentelemetry/core';
import { redactUrl, SPAN_ATTRIBUTES, URL_ATTRIBUTES_REDACTED } from '@kira/conventions';
import type { Span, SpanProcessor } from '@opentelemetry/sdk-trace';

/**
 * The instrumentations record request URLs as they are: undici puts every query value into
 * `url.full`/`url.query`, and the http instrumentation redacts only AWS/GCS signatures. An API key
 * in a query string (`?key=…`, as several AI providers take it) would be exported. This processor
 * rewrites those attributes just before a span ends — after every instrumentation and middleware
 * has set them — with the contract's URL rule (`redactUrl` of `@kira/conventions`, the one
 * `tracedFetch` and Sentry events use).
 *
 * It also applies the attribute value length limit (`OTEL_[SPAN_]ATTRIBUTE_VALUE_LENGTH_LIMIT`),
 * after redacting: the SDK would cut values when they are set, and a URL cut inside its
 * credentials (`https://user:pass` with no `@` left) no longer looks like one and would be
 * exported with the start of the password. So the tracer provider gets no value length limit and
 * this processor truncates the span's, its events' and its links' attributes the way the SDK does
 * (`cleanAttributes` of `@opentelemetry/core`) once the URLs are redacted.
 */
export class RedactUrlAttributesProcessor implements SpanProcessor {
  constructor(private readonly attributeValueLengthLimit: number = Number.POSITIVE_INFINITY) {}

  onStart(): void {}

  onEnding(span: Span): void {
    const attributes = span.attributes;
    for (const key of URL_ATTRIBUTES_REDACTED) {
      const value = attributes[key];
      if (typeof value !== 'string') continue;
      // The whole rule, fragment included: redactUrl returns a plain URL as it is without parsing.
      const redacted = key === SPAN_ATTRIBUTES.urlQuery ? redactQuery(value) : redactUrl(value);
      if (redacted !== value) span.setAttribute(key, redacted);
    }
    // The SDK ignores a limit of 0 or less (with a diag warning); so does this.
    if (this.attributeValueLengthLimit > 0 && Number.isFinite(this.attributeValueLengthLimit)) this.truncate(span);
  }

  private truncate(span: Span): void {
    const limits = { attributeValueLengthLimit: this.attributeValueLengthLimit, attributeCountLimit: Number.POSITIVE_INFINITY };
    const cut = cleanAttributes(span.attributes, limits).attributes;
    if (cut !== undefined) span.setAttributes(cut);
    // Events and links keep their attribute objects (copies the SDK made when they were added).
    for (const carrier of [...span.events, ...span.links]) {
      if (carrier.attributes !== undefined) Object.assign(carrier.attributes, cleanAttributes(carrier.attributes, limits).attributes);
    }
  }

  onEnd(): void {}

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

// `url.query` comes with or without its leading "?"; the redacted value keeps the form it had.
function redactQuery(query: string): string {
  if (!query.includes('=')) return query;
  const prefixed = query.startsWith('?');
  return redactUrl(prefixed ? query : `?${query}`).slice(prefixed ? 0 : 1);
}
