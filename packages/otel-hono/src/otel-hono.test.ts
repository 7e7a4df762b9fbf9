import type { AddressInfo } from 'node:net';
import {
  context,
  SamplingDecision,
  SpanKind,
  SpanStatusCode,
  trace,
  type Sampler,
  type TracerProvider,
} from '@opentelemetry/api';
import { RPCType, setRPCMetadata, type RPCMetadata } from '@opentelemetry/core';
import { createAdaptorServer } from '@hono/node-server';
import { breakContextActive, breakNextContextWith, createTestSdk, waitUntil, type TestSdk } from '@kira/test-utils';
import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { stream } from 'hono/streaming';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { otelHono } from './index';

type ServerHandle = { url: string; close(): Promise<void> };

const servers: ServerHandle[] = [];

async function listen(app: Hono): Promise<ServerHandle> {
  const server = createAdaptorServer({ fetch: app.fetch });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const handle = {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        (server as { closeAllConnections?: () => void }).closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
  servers.push(handle);
  return handle;
}

class ToolFailure extends Error {}

let sdk: TestSdk;

beforeEach(() => {
  sdk = createTestSdk();
});

afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
  await sdk.shutdown();
});

function serverSpans() {
  return sdk.spans().filter((span) => span.kind === SpanKind.SERVER);
}

async function waitForServerSpans(count: number) {
  await waitUntil(() => serverSpans().length >= count, 5000, `${count} SERVER span(s)`);
  return serverSpans();
}

async function durationPoints() {
  const metric = await sdk.metric('http_request_duration_ms');
  return (metric?.dataPoints ?? []) as Array<{ attributes: Record<string, unknown>; value: { count: number } }>;
}

describe('otelHono owning the SERVER span (no http instrumentation)', () => {
  it('names the span by route template with the contract attributes and legacy duplicates', async () => {
    const app = new Hono();
    app.use(otelHono());
    app.get('/users/:id', (c) => c.json({ id: c.req.param('id') }));
    const server = await listen(app);

    const response = await fetch(`${server.url}/users/42?token=abc&page=2`);
    expect(response.status).toBe(200);
    await response.text();

    const [span] = await waitForServerSpans(1);
    expect(serverSpans()).toHaveLength(1);
    expect(span!.name).toBe('GET /users/:id');
    expect(span!.attributes).toMatchObject({
      'http.request.method': 'GET',
      'http.route': '/users/:id',
      'url.path': '/users/42',
      'url.scheme': 'http',
      'server.address': '127.0.0.1',
      'http.response.status_code': 200,
      'http.method': 'GET',
      'http.status_code': 200,
    });
    expect(span!.attributes['http.url']).toBe(`${server.url}/users/42?token=REDACTED&page=2`);
    expect(span!.attributes['error.type']).toBeUndefined();
    expect(span!.status.code).toBe(SpanStatusCode.UNSET);

    await waitUntil(async () => (await durationPoints()).length > 0, 5000, 'the duration histogram');
    const points = await durationPoints();
    expect(points).toHaveLength(1);
    expect(points[0]!.attributes).toEqual({ http_method: 'GET', http_route: '/users/:id', http_status_code: 200 });
  });

  it('applies the contract method rule: lowercase and unknown methods are _OTHER, with the original kept', async () => {
    const app = new Hono();
    app.use(otelHono());
    app.all('/items/:id', (c) => c.text('ok'));
    for (const method of ['PATCH', 'patch', 'PURGE']) {
      expect((await app.request('/items/1', { method })).status, method).toBe(200);
    }
    const byMethod = Object.fromEntries(
      serverSpans().map((span) => [String(span.attributes['http.request.method_original'] ?? span.attributes['http.request.method']), span]),
    );
    expect(byMethod['PATCH']!.name).toBe('PATCH /items/:id');
    expect(byMethod['PATCH']!.attributes['http.request.method_original']).toBeUndefined();
    for (const original of ['patch', 'PURGE']) {
      expect(byMethod[original]!.name, original).toBe('_OTHER /items/:id');
      expect(byMethod[original]!.attributes).toMatchObject({ 'http.request.method': '_OTHER', 'http.method': '_OTHER' });
    }
    const methods = (await durationPoints()).map((point) => [point.attributes.http_method, point.value.count]);
    expect(methods.sort()).toEqual([['PATCH', 1], ['_OTHER', 2]]);
  });

  it('gives sub-app routes their full template wherever the middleware is registered', async () => {
    const users = new Hono();
    users.use(otelHono());
    users.get('/users/:id', (c) => c.text(`user ${c.req.param('id')}`));
    const app = new Hono();
    app.use('*', async (_c, next) => next());
    app.route('/v1', users);

    const orders = new Hono();
    orders.get('/orders/:orderId/items/:itemId', (c) => c.text('item'));
    const root = new Hono();
    root.use(otelHono());
    root.route('/shop', orders);
    root.route('/api', app);
    const server = await listen(root);

    await (await fetch(`${server.url}/shop/orders/7/items/9`)).text();
    await (await fetch(`${server.url}/api/v1/users/1`)).text();

    // The sub-app registers otelHono again; the root's instance already records the request, so
    // there is still exactly one span per request, named by the full template.
    await waitForServerSpans(2);
    const names = serverSpans().map((span) => span.name).sort();
    expect(names).toEqual(['GET /api/v1/users/:id', 'GET /shop/orders/:orderId/items/:itemId']);
    const routes = (await durationPoints()).map((point) => point.attributes.http_route).sort();
    expect(routes).toEqual(['/api/v1/users/:id', '/shop/orders/:orderId/items/:itemId']);
  });

  it('names by the full template when only the sub-app registers the middleware', async () => {
    const users = new Hono();
    users.use(otelHono());
    users.get('/:id/avatar', (c) => c.text('png'));
    const app = new Hono().basePath('/api');
    app.route('/users', users);
    await app.request('/api/users/5/avatar');
    expect(serverSpans().map((span) => span.name)).toEqual(['GET /api/users/:id/avatar']);
  });

  it('uses one fixed route for unmatched requests, and keeps the template for a 404 a handler returns', async () => {
    const app = new Hono();
    app.use(otelHono());
    app.use('/api/*', async (_c, next) => next());
    app.get('/items/:id', (c) => c.notFound());
    const server = await listen(app);

    expect((await fetch(`${server.url}/wp-admin/setup.php`)).status).toBe(404);
    expect((await fetch(`${server.url}/api/random/${Date.now()}`)).status).toBe(404);
    expect((await fetch(`${server.url}/items/3`)).status).toBe(404);

    await waitForServerSpans(3);
    const names = serverSpans().map((span) => span.name).sort();
    expect(names).toEqual(['GET /items/:id', 'GET unmatched', 'GET unmatched']);
    for (const span of serverSpans()) expect(span.status.code).toBe(SpanStatusCode.UNSET);
    const points = await durationPoints();
    expect(points.map((point) => point.attributes.http_route).sort()).toEqual(['/items/:id', 'unmatched']);
    expect(points.find((point) => point.attributes.http_route === 'unmatched')!.value.count).toBe(2);
  });

  it('accepts a custom unmatched route value', async () => {
    const app = new Hono();
    app.use(otelHono({ unmatchedRoute: 'not_found' }));
    const response = await app.request('/nothing/here');
    expect(response.status).toBe(404);
    expect(serverSpans().map((span) => span.name)).toEqual(['GET not_found']);
  });

  it('records a thrown error, sets ERROR for 500 and hands the original error to onError', async () => {
    const thrown = new ToolFailure('model exploded');
    let seenByOnError: unknown;
    const app = new Hono();
    app.use(otelHono());
    app.get('/tools/:name', () => {
      throw thrown;
    });
    app.onError((error, c) => {
      seenByOnError = error;
      return c.text('sorry', 500);
    });
    const server = await listen(app);

    const response = await fetch(`${server.url}/tools/generate`);
    expect(response.status).toBe(500);
    expect(seenByOnError).toBe(thrown);

    const [span] = await waitForServerSpans(1);
    expect(span!.name).toBe('GET /tools/:name');
    expect(span!.status).toEqual({ code: SpanStatusCode.ERROR, message: 'model exploded' });
    expect(span!.attributes['error.type']).toBe('ToolFailure');
    expect(span!.attributes['http.response.status_code']).toBe(500);
    const exception = span!.events.find((event) => event.name === 'exception');
    expect(exception?.attributes?.['exception.message']).toBe('model exploded');
    const points = await durationPoints();
    expect(points[0]!.attributes).toEqual({ http_method: 'GET', http_route: '/tools/:name', http_status_code: 500 });
  });

  it('does not mark 4xx as an error, even when an HTTPException is thrown', async () => {
    const app = new Hono();
    app.use(otelHono());
    app.get('/private', () => {
      throw new HTTPException(401, { message: 'no token' });
    });
    app.get('/bad', (c) => c.text('bad', 400));

    expect((await app.request('/private')).status).toBe(401);
    expect((await app.request('/bad')).status).toBe(400);

    const privateSpan = sdk.spanByName('GET /private')!;
    expect(privateSpan.status.code).toBe(SpanStatusCode.UNSET);
    expect(privateSpan.attributes['http.response.status_code']).toBe(401);
    expect(privateSpan.events.some((event) => event.name === 'exception')).toBe(true);
    const badSpan = sdk.spanByName('GET /bad')!;
    expect(badSpan.status.code).toBe(SpanStatusCode.UNSET);
    expect(badSpan.attributes['error.type']).toBeUndefined();
  });

  it('sets error.type to the status code for a 5xx without an exception', async () => {
    const app = new Hono();
    app.use(otelHono());
    app.get('/upstream', (c) => c.text('bad gateway', 502));
    await app.request('/upstream');
    const span = sdk.spanByName('GET /upstream')!;
    expect(span.status.code).toBe(SpanStatusCode.ERROR);
    expect(span.attributes['error.type']).toBe('502');
  });

  it('rethrows what Hono does not handle (non-Error values) unchanged', async () => {
    const app = new Hono();
    app.use(otelHono());
    app.get('/weird', () => {
      // eslint-disable-next-line @typescript-eslint/only-throw-error -- the case under test: a route that throws a non-Error
      throw 'a string';
    });
    await expect(app.request('/weird')).rejects.toBe('a string');
    const span = sdk.spanByName('GET /weird')!;
    expect(span.status.code).toBe(SpanStatusCode.ERROR);
    expect(span.attributes['error.type']).toBe('_OTHER');
  });

  it('records a thrown value that has no text form (a null-prototype object) without breaking the request', async () => {
    const app = new Hono();
    app.use(otelHono());
    const unprintable: unknown = Object.create(null);
    app.get('/unprintable', () => {
      throw unprintable;
    });
    await expect(app.request('/unprintable')).rejects.toBe(unprintable);
    const span = sdk.spanByName('GET /unprintable')!;
    expect(span.status.code).toBe(SpanStatusCode.ERROR);
    expect(span.events.find((event) => event.name === 'exception')?.attributes?.['exception.message']).toBe('[unprintable]');
    const point = (await durationPoints()).find((candidate) => candidate.attributes.http_route === '/unprintable');
    expect(point?.value.count).toBe(1);
  });

  it("continues the caller's W3C trace and makes its span the parent of work in the handler", async () => {
    const app = new Hono();
    app.use(otelHono());
    app.get('/work', (c) => {
      trace.getTracer('test').startSpan('inner').end();
      return c.text('ok');
    });
    const server = await listen(app);

    const traceId = '0af7651916cd43dd8448eb211c80319c';
    const parentSpanId = 'b7ad6b7169203331';
    await (await fetch(`${server.url}/work`, { headers: { traceparent: `00-${traceId}-${parentSpanId}-01` } })).text();

    const [span] = await waitForServerSpans(1);
    expect(span!.spanContext().traceId).toBe(traceId);
    expect(span!.parentSpanContext?.spanId).toBe(parentSpanId);
    const inner = sdk.spanByName('inner')!;
    expect(inner.parentSpanContext?.spanId).toBe(span!.spanContext().spanId);
  });

  it('also continues the trace when the request does not come through @hono/node-server', async () => {
    const app = new Hono();
    app.use(otelHono());
    app.get('/', (c) => c.text('ok'));
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    await app.request('/', { headers: { traceparent: `00-${traceId}-00f067aa0ba902b7-01` } });
    expect(serverSpans()[0]!.spanContext().traceId).toBe(traceId);
  });

  it('ends the span and records the duration when a streamed body has been fully sent', async () => {
    const app = new Hono();
    app.use(otelHono());
    app.get('/stream/:id', (c) =>
      stream(c, async (body) => {
        for (let index = 0; index < 3; index++) {
          await body.write(`chunk ${index}\n`);
          await body.sleep(60);
        }
      }),
    );
    const server = await listen(app);

    const response = await fetch(`${server.url}/stream/1`);
    expect(await response.text()).toBe('chunk 0\nchunk 1\nchunk 2\n');

    const [span] = await waitForServerSpans(1);
    expect(serverSpans()).toHaveLength(1);
    expect(span!.name).toBe('GET /stream/:id');
    const durationMs = span!.duration[0] * 1e3 + span!.duration[1] / 1e6;
    expect(durationMs).toBeGreaterThanOrEqual(170);
    await waitUntil(async () => (await durationPoints()).length > 0);
    const [point] = (await sdk.metric('http_request_duration_ms'))!.dataPoints as Array<{
      attributes: Record<string, unknown>;
      value: { sum: number };
    }>;
    expect(point!.attributes.http_route).toBe('/stream/:id');
    expect(point!.value.sum).toBeGreaterThanOrEqual(170);
  });

  it('omits legacy attributes when asked', async () => {
    const app = new Hono();
    app.use(otelHono({ recordLegacyAttributes: false }));
    app.get('/x', (c) => c.text('x'));
    await app.request('/x');
    const span = sdk.spanByName('GET /x')!;
    expect(span.attributes['http.method']).toBeUndefined();
    expect(span.attributes['http.url']).toBeUndefined();
    expect(span.attributes['http.status_code']).toBeUndefined();
    expect(span.attributes['http.request.method']).toBe('GET');
  });

  it('treats null options as no options: the defaults, no throw', async () => {
    const app = new Hono();
    app.use(otelHono(null as never));
    app.get('/null-options/:id', (c) => c.text('ok'));
    const response = await app.request('/null-options/7');
    expect(response.status).toBe(200);
    const span = sdk.spanByName('GET /null-options/:id')!;
    expect(span.attributes['http.route']).toBe('/null-options/:id');
    expect(span.attributes['http.method']).toBe('GET');
    expect((await durationPoints()).map((point) => point.value.count)).toEqual([1]);
  });

  it('uses injected providers instead of the globals', async () => {
    const other = createTestSdk({ registerGlobal: false });
    try {
      const app = new Hono();
      app.use(otelHono({ tracerProvider: other.tracerProvider, meterProvider: other.meterProvider }));
      app.get('/injected', (c) => c.text('ok'));
      await app.request('/injected');
      expect(other.spanByName('GET /injected')).toBeDefined();
      expect(sdk.spanByName('GET /injected')).toBeUndefined();
      expect((await other.metric('http_request_duration_ms'))?.dataPoints).toHaveLength(1);
    } finally {
      await other.shutdown();
    }
  });

  it('records the metric for unsampled requests and still propagates the trace context', async () => {
    const dropAll: Sampler = {
      shouldSample: () => ({ decision: SamplingDecision.NOT_RECORD }),
      toString: () => 'drop-all',
    };
    const sampled = createTestSdk({ sampler: dropAll, registerGlobal: false });
    try {
      let activeTraceId: string | undefined;
      const app = new Hono();
      app.use(otelHono({ tracerProvider: sampled.tracerProvider, meterProvider: sampled.meterProvider }));
      app.get('/quiet', (c) => {
        activeTraceId = trace.getActiveSpan()?.spanContext().traceId;
        return c.text('ok');
      });
      const traceId = '11111111111111111111111111111111';
      await app.request('/quiet', { headers: { traceparent: `00-${traceId}-2222222222222222-00` } });
      expect(sampled.spans()).toHaveLength(0);
      expect(activeTraceId).toBe(traceId);
      expect((await sampled.metric('http_request_duration_ms'))?.dataPoints).toHaveLength(1);
    } finally {
      await sampled.shutdown();
    }
  });

  it('starts the span without attributes (the sampler needs none) and sets them once it records', async () => {
    const samplerSaw: Array<Record<string, unknown>> = [];
    const recordAll: Sampler = {
      shouldSample: (_context, _traceId, _name, _kind, attributes) => {
        samplerSaw.push({ ...attributes });
        return { decision: SamplingDecision.RECORD_AND_SAMPLED };
      },
      toString: () => 'record-all',
    };
    const recorded = createTestSdk({ sampler: recordAll, registerGlobal: false });
    try {
      const app = new Hono();
      app.use(otelHono({ tracerProvider: recorded.tracerProvider, meterProvider: recorded.meterProvider }));
      app.get('/items/:id', (c) => c.text('ok'));
      for (const id of ['1', '2', '3']) await app.request(`http://kira.test/items/${id}`);
      expect(samplerSaw).toEqual([{}, {}, {}]);
      const spans = recorded.spans();
      expect(spans.map((span) => span.name)).toEqual(['GET /items/:id', 'GET /items/:id', 'GET /items/:id']);
      expect(spans[2]!.attributes).toMatchObject({
        'http.request.method': 'GET',
        'url.path': '/items/3',
        'url.scheme': 'http',
        'server.address': 'kira.test',
        'http.route': '/items/:id',
        'http.response.status_code': 200,
      });
      const points = (await recorded.metric('http_request_duration_ms'))?.dataPoints ?? [];
      expect(points).toHaveLength(1);
      expect((points[0]!.value as { count: number }).count).toBe(3);
    } finally {
      await recorded.shutdown();
    }
  });

  it('never breaks the request when the tracer throws', async () => {
    const broken = {
      getTracer: () => ({
        startSpan: () => {
          throw new Error('tracer is broken');
        },
        startActiveSpan: () => {
          throw new Error('tracer is broken');
        },
      }),
    } as unknown as TracerProvider;
    const app = new Hono();
    app.use(otelHono({ tracerProvider: broken }));
    app.get('/ok', (c) => c.text('fine'));
    const response = await app.request('/ok');
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('fine');
    expect((await durationPoints())[0]?.attributes.http_route).toBe('/ok');
  });

  it('serves the request, untraced, when the context manager throws on reading the active context', async () => {
    const app = new Hono();
    app.use(otelHono());
    app.get('/ok', (c) => c.text('fine'));
    // Fault injection: the registered context manager fails when the active context is read.
    const brokenActive = breakContextActive();
    let response: Response;
    try {
      response = await app.request('/ok');
      expect(brokenActive.thrown.length).toBeGreaterThan(0);
    } finally {
      brokenActive.restore();
    }
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('fine');
    expect(serverSpans()).toHaveLength(0);
    expect((await durationPoints())[0]?.attributes.http_route).toBe('/ok');
  });
});

describe('otelHono when the context manager throws in context.with', () => {
  // Fault injection: the registered context manager's `with` fails before running the rest of the
  // chain, or after it (while restoring the previous context).
  it.each([
    ['before running the rest of the chain', 'before'],
    ['after the rest of the chain returned', 'after'],
  ] as const)('serves the request once, its SERVER span and duration recorded: %s', async (_when, breakage) => {
    const app = new Hono();
    app.use(otelHono());
    let handled = 0;
    app.get('/users/:id', (c) => {
      handled += 1;
      return c.text('fine');
    });
    const broken = breakNextContextWith(breakage);
    let response: Response;
    try {
      response = await app.request('/users/7');
      expect(broken.thrown).toHaveLength(1);
    } finally {
      broken.restore();
    }
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('fine');
    expect(handled).toBe(1);
    expect((await waitForServerSpans(1))[0]?.name).toBe('GET /users/:id');
    expect((await durationPoints())[0]?.attributes.http_route).toBe('/users/:id');
  });
});

describe("otelHono beside the http instrumentation's SERVER span", () => {
  // What the http instrumentation does for each inbound request, with the real @opentelemetry/core;
  // the instrumentation itself is exercised end to end in otel-core-auto.test.ts.

  it('puts the route on the existing span instead of opening a second SERVER span', async () => {
    const app = new Hono();
    app.use(otelHono());
    app.get('/users/:id', (c) => c.text('ok'));

    const instrumentationSpan = trace.getTracer('fake-http').startSpan('GET', { kind: SpanKind.SERVER });
    const rpcMetadata: { type: string; span: typeof instrumentationSpan; route?: string } = {
      type: 'http',
      span: instrumentationSpan,
    };
    const requestContext = setRPCMetadata(trace.setSpan(context.active(), instrumentationSpan), rpcMetadata as RPCMetadata);
    await context.with(requestContext, () => app.request('/users/7?code=secret'));
    instrumentationSpan.end();

    expect(rpcMetadata.route).toBe('/users/:id');
    expect(serverSpans()).toHaveLength(1);
    const [span] = serverSpans();
    expect(span!.name).toBe('GET /users/:id');
    expect(span!.attributes).toMatchObject({
      'http.route': '/users/:id',
      'http.method': 'GET',
      'http.status_code': 200,
      'http.url': 'http://localhost/users/7?code=REDACTED',
    });
    expect((await durationPoints())[0]!.attributes.http_route).toBe('/users/:id');
  });

  it("opens its own span in 'middleware' ownership mode even then", async () => {
    const app = new Hono();
    app.use(otelHono({ spanOwnership: 'middleware' }));
    app.get('/a', (c) => c.text('ok'));
    const outer = trace.getTracer('fake-http').startSpan('GET', { kind: SpanKind.SERVER });
    const requestContext = setRPCMetadata(trace.setSpan(context.active(), outer), { type: RPCType.HTTP, span: outer });
    await context.with(requestContext, () => app.request('/a'));
    outer.end();
    const own = sdk.spanByName('GET /a')!;
    expect(own.parentSpanContext?.spanId).toBe(outer.spanContext().spanId);
  });
});
