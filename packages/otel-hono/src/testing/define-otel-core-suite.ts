import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { context, trace, TraceFlags } from '@opentelemetry/api';
import { startTelemetry, type TelemetryHandle } from '@kira/otel-core';
import { startOtlpCaptureServer, waitUntil, type FlatSpan, type OtlpCaptureServer } from '@kira/test-utils';
import { Hono } from 'hono';
import { stream } from 'hono/streaming';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { otelHono } from '../index';

// OTLP's enum, not the API's (SpanKind.SERVER is 1 in @opentelemetry/api).
const OTLP_SPAN_KIND_SERVER = 2;
const OTLP_SPAN_KIND_CLIENT = 3;
// The capture server runs in this process too, so the instrumentation also traces the exports.
const EXPORT_PATHS = new Set(['/v1/traces', '/v1/metrics', '/v1/logs']);
const OTLP_STATUS_ERROR = 2;

/**
 * End-to-end suite against the real @kira/otel-core (http instrumentation, OTLP export to a
 * capture server) and a real @hono/node-server. Each mode runs in its own test file because the
 * SDK can be started once per process.
 * - `auto`: the http instrumentation owns the SERVER span; otelHono names it.
 * - `middleware`: `instrumentations.http.inbound: false`; otelHono opens the SERVER span.
 * - `default`: otel-core's defaults and `otelHono()` without options: the middleware claims the
 *   SERVER span and the http instrumentation's inbound side, already patched, steps aside.
 * - `inbound-on`: `instrumentations.http.inbound: true` (the option form of `KIRA_HTTP_INBOUND=on`) and
 *   `otelHono()` without options: the claim changes nothing, the instrumentation keeps the span.
 */
export function defineOtelCoreSuite(mode: 'auto' | 'middleware' | 'default' | 'inbound-on'): void {
  const instrumentationOwnsSpan = mode === 'auto' || mode === 'inbound-on';
  describe(`with @kira/otel-core (${mode} span ownership)`, () => {
    let capture: OtlpCaptureServer;
    let telemetry: TelemetryHandle;
    let closeServer: () => Promise<void>;
    let baseUrl: string;
    let seenByOnError: unknown;
    const thrown = new RangeError('quota exceeded');

    beforeAll(async () => {
      capture = await startOtlpCaptureServer();
      telemetry = startTelemetry({
        enabled: true,
        serviceName: `otel-hono-e2e-${mode}`,
        endpoint: capture.url,
        sampleRatio: 1,
        metricExportIntervalMillis: 60_000,
        shutdownOnExit: false,
        console: false,
        instrumentations: { http: mode === 'middleware' ? { inbound: false } : mode === 'inbound-on' ? { inbound: true } : {}, ioredis: false },
      });
      expect(telemetry.enabled).toBe(true);
      // This file imports node:http as ES module, which the instrumentation's require hook does not
      // see; one require after start lets it patch Server.prototype.emit (what `--import
      // @kira/otel-core/register` does through its loader hook in a real service).
      const http = createRequire(import.meta.url)('node:http') as typeof import('node:http');
      const inboundPatched = (): boolean => (http.Server.prototype.emit as { __wrapped?: boolean }).__wrapped === true;
      expect(inboundPatched()).toBe(mode !== 'middleware');
      const { createAdaptorServer } = await import('@hono/node-server');

      const users = new Hono();
      users.get('/users/:id', (c) => c.json({ id: c.req.param('id') }));
      const app = new Hono();
      app.use(mode === 'default' || mode === 'inbound-on' ? otelHono() : otelHono({ spanOwnership: mode }));
      // The hand-off: creating otelHono() with the defaults removed the instrumentation's patch.
      expect(inboundPatched()).toBe(instrumentationOwnsSpan);
      app.route('/v1', users);
      app.get('/boom', () => {
        throw thrown;
      });
      app.get('/stream/:id', (c) =>
        stream(c, async (body) => {
          await body.write('a');
          await body.sleep(50);
          await body.write('b');
        }),
      );
      app.get('/inner', (c) => {
        trace.getTracer('e2e').startSpan('inner work').end();
        return c.text('ok');
      });
      app.onError((error, c) => {
        seenByOnError = error;
        return c.text('failed', 500);
      });

      const server = createAdaptorServer({ fetch: app.fetch });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      baseUrl = `http://127.0.0.1:${(server as unknown as { address(): AddressInfo }).address().port}`;
      closeServer = () =>
        new Promise<void>((resolve) => {
          (server as { closeAllConnections?: () => void }).closeAllConnections?.();
          server.close(() => resolve());
        });
    });

    afterAll(async () => {
      await closeServer?.();
      await telemetry?.shutdown();
      await capture?.close();
    });

    function appServerSpans(): FlatSpan[] {
      return capture
        .spans()
        .filter((span) => span.kind === OTLP_SPAN_KIND_SERVER && !EXPORT_PATHS.has(String(span.attributes['url.path'])));
    }

    async function serverSpansAfter(requests: () => Promise<void>, expected: number): Promise<FlatSpan[]> {
      await telemetry.forceFlush();
      capture.reset();
      await requests();
      await waitUntil(
        async () => {
          await telemetry.forceFlush();
          return appServerSpans().length >= expected;
        },
        10_000,
        `${expected} exported SERVER span(s)`,
      );
      // A late duplicate would show up on the next flush; give it one.
      await telemetry.forceFlush();
      return appServerSpans();
    }

    const expectedScope = instrumentationOwnsSpan ? '@opentelemetry/instrumentation-http' : '@kira/otel-hono';

    it('exports exactly one SERVER span per request, named by route, for a sub-app and a 404', async () => {
      const spans = await serverSpansAfter(async () => {
        expect((await fetch(`${baseUrl}/v1/users/42`)).status).toBe(200);
        expect((await fetch(`${baseUrl}/.env`)).status).toBe(404);
      }, 2);
      expect(spans.map((span) => span.name).sort()).toEqual(['GET /v1/users/:id', 'GET unmatched']);
      expect(new Set(spans.map((span) => span.traceId)).size).toBe(2);
      const user = spans.find((span) => span.name === 'GET /v1/users/:id')!;
      expect(user.scope).toBe(expectedScope);
      expect(user.attributes).toMatchObject({
        'http.request.method': 'GET',
        'http.route': '/v1/users/:id',
        'url.path': '/v1/users/42',
        'http.response.status_code': 200,
        'server.address': '127.0.0.1',
        'http.method': 'GET',
        'http.status_code': 200,
        'http.url': `${baseUrl}/v1/users/42`,
      });
    });

    it('records a thrown error on the one SERVER span and onError receives the original error', async () => {
      const spans = await serverSpansAfter(async () => {
        expect((await fetch(`${baseUrl}/boom`)).status).toBe(500);
      }, 1);
      expect(seenByOnError).toBe(thrown);
      expect(spans).toHaveLength(1);
      const [span] = spans;
      expect(span!.name).toBe('GET /boom');
      expect(span!.status.code).toBe(OTLP_STATUS_ERROR);
      const exception = span!.events.find((event) => event.name === 'exception');
      expect(exception?.attributes['exception.type']).toBe('RangeError');
      expect(exception?.attributes['exception.message']).toBe('quota exceeded');
      // In auto mode the instrumentation overwrites error.type with the status code when the
      // response closes; our own span keeps the exception type.
      expect(span!.attributes['error.type']).toBe(instrumentationOwnsSpan ? '500' : 'RangeError');
    });

    it('keeps one SERVER span for a streamed response and ends it after the body', async () => {
      const spans = await serverSpansAfter(async () => {
        const response = await fetch(`${baseUrl}/stream/9`);
        expect(await response.text()).toBe('ab');
      }, 1);
      expect(spans).toHaveLength(1);
      expect(spans[0]!.name).toBe('GET /stream/:id');
      const durationMs = Number(BigInt(spans[0]!.endTimeUnixNano) - BigInt(spans[0]!.startTimeUnixNano)) / 1e6;
      expect(durationMs).toBeGreaterThanOrEqual(45);
    });

    it("continues the caller's W3C trace and parents the handler's spans", async () => {
      const traceId = '5b8efff798038103d269b633813fc60c';
      const parentSpanId = 'eee19b7ec3c1b174';
      // The caller is instrumented too (undici): its CLIENT span, child of the remote parent,
      // is what the traceparent header names.
      const caller = trace.setSpanContext(context.active(), {
        traceId,
        spanId: parentSpanId,
        traceFlags: TraceFlags.SAMPLED,
        isRemote: true,
      });
      const spans = await serverSpansAfter(
        () => context.with(caller, async () => void (await (await fetch(`${baseUrl}/inner`)).text())),
        1,
      );
      expect(spans).toHaveLength(1);
      expect(spans[0]!.traceId).toBe(traceId);
      const client = capture.spans().find((span) => span.kind === OTLP_SPAN_KIND_CLIENT && span.traceId === traceId);
      expect(client?.parentSpanId).toBe(parentSpanId);
      expect(spans[0]!.parentSpanId).toBe(client!.spanId);
      const inner = capture.spans().find((span) => span.name === 'inner work');
      expect(inner?.parentSpanId).toBe(spans[0]!.spanId);
    });

    it('exports http_request_duration_ms with route templates only, never raw paths', async () => {
      await telemetry.forceFlush();
      await waitUntil(
        () => capture.metrics().some((metric) => metric.name === 'http_request_duration_ms'),
        10_000,
        'http_request_duration_ms',
      );
      const metric = capture.metrics().filter((entry) => entry.name === 'http_request_duration_ms').at(-1)!;
      expect(metric.unit).toBe('ms');
      expect(metric.type).toBe('histogram');
      const routes = new Set(metric.points.map((point) => point.attributes.http_route));
      expect([...routes].sort()).toEqual(['/boom', '/inner', '/stream/:id', '/v1/users/:id', 'unmatched']);
      const boom = metric.points.find((point) => point.attributes.http_route === '/boom')!;
      expect(boom.attributes).toEqual({ http_method: 'GET', http_route: '/boom', http_status_code: 500 });
    });
  });
}
