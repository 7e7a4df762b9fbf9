import type { AddressInfo } from 'node:net';
import { trace } from '@opentelemetry/api';
import { createAdaptorServer } from '@hono/node-server';
import { createTestSdk, startSentrySink, waitUntil, type SentrySink, type TestSdk } from '@kira/test-utils';
import * as Sentry from '@sentry/node';
import { Hono } from 'hono';
import { jwt, sign } from 'hono/jwt';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { sentryUser } from './hono';
import { captureToolError, initSentry } from './index';

const JWT_SECRET = 'test-secret-0123456789';

let sink: SentrySink;
let sdk: TestSdk;

beforeAll(async () => {
  sink = await startSentrySink();
  sdk = createTestSdk();
  const result = initSentry({ enabled: true, dsn: sink.dsn(), environment: 'test', release: 'kira@1.0.0' });
  expect(result).toEqual({ enabled: true, reason: 'option enabled=true' });
});

afterAll(async () => {
  await Sentry.close(2000);
  await sdk.shutdown();
  await sink.close();
});

beforeEach(() => sink.reset());

describe('initSentry with the real Sentry SDK', () => {
  it('sends a tool error with the tag, sanitized input, user and the active OTel trace id', async () => {
    const tracer = trace.getTracer('test');
    let traceId = '';
    let spanId = '';
    let eventId: string | undefined;
    tracer.startActiveSpan('execute_tool generateImage', (span) => {
      traceId = span.spanContext().traceId;
      spanId = span.spanContext().spanId;
      Sentry.withIsolationScope((scope) => {
        scope.setUser({ id: 'user-1', email: 'ada@example.com' });
        eventId = captureToolError(new Error('provider timeout'), {
          toolName: 'generateImageWithAI',
          input: { prompt: 'a cat', apiKey: 'sk-live-1', image: `data:image/png;base64,iVBORw0KGgo${'A'.repeat(2000)}` },
        });
      });
      span.end();
    });
    await Sentry.flush(2000);

    const { payload: event } = await sink.waitFor((item) => item.headers.type === 'event');
    expect(eventId).toMatch(/^[0-9a-f]{32}$/);
    expect(event.event_id).toBe(eventId);
    expect(event.tags).toMatchObject({ toolName: 'generateImageWithAI' });
    expect(event.extra.input).toEqual({ prompt: 'a cat', apiKey: '[REDACTED]', image: '[base64 image/png, 1.5 KB]' });
    expect(event.user).toMatchObject({ id: 'user-1', email: 'ada@example.com' });
    expect(event.contexts.trace.trace_id).toBe(traceId);
    expect(event.contexts.trace.span_id).toBe(spanId);
    expect(event.environment).toBe('test');
    expect(event.release).toBe('kira@1.0.0');
    expect(event.exception.values[0].value).toBe('provider timeout');
  });

  it('strips Authorization, Cookie and query secrets from request data', async () => {
    Sentry.captureEvent({
      message: 'with request',
      request: {
        url: 'https://api.kira.dev/v1/images?token=abc&size=2',
        query_string: 'token=abc&size=2',
        headers: { Authorization: 'Bearer abc', Cookie: 'sid=1', 'user-agent': 'vitest' },
        cookies: { sid: '1' },
      },
    });
    await Sentry.flush(2000);
    const { payload: event } = await sink.waitFor((item) => item.headers.type === 'event');
    expect(event.request.headers).toEqual({ 'user-agent': 'vitest' });
    expect(event.request.cookies).toBeUndefined();
    expect(event.request.url).toBe('https://api.kira.dev/v1/images?token=REDACTED&size=2');
    expect(event.request.query_string).toBe('token=REDACTED&size=2');
  });

  it('redacts secret keys in a request body captured as text (JSON, JSON cut short, form)', async () => {
    const bodies = [
      JSON.stringify({ prompt: 'a cat', password: 'hunter2-json', nested: { apiKey: 'sk-json' } }),
      '{"prompt":"a dog","access_token":"tok-cut-short","image":"iVBOR',
      'user=ada&remember&password=hunter2-form&api_key=sk-form',
    ];
    bodies.forEach((data, index) => Sentry.captureEvent({ message: `body ${index}`, request: { url: 'https://api.kira.dev/v1', data } }));
    await Sentry.flush(2000);
    await waitUntil(() => sink.events().length >= 3, 5000, 'three events');
    const stored = [0, 1, 2].map((index) => sink.events().find((event) => event.message === `body ${index}`)?.request.data as string);
    expect(JSON.parse(stored[0]!)).toEqual({ prompt: 'a cat', password: '[REDACTED]', nested: { apiKey: '[REDACTED]' } });
    expect(stored[1]).toBe('{"prompt":"a dog","access_token":"[REDACTED]","image":"iVBOR');
    expect(stored[2]).toBe('user=ada&remember&password=[REDACTED]&api_key=[REDACTED]');
  });

  it('runs no Sentry tracing: no transactions and no second tracer provider', async () => {
    const providerBefore = trace.getTracerProvider();
    Sentry.startSpan({ name: 'sentry span' }, () => undefined);
    captureToolError(new Error('x'), { toolName: 't' });
    await Sentry.flush(2000);
    await sink.waitFor((item) => item.headers.type === 'event');
    expect(sink.transactions()).toHaveLength(0);
    expect(trace.getTracerProvider()).toBe(providerBefore);
  });

  it('keeps each user on their own events when requests of two users interleave', async () => {
    const app = new Hono();
    app.use('/api/*', jwt({ secret: JWT_SECRET, alg: 'HS256' }), sentryUser());
    const gates = new Map<string, () => void>();
    app.get('/api/generate/:label', async (c) => {
      const label = c.req.param('label');
      // Each request parks until the test releases it, so the two are truly interleaved.
      await new Promise<void>((resolve) => gates.set(label, resolve));
      captureToolError(new Error(`failed ${label}`), { toolName: 'generate', input: { label } });
      return c.text('done');
    });
    const server = createAdaptorServer({ fetch: app.fetch });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const alice = await sign({ sub: 'alice', email: 'alice@example.com', exp: Math.floor(Date.now() / 1000) + 60 }, JWT_SECRET);
      const bob = await sign({ sub: 'bob', email: 'bob@example.com', exp: Math.floor(Date.now() / 1000) + 60 }, JWT_SECRET);
      const requests = [
        fetch(`${base}/api/generate/a1`, { headers: { authorization: `Bearer ${alice}` } }),
        fetch(`${base}/api/generate/b1`, { headers: { authorization: `Bearer ${bob}` } }),
        fetch(`${base}/api/generate/a2`, { headers: { authorization: `Bearer ${alice}` } }),
        fetch(`${base}/api/generate/b2`, { headers: { authorization: `Bearer ${bob}` } }),
      ];
      while (gates.size < 4) await new Promise((resolve) => setTimeout(resolve, 5));
      for (const label of ['b2', 'a1', 'b1', 'a2']) gates.get(label)!();
      for (const response of await Promise.all(requests)) expect(response.status).toBe(200);
      await Sentry.flush(2000);
      while (sink.events().length < 4) await new Promise((resolve) => setTimeout(resolve, 10));

      const owners = Object.fromEntries(sink.events().map((event) => [event.extra.input.label, event.user?.id]));
      expect(owners).toEqual({ a1: 'alice', a2: 'alice', b1: 'bob', b2: 'bob' });
      const emails = sink.events().map((event) => event.user?.email).sort();
      expect(emails).toEqual(['alice@example.com', 'alice@example.com', 'bob@example.com', 'bob@example.com']);
      // Nothing leaked to the process-wide scopes.
      expect(Sentry.getIsolationScope().getUser()).toEqual({});
    } finally {
      (server as { closeAllConnections?: () => void }).closeAllConnections?.();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('isolates users even without the HTTP server integration (app.request, interleaved)', async () => {
    const app = new Hono();
    app.use('*', async (c, next) => {
      c.set('jwtPayload', { sub: c.req.header('x-user'), email: `${c.req.header('x-user')}@example.com` });
      await next();
    });
    app.use('*', sentryUser());
    app.get('/work', async (c) => {
      await new Promise((resolve) => setTimeout(resolve, c.req.header('x-user') === 'carol' ? 40 : 5));
      captureToolError(new Error('late'), { toolName: 'w', input: { who: c.req.header('x-user') } });
      return c.text('ok');
    });
    await Promise.all([
      app.request('/work', { headers: { 'x-user': 'carol' } }),
      app.request('/work', { headers: { 'x-user': 'dave' } }),
    ]);
    await Sentry.flush(2000);
    while (sink.events().length < 2) await new Promise((resolve) => setTimeout(resolve, 10));
    for (const event of sink.events()) expect(event.user.id).toBe(event.extra.input.who);
  });
});
