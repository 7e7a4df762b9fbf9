import { redactUrl, SPAN_ATTRIBUTES, URL_ATTRIBUTES_REDACTED } from '@kira/conventions';
import type { Span, SpanProcessor } from '@opentelemetry/sdk-trace';

/**
 * The instrumentations record request URLs as they are: undici puts every query value into
 * `url.full`/`url.query`, and the http instrumentation redacts only AWS/GCS signatures. An API key
 * in a query string (`?key=…`, as several AI providers take it) would be exported. This processor
 * rewrites those attributes just before a span ends — after every instrumentation and middleware
 * has set them — with the contract's URL rule (`redactUrl` of `@kira/conventions`, the one
 * `tracedFetch` and Sentry events use).
 */
export class RedactUrlAttributesProcessor implements SpanProcessor {
  onStart(): void {}

  onEnding(span: Span): void {
    const attributes = span.attributes;
    for (const key of URL_ATTRIBUTES_REDACTED) {
      const value = attributes[key];
      if (typeof value !== 'string') continue;
      const redacted = key === SPAN_ATTRIBUTES.urlQuery ? redactQuery(value) : redactFullUrl(value);
      if (redacted !== value) span.setAttribute(key, redacted);
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

function redactFullUrl(value: string): string {
  return value.includes('?') || value.includes('@') ? redactUrl(value) : value;
}

// `url.query` comes with or without its leading "?"; the redacted value keeps the form it had.
function redactQuery(query: string): string {
  if (!query.includes('=')) return query;
  const prefixed = query.startsWith('?');
  return redactUrl(prefixed ? query : `?${query}`).slice(prefixed ? 0 : 1);
}
