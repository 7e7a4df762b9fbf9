import type { MeterProvider, TracerProvider } from '@opentelemetry/api';

/**
 * Who owns the inbound SERVER span.
 * - not set (the default): the middleware claims it. `@kira/otel-core`'s http instrumentation,
 *   when its inbound side is left at its default, stops tracing inbound requests as soon as
 *   `otelHono()` is created, and the middleware opens the SERVER span. Where the inbound side is
 *   on by choice (`KIRA_HTTP_INBOUND=on`, `inbound: true`), the middleware names that span instead.
 * - `'auto'`: never claims; when the http instrumentation's SERVER span is active, put the route
 *   on that span (it keeps the instrumentation's extra attributes); otherwise open one.
 * - `'middleware'`: claims like the default, and always opens the SERVER span here, nested under
 *   the instrumentation's if its inbound side is on by choice.
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
   * @default not set: the middleware claims the SERVER span
   * @example otelHono({ spanOwnership: 'middleware' })
   */
  spanOwnership?: SpanOwnership;
}
