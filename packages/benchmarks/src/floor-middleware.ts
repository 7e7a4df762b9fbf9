import { context, metrics, SpanKind, trace } from '@opentelemetry/api';
import type { MiddlewareHandler } from 'hono';

/**
 * The least any middleware that owns a SERVER span and records a duration histogram through the
 * OpenTelemetry API must do per request (no propagation, no attributes, no route lookup). What
 * it costs is the SDK's floor; anything `kira` costs above it is otel-hono's own work.
 */
export function floorMiddleware(): MiddlewareHandler {
  const tracer = trace.getTracer('bench-floor');
  const histogram = metrics.getMeter('bench-floor').createHistogram('bench_floor_duration_ms', { unit: 'ms' });
  const attributes = { http_method: 'GET', http_route: '/users/:id', http_status_code: 200 };
  return async (_c, next) => {
    const start = performance.now();
    const span = tracer.startSpan('GET /users/:id', { kind: SpanKind.SERVER });
    try {
      await context.with(trace.setSpan(context.active(), span), next);
    } finally {
      span.end();
      histogram.record(performance.now() - start, attributes);
    }
  };
}

/**
 * `floorMiddleware()` without its histogram: a span started, made active around `next` and ended.
 * The cache count's `sdk-span-ctx` step (hono-setups.ts, FLOOR_STEP_SETUPS); `kira-floor` keeps
 * its own copy of these lines so that the benchmark measures the same code as before.
 */
export function floorSpanMiddleware(): MiddlewareHandler {
  const tracer = trace.getTracer('bench-floor');
  return async (_c, next) => {
    const span = tracer.startSpan('GET /users/:id', { kind: SpanKind.SERVER });
    try {
      await context.with(trace.setSpan(context.active(), span), next);
    } finally {
      span.end();
    }
  };
}
