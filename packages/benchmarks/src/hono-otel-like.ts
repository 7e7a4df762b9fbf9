import { context, metrics, propagation, SpanKind, SpanStatusCode, trace, type TextMapGetter } from '@opentelemetry/api';
import type { MiddlewareHandler } from 'hono';
import { routePath } from 'hono/route';

const getter: TextMapGetter<Headers> = {
  get: (carrier, key) => carrier.get(key) ?? undefined,
  keys: (carrier) => [...carrier.keys()],
};

/**
 * What the community `@hono/otel` middleware does per request, written against the API only so
 * the benchmark needs no extra dependency: extract the W3C context from the Fetch `Headers`, open
 * its own SERVER span (nested under the http instrumentation's when that is on), record the
 * request duration and an active-requests counter.
 */
export function honoOtelLike(): MiddlewareHandler {
  const tracer = trace.getTracer('bench-hono-otel-like');
  const meter = metrics.getMeter('bench-hono-otel-like');
  const duration = meter.createHistogram('http.server.request.duration', { unit: 's' });
  const active = meter.createUpDownCounter('http.server.active_requests');
  return async (c, next) => {
    const parent = propagation.extract(context.active(), c.req.raw.headers, getter);
    const route = routePath(c);
    const attributes = { 'http.request.method': c.req.method, 'url.full': c.req.url, 'http.route': route };
    active.add(1, { 'http.request.method': c.req.method });
    const start = performance.now();
    const span = tracer.startSpan(`${c.req.method} ${route}`, { kind: SpanKind.SERVER, attributes }, parent);
    try {
      await context.with(trace.setSpan(parent, span), next);
      span.setAttribute('http.response.status_code', c.res.status);
      if (c.error) span.setStatus({ code: SpanStatusCode.ERROR });
    } finally {
      span.end();
      active.add(-1, { 'http.request.method': c.req.method });
      duration.record((performance.now() - start) / 1000, {
        'http.request.method': c.req.method,
        'http.route': routePath(c),
        'http.response.status_code': c.res.status,
      });
    }
  };
}
