import type { MeterProvider, TracerProvider } from '@opentelemetry/api';

/**
 * Who owns the inbound SERVER span.
 * - `'auto'`: when the http instrumentation's SERVER span is active (otel-core with the http
 *   instrumentation's inbound side on), put the route on that span; otherwise open one.
 * - `'middleware'`: always open the SERVER span here. Pair it with otel-core's
 *   `instrumentations.http.inbound: false`, otherwise the span nests under the instrumentation's.
 */
export type SpanOwnership = 'auto' | 'middleware';

/** Options of {@link otelHono}. Every option is optional. */
export interface OtelHonoOptions {
  /**
   * Tracer provider used when the middleware opens the SERVER span. Defaults to the global one.
   * @example otelHono({ tracerProvider: sdk.tracerProvider })
   */
  tracerProvider?: TracerProvider;
  /**
   * Meter provider for `http_request_duration_ms`. Defaults to the global one.
   * @example otelHono({ meterProvider: sdk.meterProvider })
   */
  meterProvider?: MeterProvider;
  /**
   * Route value used for requests no route matched (404 from `notFound`), so scanners hitting
   * random paths cannot grow the metric's cardinality. It never starts with `/`, so it cannot
   * collide with a real template.
   * @default 'unmatched'
   * @example otelHono({ unmatchedRoute: 'not_found' })
   */
  unmatchedRoute?: string;
  /**
   * Also emit the legacy attributes `http.method`, `http.url`, `http.status_code` that existing
   * BetterStack views read.
   * @default true
   * @example otelHono({ recordLegacyAttributes: false })
   */
  recordLegacyAttributes?: boolean;
  /**
   * Who owns the SERVER span; see {@link SpanOwnership}.
   * @default 'auto'
   * @example otelHono({ spanOwnership: 'middleware' })
   */
  spanOwnership?: SpanOwnership;
}
