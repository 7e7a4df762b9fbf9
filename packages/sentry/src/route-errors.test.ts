import type { AddressInfo } from 'node:net';
import { createAdaptorServer } from '@hono/node-server';
import { traceAITool } from '@kira/metrics';
import { otelHono } from '@kira/otel-hono';
import { createTestSdk, startSentrySink, waitUntil, type SentrySink, type TestSdk } from '@kira/test-utils';
import * as Sentry from '@sentry/node';
import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { jwt, sign } from 'hono/jwt';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { sentryRouteErrors, sentryUser } from './hono';
import { captureToolError, initSentry } from './index';

const JWT_SECRET = 'route-errors-secret-0123456789';

let sink: SentrySink;
let sdk: TestSdk;
let token: string;

// The kira-be wiring of the README's quick start. `withReporting: false` builds the same app
// without the middleware, to prove the answers are the same.
function createApp(withReporting: boolean): Hono {
  const app = new Hono();
  app.use(otelHono({ spanOwnership: 'middleware' }));
  if (withReporting) app.use(sentryRouteErrors());
  const api = new Hono();
  api.use(jwt({ secret: JWT_SECRET, alg: 'HS256' }));
  if (withReporting) api.use(sentryUser());
  api.get('/items/:id', (c) => {
    throw new RangeError(`item ${c.req.param('id')} is broken`);
  });
  api.get('/forbidden/:id', () => {
    throw new HTTPException(403, { message: 'not yours' });
  });
  api.get('/unavailable', () => {
    throw new HTTPException(503, { message: 'provider down' });
  });
  api.get('/string-throw', () => {
    // eslint-disable-next-line @typescript-eslint/only-throw-error -- the case under test: a route that throws a non-Error
    throw 'not an Error';
  });
  api.post('/tools/:name', async (c) => {
    const input = { prompt: 'a cat' };
    try {
      return c.json(await traceAITool(c.req.param('name'), { userId: 'user-7' }, () => Promise.reject(new Error('provider timeout'))));
    } catch (error) {
      captureToolError(error, { toolName: c.req.param('name'), input });
      throw error;
    }
  });
  app.route('/api', api);
  return app;
}

async function listen(app: Hono) {
  const server = createAdaptorServer({ fetch: app.fetch });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    fetch: (path: string, init: RequestInit = {}) => fetch(`${base}${path}`, { ...init, headers: { authorization: `Bearer ${token}` } }),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const reporting = () => listen(createApp(true));
const serverSpanOf = (route: string) => sdk.spans().find((span) => span.attributes['http.route'] === route);

beforeAll(async () => {
  sink = await startSentrySink();
  sdk = createTestSdk();
  initSentry({ enabled: true, dsn: sink.dsn(), environment: 'test' });
  token = await sign({ sub: 'user-7', email: 'ada@example.com', exp: Math.floor(Date.now() / 1000) + 600 }, JWT_SECRET);
});

afterAll(async () => {
  await Sentry.close(2000);
  await sdk.shutdown();
  await sink.close();
});

beforeEach(() => {
  sink.reset();
  sdk.reset();
});
// Each test's events are in the sink before the next one resets it.
afterEach(() => Sentry.flush(2000));

describe('sentryRouteErrors with the real Sentry SDK and a real Hono server', () => {
  it('sends one event per throwing route, with the route template, the JWT user and the trace id', async () => {
    const server = await reporting();
    try {
      const response = await server.fetch('/api/items/42');
      expect(response.status).toBe(500);
      await Sentry.flush(2000);
      await waitUntil(() => serverSpanOf('/api/items/:id') !== undefined, 5000, 'the SERVER span');
      const { payload: event } = await sink.waitFor((item) => item.headers.type === 'event');

      expect(event.transaction).toBe('GET /api/items/:id');
      expect(event.user).toMatchObject({ id: 'user-7', email: 'ada@example.com' });
      expect(event.contexts.trace.trace_id).toBe(serverSpanOf('/api/items/:id')!.spanContext().traceId);
      expect(event.exception.values[0]).toMatchObject({ type: 'RangeError', value: 'item 42 is broken' });
      expect(event.exception.values[0].mechanism).toMatchObject({ handled: false });
      // Exactly one: flush returns once every send in progress has been answered by the sink.
      await Sentry.flush(2000);
      expect(sink.events()).toHaveLength(1);
    } finally {
      await server.close();
    }
  });

  it('sends 5xx HTTPExceptions and non-Error throws, and leaves 4xx alone', async () => {
    const server = await reporting();
    try {
      expect((await server.fetch('/api/forbidden/1')).status).toBe(403);
      expect((await server.fetch('/api/unavailable')).status).toBe(503);
      expect((await server.fetch('/api/string-throw')).status).toBe(500);
      await Sentry.flush(2000);
      await waitUntil(() => sink.events().length >= 2, 5000, 'two Sentry events');
      await Sentry.flush(2000);
      const transactions = sink.events().map((event) => event.transaction).sort();
      expect(transactions).toEqual(['GET /api/string-throw', 'GET /api/unavailable']);
    } finally {
      await server.close();
    }
  });

  it('sends a tool error once, though captureToolError already sent it and the route rethrew it', async () => {
    const server = await reporting();
    try {
      expect((await server.fetch('/api/tools/generateImage', { method: 'POST' })).status).toBe(500);
      await Sentry.flush(2000);
      const { payload: event } = await sink.waitFor((item) => item.headers.type === 'event');
      expect(event.tags).toMatchObject({ toolName: 'generateImage' });
      expect(event.user).toMatchObject({ id: 'user-7' });
      await Sentry.flush(2000);
      expect(sink.events()).toHaveLength(1);
    } finally {
      await server.close();
    }
  });

  it("sends a route that fails the same way twice in a row once: Sentry's default Dedupe", async () => {
    const server = await reporting();
    try {
      for (let attempt = 0; attempt < 2; attempt++) expect((await server.fetch('/api/items/9')).status).toBe(500);
      // A different failure after them: once it has arrived, a second identical event would have too.
      expect((await server.fetch('/api/unavailable')).status).toBe(503);
      await Sentry.flush(2000);
      await waitUntil(() => sink.events().some((event) => event.transaction === 'GET /api/unavailable'), 5000, 'the 503 event');
      expect(sink.events().map((event) => event.transaction)).toEqual(['GET /api/items/:id', 'GET /api/unavailable']);
    } finally {
      await server.close();
    }
  });

  it('never changes the response: same status, headers and body as the app without it', async () => {
    const withIt = await reporting();
    const without = await listen(createApp(false));
    try {
      for (const path of ['/api/items/42', '/api/forbidden/1', '/api/unavailable', '/api/string-throw']) {
        const [a, b] = await Promise.all([withIt.fetch(path), without.fetch(path)]);
        expect({ path, status: a.status, type: a.headers.get('content-type'), body: await a.text() }).toEqual({
          path,
          status: b.status,
          type: b.headers.get('content-type'),
          body: await b.text(),
        });
      }
    } finally {
      await withIt.close();
      await without.close();
    }
  });

  it("keeps the app's own onError answer", async () => {
    const app = createApp(true);
    app.onError((error, c) => c.json({ failed: (error).message }, 502));
    const server = await listen(app);
    try {
      const response = await server.fetch('/api/items/7');
      expect(response.status).toBe(502);
      expect(await response.json()).toEqual({ failed: 'item 7 is broken' });
      await Sentry.flush(2000);
      const { payload: event } = await sink.waitFor((item) => item.headers.type === 'event');
      expect(event.transaction).toBe('GET /api/items/:id');
    } finally {
      await server.close();
    }
  });
});
