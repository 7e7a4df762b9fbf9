import { redactUrl } from '@kira/external-tracing';
import type { Span, SpanProcessor } from '@opentelemetry/sdk-trace';

const URL_ATTRIBUTES = ['url.full', 'http.url', 'http.target'] as const;

/**
 * The instrumentations record request URLs as they are: undici puts every query value into
 * `url.full`/`url.query`, and the http instrumentation redacts only AWS/GCS signatures. An API key
 * in a query string (`?key=…`, as several AI providers take it) would be exported. This processor
 * rewrites those attributes just before a span ends — after every instrumentation and middleware
 * has set them — with the same rules as `tracedFetch` (`@kira/external-tracing`'s `redactUrl`).
 */
export class RedactUrlAttributesProcessor implements SpanProcessor {
  onStart(): void {}

  onEnding(span: Span): void {
    const attributes = span.attributes;
    for (const key of URL_ATTRIBUTES) {
      const value = attributes[key];
      if (typeof value === 'string' && (value.includes('?') || value.includes('@'))) {
        const redacted = redactUrl(value);
        if (redacted !== value) span.setAttribute(key, redacted);
      }
    }
    const query = attributes['url.query'];
    if (typeof query === 'string' && query.includes('=')) {
      const prefixed = query.startsWith('?');
      const redacted = redactUrl(prefixed ? query : `?${query}`).slice(prefixed ? 0 : 1);
      if (redacted !== query) span.setAttribute('url.query', redacted);
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
