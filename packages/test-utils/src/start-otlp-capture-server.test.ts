import { mkdtemp, rm } from 'node:fs/promises';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SeverityNumber, SpanKind, SpanStatusCode, context, trace } from '@opentelemetry/api';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { OTLPLogExporter as OTLPLogExporterHttp } from '@opentelemetry/exporter-logs-otlp-http';
import { OTLPLogExporter as OTLPLogExporterProto } from '@opentelemetry/exporter-logs-otlp-proto';
import { OTLPMetricExporter as OTLPMetricExporterHttp } from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPMetricExporter as OTLPMetricExporterProto } from '@opentelemetry/exporter-metrics-otlp-proto';
import { OTLPTraceExporter as OTLPTraceExporterHttp } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as OTLPTraceExporterProto } from '@opentelemetry/exporter-trace-otlp-proto';
import { MeterProvider, PeriodicExportingMetricReader, type PushMetricExporter } from '@opentelemetry/sdk-metrics';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createTestSdk } from './create-test-sdk';
import { decodeOtlpRequest, OtlpDecodeError, otlpTypes } from '@kira/telemetry-wire';
import { selfSignedCertificate } from './self-signed-certificate';
import { startOtlpCaptureServer } from './start-otlp-capture-server';
import type { OtlpCaptureServer, TestSdk } from './types';

type Exporter<T> = { export(items: T, done: (result: ExportResult) => void): void; shutdown(): Promise<void> };

function exportOnce<T>(exporter: Exporter<T>, items: T): Promise<ExportResult> {
  return new Promise((resolve) => exporter.export(items, resolve));
}

const protocols = [
  {
    name: 'http/protobuf',
    contentType: 'application/x-protobuf',
    trace: (url: string, gzip = false) => new OTLPTraceExporterProto({ url: `${url}/v1/traces`, compression: (gzip ? 'gzip' : 'none') as any }),
    logs: (url: string) => new OTLPLogExporterProto({ url: `${url}/v1/logs` }),
    metrics: (url: string) => new OTLPMetricExporterProto({ url: `${url}/v1/metrics` }),
  },
  {
    name: 'http/json',
    contentType: 'application/json',
    trace: (url: string, gzip = false) => new OTLPTraceExporterHttp({ url: `${url}/v1/traces`, compression: (gzip ? 'gzip' : 'none') as any }),
    logs: (url: string) => new OTLPLogExporterHttp({ url: `${url}/v1/logs` }),
    metrics: (url: string) => new OTLPMetricExporterHttp({ url: `${url}/v1/metrics` }),
  },
] as const;

let server: OtlpCaptureServer;
let sdk: TestSdk;
beforeAll(async () => {
  server = await startOtlpCaptureServer();
});
afterAll(async () => {
  await server.close();
});
afterEach(async () => {
  server.reset();
  await sdk?.shutdown();
});

function makeSpans(): void {
  const tracer = sdk.tracerProvider.getTracer('kira-test-scope', '1.2.3');
  const parent = tracer.startSpan('GET /users/:id', { kind: SpanKind.SERVER, attributes: { 'http.route': '/users/:id', 'http.response.status_code': 500, ratio: 0.5, cached: false, tags: ['a', 'b'] } });
  // registerGlobal: false leaves no context manager, so the parent is passed explicitly.
  const child = tracer.startSpan('byteplus seedream_edit', { kind: SpanKind.CLIENT }, trace.setSpan(context.active(), parent));
  child.addEvent('retry', { attempt: 2 });
  child.setStatus({ code: SpanStatusCode.ERROR, message: 'upstream 503' });
  child.end();
  parent.end();
}

describe.each(protocols)('real $name exporters against the capture server', (protocol) => {
  it('round-trips span names, kinds, attributes, events, status and ids', async () => {
    sdk = createTestSdk({ registerGlobal: false, resourceAttributes: { 'service.name': 'kira-be' } });
    makeSpans();
    const exporter = protocol.trace(server.url);
    const result = await exportOnce(exporter, sdk.spans());
    await exporter.shutdown();
    expect(result.code).toBe(ExportResultCode.SUCCESS);

    const [request] = server.requests;
    expect(request?.signal).toBe('traces');
    expect(request?.contentType).toContain(protocol.contentType);
    expect(request?.decodeError).toBeUndefined();

    const spans = server.spans();
    const parent = spans.find((span) => span.name === 'GET /users/:id')!;
    const child = spans.find((span) => span.name === 'byteplus seedream_edit')!;
    const original = sdk.spanByName('GET /users/:id')!;
    expect(parent.traceId).toBe(original.spanContext().traceId);
    expect(parent.spanId).toBe(original.spanContext().spanId);
    expect(parent.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(parent.parentSpanId).toBeUndefined();
    expect(child.parentSpanId).toBe(parent.spanId);
    expect(parent.kind).toBe(2);
    expect(child.kind).toBe(3);
    expect(parent.scope).toBe('kira-test-scope');
    expect(parent.resource['service.name']).toBe('kira-be');
    expect(parent.attributes).toEqual({ 'http.route': '/users/:id', 'http.response.status_code': 500, ratio: 0.5, cached: false, tags: ['a', 'b'] });
    expect(child.status).toEqual({ code: 2, message: 'upstream 503' });
    expect(child.events).toEqual([{ name: 'retry', attributes: { attempt: 2 } }]);
    expect(BigInt(parent.endTimeUnixNano)).toBeGreaterThanOrEqual(BigInt(parent.startTimeUnixNano));
    expect(parent.startTimeUnixNano).toMatch(/^\d{19}$/);
  });

  it('accepts gzip bodies', async () => {
    sdk = createTestSdk({ registerGlobal: false });
    makeSpans();
    const exporter = protocol.trace(server.url, true);
    expect((await exportOnce(exporter, sdk.spans())).code).toBe(ExportResultCode.SUCCESS);
    await exporter.shutdown();
    expect(server.requests[0]?.headers['content-encoding']).toBe('gzip');
    expect(server.spans().map((span) => span.name).sort()).toEqual(['GET /users/:id', 'byteplus seedream_edit']);
  });

  it('round-trips log records with severity, body, attributes and trace context', async () => {
    sdk = createTestSdk({ registerGlobal: false });
    const span = sdk.tracerProvider.getTracer('t').startSpan('op');
    context.with(trace.setSpan(context.active(), span), () => {
      sdk.loggerProvider.getLogger('kira-logger').emit({
        severityNumber: SeverityNumber.ERROR,
        severityText: 'error',
        body: 'AI tool executed: edit',
        attributes: { 'ai.tool.name': 'edit', 'duration.ms': 1234 },
        context: trace.setSpan(context.active(), span),
      });
    });
    span.end();
    const exporter = protocol.logs(server.url);
    expect((await exportOnce(exporter, sdk.logs())).code).toBe(ExportResultCode.SUCCESS);
    await exporter.shutdown();
    const [record] = server.logs();
    expect(record).toMatchObject({
      scope: 'kira-logger',
      severityNumber: 17,
      severityText: 'error',
      body: 'AI tool executed: edit',
      attributes: { 'ai.tool.name': 'edit', 'duration.ms': 1234 },
      traceId: span.spanContext().traceId,
      spanId: span.spanContext().spanId,
    });
    expect(record?.timeUnixNano).toMatch(/^\d{19}$/);
  });

  it('round-trips a counter and a histogram', async () => {
    const exporter = protocol.metrics(server.url) as unknown as PushMetricExporter;
    const meterProvider = new MeterProvider({
      resource: resourceFromAttributes({ 'service.name': 'kira-be' }),
      readers: [new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 60_000 })],
    });
    const meter = meterProvider.getMeter('kira-metrics');
    meter.createCounter('ai_tool_executions', { unit: '1' }).add(3, { tool_name: 'edit', success: 'true' });
    meter.createHistogram('http_request_duration_ms', { unit: 'ms', advice: { explicitBucketBoundaries: [10, 100, 1000] } }).record(42, { http_route: '/users/:id' });
    await meterProvider.forceFlush();
    await meterProvider.shutdown();
    await server.waitFor((request) => request.signal === 'metrics');

    const metrics = server.metrics();
    const counter = metrics.find((metric) => metric.name === 'ai_tool_executions')!;
    expect(counter).toMatchObject({ type: 'sum', unit: '1', isMonotonic: true, aggregationTemporality: 2, scope: 'kira-metrics' });
    expect(counter.points[0]).toMatchObject({ value: 3, attributes: { tool_name: 'edit', success: 'true' } });
    const histogram = metrics.find((metric) => metric.name === 'http_request_duration_ms')!;
    expect(histogram.type).toBe('histogram');
    expect(histogram.points[0]).toMatchObject({ count: 1, sum: 42, explicitBounds: [10, 100, 1000], bucketCounts: [0, 1, 0, 0], attributes: { http_route: '/users/:id' } });
  });
});

describe('capture server behaviour', () => {
  it('answers with the respond() override', async () => {
    const failing = await startOtlpCaptureServer({ respond: () => ({ status: 400, body: 'nope' }) });
    try {
      sdk = createTestSdk({ registerGlobal: false });
      makeSpans();
      const exporter = new OTLPTraceExporterProto({ url: `${failing.url}/v1/traces` });
      const result = await exportOnce(exporter, sdk.spans());
      await exporter.shutdown();
      expect(result.code).toBe(ExportResultCode.FAILED);
      expect(failing.requests).toHaveLength(1);
    } finally {
      await failing.close();
    }
  });

  it('answers 400 with a google.rpc.Status for an undecodable body and records it', async () => {
    const response = await fetch(`${server.url}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/x-protobuf' }, body: Buffer.from([0x0a, 0xff, 0xff, 0xff]) });
    expect(response.status).toBe(400);
    const status = otlpTypes().status.decode(Buffer.from(await response.arrayBuffer())) as any;
    expect(status.code).toBe(3);
    expect(server.requests[0]?.decodeError).toBeTruthy();
    expect(server.spans()).toEqual([]);
  });

  it('gives the numbers of enums an OTLP/JSON sender wrote by name, and answers 400 to a name the protos do not define', async () => {
    const post = (kind: string) =>
      fetch(`${server.url}/v1/traces`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: [{ name: kind, kind, status: { code: 'STATUS_CODE_ERROR' } }] }] }] }),
      });
    expect((await post('SPAN_KIND_SERVER')).status).toBe(200);
    expect((await post('SERVER')).status).toBe(400);
    expect(server.spans().map(({ name, kind, status }) => ({ name, kind, status }))).toEqual([{ name: 'SPAN_KIND_SERVER', kind: 2, status: { code: 2 } }]);
    expect(server.requests[1]?.decodeError).toMatch(/spans\[0\]\.kind: "SERVER" is no SpanKind/);
  });

  it('flattens what an OTLP/JSON sender wrote with the proto field names', async () => {
    const span = { trace_id: 'ab'.repeat(16), span_id: 'cd'.repeat(8), parent_span_id: 'ef'.repeat(8), name: 'snake', start_time_unix_nano: '1767225600000000000', attributes: [{ key: 'user_id', value: { int_value: '7' } }] };
    const response = await fetch(`${server.url}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ resource_spans: [{ scope_spans: [{ scope: { name: 'proto-names' }, spans: [span] }] }] }) });
    expect(response.status).toBe(200);
    expect(server.spans()).toMatchObject([{ scope: 'proto-names', traceId: 'ab'.repeat(16), spanId: 'cd'.repeat(8), parentSpanId: 'ef'.repeat(8), startTimeUnixNano: '1767225600000000000', attributes: { user_id: 7 } }]);
  });

  it('waitFor resolves on a later request and times out otherwise', async () => {
    const waiting = server.waitFor((request) => request.path === '/v1/logs', 5000);
    await fetch(`${server.url}/v1/logs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"resourceLogs":[]}' });
    expect((await waiting).signal).toBe('logs');
    await expect(server.waitFor(() => false, 50)).rejects.toThrow(/within 50 ms/);
  });
});

describe('decodeOtlpRequest', () => {
  it('rejects malformed bodies and unknown content types with OtlpDecodeError', () => {
    expect(() => decodeOtlpRequest('traces', Buffer.from('{"resourceSpans":'), 'application/json')).toThrow(OtlpDecodeError);
    expect(() => decodeOtlpRequest('logs', Buffer.from('[1]'), 'application/json')).toThrow(OtlpDecodeError);
    expect(() => decodeOtlpRequest('metrics', Buffer.from('{"resourceMetrics":{}}'), 'application/json')).toThrow(/must be an array/);
    expect(() => decodeOtlpRequest('traces', Buffer.from([0x0a, 0x05, 0x01]), 'application/x-protobuf')).toThrow(OtlpDecodeError);
    try {
      decodeOtlpRequest('traces', Buffer.from(''), 'text/plain');
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(OtlpDecodeError);
      expect((error as OtlpDecodeError).reason).toBe('unsupported-content-type');
    }
    expect(decodeOtlpRequest('traces', Buffer.alloc(0), 'application/x-protobuf; charset=binary')).toEqual({});
  });

  it('decodes a 1000-span protobuf request completely, in a measured time', async () => {
    sdk = createTestSdk({ registerGlobal: false });
    const tracer = sdk.tracerProvider.getTracer('bench');
    for (let index = 0; index < 1000; index++) {
      const span = tracer.startSpan(`GET /items/${index % 10}`, { kind: SpanKind.SERVER, attributes: { 'http.request.method': 'GET', 'http.route': '/items/:id', 'http.response.status_code': 200, 'url.path': `/items/${index}` } });
      span.addEvent('done', { index });
      span.end();
    }
    const exporter = new OTLPTraceExporterProto({ url: `${server.url}/v1/traces` });
    expect((await exportOnce(exporter, sdk.spans())).code).toBe(ExportResultCode.SUCCESS);
    await exporter.shutdown();
    const body = server.requests[0]!.rawBody;
    expect(server.spans()).toHaveLength(1000);

    for (let warmup = 0; warmup < 5; warmup++) decodeOtlpRequest('traces', body, 'application/x-protobuf');
    // The fastest of several rounds: other processes share the 2 cores, and contention only adds time.
    let perRequestMs = Number.POSITIVE_INFINITY;
    for (let round = 0; round < 20; round++) {
      const started = performance.now();
      decodeOtlpRequest('traces', body, 'application/x-protobuf');
      perRequestMs = Math.min(perRequestMs, performance.now() - started);
    }
    // Speed goals live in the collector's `pnpm bench` (ingest spans/s); a timed assertion here
    // would only measure how busy the machine is. The figure is printed for the record.
    console.log(`decodeOtlpRequest: 1000-span protobuf request (${body.length} bytes) in ${perRequestMs.toFixed(2)} ms (best of 20)`);
    const decoded: any = decodeOtlpRequest('traces', body, 'application/x-protobuf');
    const spans = decoded.resourceSpans[0].scopeSpans[0].spans as Array<{ name: string; attributes: unknown[] }>;
    expect(spans).toHaveLength(1000);
    expect(spans[999]!.name).toBe('GET /items/9');
    expect(spans[999]!.attributes).toHaveLength(4);
  });
});

describe('startOtlpCaptureServer with tls', () => {
  it('serves HTTPS with the given certificate: a client trusting it is answered, one that does not is refused', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'kira-capture-tls-'));
    const trusted = selfSignedCertificate(directory, 'trusted');
    const stranger = selfSignedCertificate(directory, 'stranger');
    const secure = await startOtlpCaptureServer({ tls: trusted });
    try {
      expect(secure.url).toBe(`https://127.0.0.1:${secure.port}`);
      const post = (ca: string) =>
        new Promise<number>((resolve, reject) => {
          const request = https.request(`${secure.url}/v1/traces`, { method: 'POST', ca, headers: { 'content-type': 'application/json' } }, (response) => {
            response.resume();
            resolve(response.statusCode ?? 0);
          });
          request.once('error', reject);
          request.end('{}');
        });
      expect(await post(trusted.cert)).toBe(200);
      expect(secure.requests).toHaveLength(1);
      await expect(post(stranger.cert)).rejects.toThrow(/self-signed certificate|unable to verify/i);
      expect(secure.requests).toHaveLength(1);
    } finally {
      await secure.close();
      await rm(directory, { recursive: true, force: true });
    }
  });
});
