import type { AddressInfo } from 'node:net';
import {
  propagation,
  trace,
  TraceFlags,
  SpanKind,
  type Context,
  type TextMapGetter,
  type TextMapPropagator,
} from '@opentelemetry/api';
import { createAdaptorServer } from '@hono/node-server';
import { createTestSdk, waitUntil, type TestSdk } from '@kira/test-utils';
import { Hono } from 'hono';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { otelHono } from './index';

/**
 * A non-W3C propagator (like B3 or Jaeger): `<header>: <traceId>-<spanId>`. Counts extract calls
 * so the tests can see when the middleware skips the propagator.
 */
class HeaderPropagator implements TextMapPropagator {
  extractCalls = 0;
  constructor(private readonly header: string) {}
  inject(): void {}
  extract(context: Context, carrier: unknown, getter: TextMapGetter): Context {
    this.extractCalls++;
    const raw = getter.get(carrier, this.header.toLowerCase());
    const value = Array.isArray(raw) ? raw[0] : raw;
    if (value === undefined) return context;
    const [traceId, spanId] = value.split('-');
    return trace.setSpanContext(context, { traceId: traceId!, spanId: spanId!, traceFlags: TraceFlags.SAMPLED, isRemote: true });
  }
  fields(): string[] {
    return [this.header];
  }
}

const servers: Array<() => Promise<void>> = [];

async function listen(app: Hono): Promise<string> {
  const server = createAdaptorServer({ fetch: app.fetch });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push(
    () =>
      new Promise<void>((resolve) => {
        (server as { closeAllConnections?: () => void }).closeAllConnections?.();
        server.close(() => resolve());
      }),
  );
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

let sdk: TestSdk;

beforeEach(() => {
  sdk = createTestSdk();
});

afterEach(async () => {
  await Promise.all(servers.splice(0).map((close) => close()));
  await sdk.shutdown();
});

function usePropagator(propagator: TextMapPropagator): void {
  propagation.disable();
  propagation.setGlobalPropagator(propagator);
}

function serverSpans() {
  return sdk.spans().filter((span) => span.kind === SpanKind.SERVER);
}

function appWithHandlerTrace(): { app: Hono; seen: Array<string | undefined> } {
  const seen: Array<string | undefined> = [];
  const app = new Hono();
  app.use(otelHono({ spanOwnership: 'middleware' }));
  app.get('/t', (c) => {
    seen.push(trace.getActiveSpan()?.spanContext().traceId);
    return c.text('ok');
  });
  return { app, seen };
}

const TRACE_ID = 'abcdef0123456789abcdef0123456789';
const SPAN_ID = '0123456789abcdef';

describe('propagation headers', () => {
  it("skips the propagator when none of its fields is present, and uses it (not only W3C's) when one is — through @hono/node-server", async () => {
    const propagator = new HeaderPropagator('X-Test-Trace'); // upper case on purpose: Node lower-cases header names
    usePropagator(propagator);
    const { app, seen } = appWithHandlerTrace();
    const url = await listen(app);

    await (await fetch(`${url}/t`, { headers: { traceparent: `00-${'1'.repeat(32)}-${'2'.repeat(16)}-01` } })).text();
    expect(propagator.extractCalls).toBe(0); // traceparent means nothing to this propagator
    await (await fetch(`${url}/t`, { headers: { 'x-test-trace': `${TRACE_ID}-${SPAN_ID}` } })).text();
    expect(propagator.extractCalls).toBe(1);

    await waitUntil(() => serverSpans().length >= 2, 5000, 'two SERVER spans');
    expect(seen[0]).not.toBe(TRACE_ID);
    expect(seen[0]).not.toBe('1'.repeat(32));
    expect(seen[1]).toBe(TRACE_ID);
    const continued = serverSpans().find((span) => span.spanContext().traceId === TRACE_ID);
    expect(continued?.parentSpanContext?.spanId).toBe(SPAN_ID);
  });

  it('does the same for Fetch Headers (app.request, other runtimes)', async () => {
    const propagator = new HeaderPropagator('x-test-trace');
    usePropagator(propagator);
    const { app, seen } = appWithHandlerTrace();

    await app.request('/t');
    expect(propagator.extractCalls).toBe(0);
    await app.request('/t', { headers: { 'X-Test-Trace': `${TRACE_ID}-${SPAN_ID}` } });
    expect(propagator.extractCalls).toBe(1);
    expect(seen[0]).toMatch(/^[0-9a-f]{32}$/);
    expect(seen[0]).not.toBe(TRACE_ID);
    expect(seen[1]).toBe(TRACE_ID);
  });

  it('notices when the global propagator is replaced', async () => {
    const first = new HeaderPropagator('x-first');
    usePropagator(first);
    const { app, seen } = appWithHandlerTrace();
    await app.request('/t', { headers: { 'x-first': `${TRACE_ID}-${SPAN_ID}` } });

    const second = new HeaderPropagator('x-second');
    usePropagator(second);
    const otherTrace = 'fedcba9876543210fedcba9876543210';
    await app.request('/t', { headers: { 'x-second': `${otherTrace}-${SPAN_ID}` } });
    await app.request('/t', { headers: { 'x-first': `${TRACE_ID}-${SPAN_ID}` } });

    expect(first.extractCalls).toBe(1);
    expect(second.extractCalls).toBe(1);
    expect(seen[0]).toBe(TRACE_ID);
    expect(seen[1]).toBe(otherTrace);
    expect(seen[2]).not.toBe(TRACE_ID);
  });

  it('with no global propagator every request starts its own trace', async () => {
    propagation.disable();
    const { app, seen } = appWithHandlerTrace();
    await app.request('/t', { headers: { traceparent: `00-${TRACE_ID}-${SPAN_ID}-01` } });
    await app.request('/t', { headers: { traceparent: `00-${TRACE_ID}-${SPAN_ID}-01` } });
    expect(seen).toHaveLength(2);
    expect(seen[0]).not.toBe(TRACE_ID);
    expect(seen[1]).not.toBe(seen[0]);
  });
});
