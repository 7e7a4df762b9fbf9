// No SDK at first: the API's globals are empty, as in development with telemetry off.
import { context, metrics, propagation, trace } from '@opentelemetry/api';
import { createTestSdk } from '@kira/test-utils';
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { otelHono } from './index';

describe('without an SDK', () => {
  it('passes requests straight through, and traces them once an SDK is registered later', async () => {
    const app = new Hono();
    app.use(otelHono());
    app.get('/users/:id', (c) => c.json({ id: c.req.param('id'), traced: trace.getActiveSpan() !== undefined }));

    const before = await app.request('/users/1');
    expect(before.status).toBe(200);
    expect(await before.json()).toEqual({ id: '1', traced: false });

    const sdk = createTestSdk();
    try {
      const after = await app.request('/users/2');
      // The request span is active again. (Its export is not checked here: createTestSdk first
      // resets the API's globals, which strands the proxy tracer otelHono() took at creation.)
      expect(await after.json()).toEqual({ id: '2', traced: true });
      const metric = await sdk.metric('http_request_duration_ms');
      expect(metric?.dataPoints.map((point) => point.attributes)).toEqual([{ http_method: 'GET', http_route: '/users/:id', http_status_code: 200 }]);
    } finally {
      await sdk.shutdown();
    }
  });
});

describe('with only one of tracing and metrics registered', () => {
  function usersApp(): Hono {
    const app = new Hono();
    app.use(otelHono());
    app.get('/users/:id', (c) => c.json({ id: c.req.param('id') }));
    return app;
  }

  it('records the histogram when only a global meter provider is registered', async () => {
    const sdk = createTestSdk({ registerGlobal: false });
    metrics.setGlobalMeterProvider(sdk.meterProvider);
    try {
      expect((await usersApp().request('/users/1')).status).toBe(200);
      const metric = await sdk.metric('http_request_duration_ms');
      expect(metric?.dataPoints.map((point) => point.attributes)).toEqual([{ http_method: 'GET', http_route: '/users/:id', http_status_code: 200 }]);
    } finally {
      metrics.disable();
      await sdk.shutdown();
    }
  });

  it('records the SERVER span when only a global tracer provider is registered', async () => {
    const sdk = createTestSdk({ registerGlobal: false });
    trace.setGlobalTracerProvider(sdk.tracerProvider);
    try {
      expect((await usersApp().request('/users/1')).status).toBe(200);
      expect(sdk.spans().map((span) => span.name)).toEqual(['GET /users/:id']);
    } finally {
      trace.disable();
      await sdk.shutdown();
    }
  });
});

describe('with only a context manager and a propagator registered', () => {
  it("passes the caller's traceparent on to the handler's context, as the API's no-op tracer does", async () => {
    const sdk = createTestSdk();
    // Leaves the context manager and the W3C propagator registered, and no tracer or meter provider.
    trace.disable();
    metrics.disable();
    try {
      const app = new Hono();
      app.use(otelHono());
      app.get('/users/:id', (c) => {
        const outgoing: Record<string, string> = {};
        propagation.inject(context.active(), outgoing);
        return c.json({ traceparent: outgoing['traceparent'] ?? null });
      });
      const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
      const response = await app.request('/users/1', { headers: { traceparent } });
      expect(await response.json()).toEqual({ traceparent });
      expect(sdk.spans()).toEqual([]);
    } finally {
      await sdk.shutdown();
    }
  });
});
