import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { flattenLogs, flattenSpans, type OtlpCaptureServer, type SelfSignedCertificate, selfSignedCertificate, startOtlpCaptureServer, waitUntil } from '@kira/test-utils';
import { METRIC_HTTP_CLIENT_REQUEST_DURATION } from '@opentelemetry/semantic-conventions';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { packageDirectory, runFixture } from './fixtures/run-fixture';

// Every scenario runs in its own Node process against the built package (the SDK is
// process-global), exporting with the real OTLP exporters to a real capture server.

let capture: OtlpCaptureServer;
let target: Server;
let targetUrl: string;

// The fixtures run in the package directory, so their default service.version is this package's
// own, whatever `changeset version` has made it.
const packageVersion = (JSON.parse(readFileSync(join(packageDirectory, 'package.json'), 'utf8')) as { version: string }).version;

beforeAll(async () => {
  capture = await startOtlpCaptureServer();
  // An ordinary HTTP server for the fixtures' outbound fetch, separate from the collector.
  target = createServer((request, response) => {
    targetHeaders.set(request.url ?? '', request.headers);
    response.end('target');
  });
  await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', resolve));
  targetUrl = `http://127.0.0.1:${(target.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await capture.close();
  await new Promise((resolve) => target.close(resolve));
});

beforeEach(() => capture.reset());

/** The headers of each request the target server got, by path. */
const targetHeaders = new Map<string, IncomingHttpHeaders>();
const otlpRequests = () => capture.requests.filter((request) => request.signal !== undefined);
const kiraWarnings = (stderr: string) => stderr.split('\n').filter((line) => line.startsWith('@kira/otel-core:'));
/** The fixture's 'basic' scenario with telemetry on and `env`; it must exit cleanly. */
async function runBasic(env: Record<string, string>) {
  const run = runFixture('app.mjs', { args: ['basic'], env: { KIRA_TELEMETRY: 'on', ...env } });
  expect(await run.exited).toEqual({ code: 0, signal: null });
  return run;
}
const CONSOLE_LINE = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z (ERROR|WARN |INFO |DEBUG) \[fixture-logger\] /;

describe('startTelemetry exports', () => {
  it('sends traces, metrics and logs as protobuf to BetterStack with the Bearer token and the resource', async () => {
    const run = runFixture('app.mjs', {
      args: ['basic'],
      env: {
        NODE_ENV: 'production',
        // A scheme in BETTERSTACK_HOST is accepted, which lets the test point it at plain http.
        BETTERSTACK_HOST: capture.url,
        BETTERSTACK_TOKEN: 'secret-token',
        OTEL_TRACES_SAMPLER_ARG: '1',
        OTEL_SERVICE_NAME: 'fixture-service',
        OTEL_RESOURCE_ATTRIBUTES: 'service.namespace=kira',
        FIXTURE_FETCH_URL: `${targetUrl}/fetched`,
      },
    });
    expect(await run.exited).toEqual({ code: 0, signal: null });
    const { enabled, ids } = run.result();
    expect(enabled).toBe(true);
    expect(kiraWarnings(run.stderr())).toEqual([]);

    const requests = otlpRequests();
    expect(new Set(requests.map((request) => request.path))).toEqual(new Set(['/v1/traces', '/v1/metrics', '/v1/logs']));
    for (const request of requests) {
      expect(request.method).toBe('POST');
      expect(request.contentType).toBe('application/x-protobuf');
      expect(request.headers.authorization).toBe('Bearer secret-token');
      expect(request.decodeError).toBeUndefined();
    }

    const span = capture.spans().find((candidate) => candidate.name === 'fixture-span');
    expect(span?.spanId).toBe(ids.spanId);
    expect(span?.resource).toMatchObject({
      'service.name': 'fixture-service',
      'service.version': packageVersion,
      'deployment.environment.name': 'production',
      'service.namespace': 'kira',
      'telemetry.sdk.language': 'nodejs',
    });
    // Node's fetch, traced by the undici instrumentation as a child of the active span.
    const fetchSpan = capture.spans().find((candidate) => candidate.attributes['url.full'] === `${targetUrl}/fetched`);
    expect(fetchSpan).toMatchObject({ kind: 3, parentSpanId: ids.spanId, traceId: ids.traceId, scope: '@opentelemetry/instrumentation-undici' });
    expect(fetchSpan?.attributes['http.response.status_code']).toBe(200);

    const logs = capture.logs();
    const byBody = (body: string) => logs.find((record) => record.body === body);
    expect(byBody('inside span')).toMatchObject({
      severityNumber: 9,
      severityText: 'INFO',
      traceId: ids.traceId,
      spanId: ids.spanId,
      attributes: { 'user.id': 'u1' },
      scope: 'fixture-logger',
    });
    expect(byBody('error line')).toMatchObject({ severityNumber: 17, severityText: 'ERROR', attributes: { code: 7 } });
    expect(byBody('outside span')).toMatchObject({ severityNumber: 13, severityText: 'WARN' });
    expect(byBody('outside span')?.traceId ?? '').toBe('');
    expect(byBody('debug line')).toBeUndefined(); // dropped in production
    expect(byBody('inside span')?.resource['service.name']).toBe('fixture-service');

    const counter = capture.metrics().find((metric) => metric.name === 'fixture_counter');
    expect(counter).toMatchObject({ type: 'sum', unit: '1', resource: { 'service.name': 'fixture-service' } });
    expect(counter?.points[0]).toMatchObject({ value: 3, attributes: { kind: 'test' } });
  });

  it('instrumentations.undici.ignoreRequestHook leaves a fetch out: no span, no traceparent, no http.client.request.duration record', async () => {
    const run = runFixture('app.mjs', {
      args: ['ignored-fetch'],
      env: { KIRA_TELEMETRY: 'on', OTEL_EXPORTER_OTLP_ENDPOINT: capture.url, OTEL_TRACES_SAMPLER_ARG: '1', FIXTURE_FETCH_BASE: targetUrl },
    });
    expect(await run.exited).toEqual({ code: 0, signal: null });
    expect(run.result()).toEqual({ enabled: true });
    expect(targetHeaders.get('/ignored')).toBeDefined();
    expect(targetHeaders.get('/ignored')?.traceparent).toBeUndefined();
    expect(targetHeaders.get('/traced')?.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    const undiciSpans = capture.spans().filter((span) => span.scope === '@opentelemetry/instrumentation-undici');
    expect(undiciSpans.map((span) => span.attributes['url.full'])).toEqual([`${targetUrl}/traced`]);
    const durations = capture.metrics().filter((metric) => metric.name === METRIC_HTTP_CLIENT_REQUEST_DURATION);
    expect(durations.flatMap((metric) => metric.points).reduce((total, point) => total + (point.count ?? 0), 0)).toBe(1);
  });

  it('sends http/json to OTEL_EXPORTER_OTLP_ENDPOINT with OTEL_EXPORTER_OTLP_HEADERS, keeping debug outside production', async () => {
    const run = runFixture('app.mjs', {
      args: ['basic'],
      env: {
        NODE_ENV: 'development',
        KIRA_TELEMETRY: 'on',
        OTEL_EXPORTER_OTLP_ENDPOINT: capture.url,
        OTEL_EXPORTER_OTLP_HEADERS: 'x-kira-key=abc%20def',
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
        OTEL_TRACES_SAMPLER_ARG: '1',
      },
    });
    expect(await run.exited).toEqual({ code: 0, signal: null });
    const requests = otlpRequests();
    expect(new Set(requests.map((request) => request.path))).toEqual(new Set(['/v1/traces', '/v1/metrics', '/v1/logs']));
    for (const request of requests) {
      expect(request.contentType).toBe('application/json');
      expect(request.headers['x-kira-key']).toBe('abc def');
      expect(request.headers.authorization).toBeUndefined();
    }
    const span = capture.spans().find((candidate) => candidate.name === 'fixture-span');
    expect(span?.resource['service.name']).toBe('@kira/otel-core'); // nearest package.json
    expect(span?.resource['deployment.environment.name']).toBe('development');
    expect(capture.logs().find((record) => record.body === 'debug line')).toMatchObject({ severityNumber: 5, severityText: 'DEBUG' });
  });
});

describe('startTelemetry when off', () => {
  it('sends nothing in development and prints readable lines instead', async () => {
    const run = runFixture('app.mjs', {
      args: ['basic'],
      env: { NODE_ENV: 'development', OTEL_EXPORTER_OTLP_ENDPOINT: capture.url, FIXTURE_FETCH_URL: `${targetUrl}/fetched` },
    });
    expect(await run.exited).toEqual({ code: 0, signal: null });
    const { enabled, frozen, ids, listenersWhileRunning } = run.result();
    expect({ enabled, frozen }).toEqual({ enabled: false, frozen: true });
    // No SDK objects: the global tracer is still the API's no-op, and no exit listeners exist.
    expect(ids.sampled).toBe(false);
    expect(ids.traceId).toBe('0'.repeat(32));
    expect(listenersWhileRunning).toEqual([0, 0, 0]);
    expect(capture.requests).toHaveLength(0);

    const stdout = run.stdout().split('\n').filter((line) => CONSOLE_LINE.test(line));
    const stderr = run.stderr().split('\n').filter((line) => CONSOLE_LINE.test(line));
    expect(stdout.map((line) => line.slice(25))).toEqual([
      'INFO  [fixture-logger] inside span {"user.id":"u1"}',
      'DEBUG [fixture-logger] debug line',
    ]);
    expect(stderr.map((line) => line.slice(25))).toEqual([
      'ERROR [fixture-logger] error line {"code":7}',
      'WARN  [fixture-logger] outside span',
    ]);
  });

  it('OTEL_SDK_DISABLED=true wins over KIRA_TELEMETRY=on: nothing sent, nothing printed', async () => {
    const run = runFixture('app.mjs', {
      args: ['basic'],
      env: { OTEL_SDK_DISABLED: 'true', KIRA_TELEMETRY: 'on', NODE_ENV: 'production', OTEL_EXPORTER_OTLP_ENDPOINT: capture.url },
    });
    expect(await run.exited).toEqual({ code: 0, signal: null });
    expect(run.result().enabled).toBe(false);
    expect(capture.requests).toHaveLength(0);
    expect(run.stdout().split('\n').filter((line) => CONSOLE_LINE.test(line))).toEqual([]);
    expect(run.stderr()).toBe('');
  });

  it('in production without a token prints one line naming BETTERSTACK_TOKEN and keeps the service running', async () => {
    const run = runFixture('app.mjs', {
      args: ['basic'],
      env: { NODE_ENV: 'production', BETTERSTACK_HOST: 'in-otel.logs.betterstack.com' },
    });
    expect(await run.exited).toEqual({ code: 0, signal: null });
    expect(run.result().enabled).toBe(false);
    const warnings = kiraWarnings(run.stderr());
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/telemetry is on but BETTERSTACK_TOKEN is not set;.*telemetry stays off/);
    expect(warnings[0]).not.toMatch(/BETTERSTACK_HOST is not set/);
    // Logs still reach the console rather than vanishing.
    expect(run.stderr()).toMatch(/ERROR \[fixture-logger\] error line/);
  });
});

describe('startTelemetry configuration problems', () => {
  it('a throwing instrumentation does not break start-up: one warning, everything else exports', async () => {
    const run = runFixture('app.mjs', {
      args: ['basic'],
      env: {
        KIRA_TELEMETRY: 'on',
        OTEL_EXPORTER_OTLP_ENDPOINT: capture.url,
        OTEL_TRACES_SAMPLER_ARG: '1',
        FIXTURE_BROKEN_INSTRUMENTATION: '1',
        FIXTURE_FETCH_URL: `${targetUrl}/fetched`,
      },
    });
    expect(await run.exited).toEqual({ code: 0, signal: null });
    expect(run.result().enabled).toBe(true);
    expect(kiraWarnings(run.stderr())).toEqual([expect.stringMatching(/instrumentation broken could not be enabled \(broken on purpose\); continuing without it/)]);
    expect(capture.spans().map((span) => span.name)).toContain('fixture-span');
    // The built-in instrumentations are unaffected.
    expect(capture.spans().some((span) => span.scope === '@opentelemetry/instrumentation-undici')).toBe(true);
  });

  it('warns once per bad env value (and per repeated start), falls back and still exports', async () => {
    const run = runFixture('app.mjs', {
      args: ['basic'],
      env: {
        KIRA_TELEMETRY: 'on',
        OTEL_EXPORTER_OTLP_ENDPOINT: capture.url,
        OTEL_SDK_DISABLED: 'yes',
        OTEL_TRACES_SAMPLER_ARG: 'lots',
        OTEL_METRIC_EXPORT_INTERVAL: '-1',
        OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
        OTEL_RESOURCE_ATTRIBUTES: 'broken,region=eu',
        OTEL_LOG_LEVEL: 'loud',
        FIXTURE_START_TWICE: '1',
      },
    });
    expect(await run.exited).toEqual({ code: 0, signal: null });
    expect(run.result().enabled).toBe(true);
    expect(run.stdout()).toContain('SAME_HANDLE');
    const warnings = kiraWarnings(run.stderr());
    expect(warnings).toEqual([
      expect.stringMatching(/OTEL_SDK_DISABLED="yes" is not "true" or "false"; treating it as false/),
      expect.stringMatching(/OTEL_LOG_LEVEL="loud" is not one of/),
      expect.stringMatching(/OTEL_EXPORTER_OTLP_PROTOCOL="grpc" is not supported .*using http\/protobuf/),
      expect.stringMatching(/OTEL_TRACES_SAMPLER_ARG="lots" is not a number between 0 and 1; using 0.1/),
      expect.stringMatching(/OTEL_METRIC_EXPORT_INTERVAL="-1" is not a positive number of milliseconds; using 30000/),
      expect.stringMatching(/OTEL_RESOURCE_ATTRIBUTES has malformed entries \(broken\)/),
      expect.stringMatching(/startTelemetry\(\) was called more than once; returning the first handle/),
    ]);
    // Fallbacks in effect: protobuf, and the good resource attribute kept.
    const requests = otlpRequests();
    expect(requests.length).toBeGreaterThan(0);
    expect(requests.every((request) => request.contentType === 'application/x-protobuf')).toBe(true);
    expect(capture.logs().find((record) => record.body === 'outside span')?.resource.region).toBe('eu');
  });
});

describe('sampling', () => {
  it('keeps 10% of 10,000 root spans within ±150 and follows a sampled or not-sampled remote parent', async () => {
    // Binomial(n = 10,000, p = 0.1): mean 1000, sd = sqrt(n·p·(1-p)) = 30. Trace ids are random,
    // so a correct sampler lands within ±5 sd = ±150 except with probability ~6e-7; a wrong
    // default ratio (1, 0.5, 0.01) lands far outside.
    const run = runFixture('app.mjs', { args: ['sampler'], env: { KIRA_TELEMETRY: 'on', OTEL_EXPORTER_OTLP_ENDPOINT: capture.url } });
    expect(await run.exited).toEqual({ code: 0, signal: null });
    const { sampledRoots, remoteSampled, remoteNotSampled } = run.result();
    expect(Math.abs(sampledRoots - 1000)).toBeLessThanOrEqual(150);
    expect(remoteSampled.sampled).toBe(true);
    expect(remoteNotSampled.sampled).toBe(false);
    // Exactly the sampled spans were exported, the remote-sampled child under its remote parent.
    const spans = capture.spans();
    expect(spans.filter((span) => span.name === 'root')).toHaveLength(sampledRoots);
    const children = spans.filter((span) => span.name === 'child');
    expect(children).toHaveLength(1);
    expect(children[0]).toMatchObject({ traceId: 'ab'.repeat(16), parentSpanId: 'cd'.repeat(8) });
  });

  it('OTEL_TRACES_SAMPLER_ARG=0 drops every root span but still keeps a sampled parent\'s child', async () => {
    const run = runFixture('app.mjs', {
      args: ['sampler'],
      env: { KIRA_TELEMETRY: 'on', OTEL_EXPORTER_OTLP_ENDPOINT: capture.url, OTEL_TRACES_SAMPLER_ARG: '0', FIXTURE_ROOTS: '1000' },
    });
    expect(await run.exited).toEqual({ code: 0, signal: null });
    expect(run.result()).toMatchObject({ sampledRoots: 0, remoteSampled: { sampled: true }, remoteNotSampled: { sampled: false } });
  });

  it('the sampleRatio option beats OTEL_TRACES_SAMPLER_ARG', async () => {
    const run = runFixture('app.mjs', {
      args: ['sampler'],
      env: {
        KIRA_TELEMETRY: 'on',
        OTEL_EXPORTER_OTLP_ENDPOINT: capture.url,
        OTEL_TRACES_SAMPLER_ARG: '0',
        FIXTURE_ROOTS: '200',
        FIXTURE_OPTIONS: JSON.stringify({ sampleRatio: 1 }),
      },
    });
    expect(await run.exited).toEqual({ code: 0, signal: null });
    expect(run.result().sampledRoots).toBe(200);
  });

  it("logSampling: 'trace' drops info/debug inside an unsampled trace but keeps warn and error", async () => {
    const run = runFixture('app.mjs', {
      args: ['basic'],
      env: {
        KIRA_TELEMETRY: 'on',
        OTEL_EXPORTER_OTLP_ENDPOINT: capture.url,
        FIXTURE_OPTIONS: JSON.stringify({ logSampling: 'trace', sampleRatio: 0 }),
      },
    });
    expect(await run.exited).toEqual({ code: 0, signal: null });
    expect(run.result().ids.sampled).toBe(false);
    const bodies = capture.logs().map((record) => record.body);
    expect(bodies).toContain('error line'); // inside the unsampled span, kept
    expect(bodies).toContain('outside span'); // no trace at all, kept
    expect(bodies).not.toContain('inside span');
    expect(bodies).not.toContain('debug line');
  });

  it('without logSampling every record inside an unsampled trace is kept', async () => {
    const run = runFixture('app.mjs', {
      args: ['basic'],
      env: { KIRA_TELEMETRY: 'on', OTEL_EXPORTER_OTLP_ENDPOINT: capture.url, FIXTURE_OPTIONS: JSON.stringify({ sampleRatio: 0 }) },
    });
    expect(await run.exited).toEqual({ code: 0, signal: null });
    expect(capture.logs().map((record) => record.body)).toEqual(expect.arrayContaining(['inside span', 'debug line', 'error line']));
  });
});

describe('batch processor and limit variables', () => {
  // Items per export request of one signal, in arrival order.
  const itemsPerRequest = (signal: 'traces' | 'logs') =>
    otlpRequests()
      .filter((request) => request.signal === signal)
      .map((request) => (signal === 'traces' ? flattenSpans(request.body) : flattenLogs(request.body)).length);

  it.each(['http/protobuf', 'http/json'])('%s: OTEL_BSP_MAX_EXPORT_BATCH_SIZE=10 sends 26 spans in requests of at most 10', async (protocol) => {
    // 25 sampled roots and the child of the sampled remote parent; the default batch would hold all 26.
    const run = runFixture('app.mjs', {
      args: ['sampler'],
      env: { KIRA_TELEMETRY: 'on', OTEL_EXPORTER_OTLP_ENDPOINT: capture.url, OTEL_EXPORTER_OTLP_PROTOCOL: protocol, OTEL_TRACES_SAMPLER_ARG: '1', FIXTURE_ROOTS: '25', OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '10' },
    });
    expect(await run.exited).toEqual({ code: 0, signal: null });
    expect(kiraWarnings(run.stderr())).toEqual([]);
    const sizes = itemsPerRequest('traces');
    expect(sizes.reduce((sum, size) => sum + size, 0)).toBe(26);
    expect(sizes.filter((size) => size > 10)).toEqual([]);
  });

  it('an invalid OTEL_BSP_MAX_EXPORT_BATCH_SIZE warns naming it, and the default batch of 512 applies', async () => {
    const run = runFixture('app.mjs', {
      args: ['sampler'],
      env: { KIRA_TELEMETRY: 'on', OTEL_EXPORTER_OTLP_ENDPOINT: capture.url, OTEL_TRACES_SAMPLER_ARG: '1', FIXTURE_ROOTS: '25', OTEL_BSP_MAX_EXPORT_BATCH_SIZE: 'ten' },
    });
    expect(await run.exited).toEqual({ code: 0, signal: null });
    expect(kiraWarnings(run.stderr())).toEqual(['@kira/otel-core: OTEL_BSP_MAX_EXPORT_BATCH_SIZE="ten" is not a positive integer; using 512']);
    expect(itemsPerRequest('traces')).toEqual([26]);
  });

  it.each(['http/protobuf', 'http/json'])('%s: OTEL_BSP_SCHEDULE_DELAY=50 ships an ended span while the process runs, with no flush', async (protocol) => {
    // The 'signals' scenario ends a span and then idles until a signal; nothing flushes before it.
    const run = runFixture('app.mjs', {
      args: ['signals'],
      env: { KIRA_TELEMETRY: 'on', OTEL_EXPORTER_OTLP_ENDPOINT: capture.url, OTEL_EXPORTER_OTLP_PROTOCOL: protocol, OTEL_TRACES_SAMPLER_ARG: '1', OTEL_METRIC_EXPORT_INTERVAL: '60000', OTEL_BSP_SCHEDULE_DELAY: '50' },
    });
    try {
      await run.waitForLine(/^READY$/);
      // Bounded below the default delay (5 s): with the variable ignored the span would still be waiting.
      await waitUntil(() => capture.spans().some((span) => span.name === 'pending-span'), 3000, 'pending-span at the capture server');
      expect(run.child.exitCode).toBeNull();
    } finally {
      run.child.kill('SIGTERM');
      await run.exited;
    }
  });

  it.each(['http/protobuf', 'http/json'])('%s: spans and log records dropped at a full queue are said once each on stderr, naming the variable', async (protocol) => {
    const run = runFixture('app.mjs', {
      args: ['burst'],
      env: {
        KIRA_TELEMETRY: 'on',
        OTEL_EXPORTER_OTLP_ENDPOINT: capture.url,
        OTEL_EXPORTER_OTLP_PROTOCOL: protocol,
        OTEL_TRACES_SAMPLER_ARG: '1',
        OTEL_BSP_MAX_QUEUE_SIZE: '4',
        OTEL_BLRP_MAX_QUEUE_SIZE: '4',
        FIXTURE_ITEMS: '50',
      },
    });
    expect(await run.exited).toEqual({ code: 0, signal: null });
    const dropped = kiraWarnings(run.stderr()).filter((line) => line.includes('export queue was full'));
    expect(dropped).toEqual([
      expect.stringMatching(/^@kira\/otel-core: dropped spans: their export queue was full \(OTEL_BSP_MAX_QUEUE_SIZE=4\)/),
      expect.stringMatching(/^@kira\/otel-core: dropped log records: their export queue was full \(OTEL_BLRP_MAX_QUEUE_SIZE=4\)/),
    ]);
    // Dropped indeed: fewer than the 50 of each arrived, and some did.
    const spans = capture.spans().filter((span) => span.name.startsWith('burst-')).length;
    const records = capture.logs().filter((record) => String(record.body).startsWith('burst-')).length;
    expect(spans).toBeGreaterThan(0);
    expect(spans).toBeLessThan(50);
    expect(records).toBeGreaterThan(0);
    expect(records).toBeLessThan(50);
  });

  it.each(['http/protobuf', 'http/json'])('%s: OTEL_BLRP_MAX_EXPORT_BATCH_SIZE=2 sends the 4 log records in requests of at most 2', async (protocol) => {
    const run = await runBasic({ OTEL_EXPORTER_OTLP_ENDPOINT: capture.url, OTEL_EXPORTER_OTLP_PROTOCOL: protocol, OTEL_BLRP_MAX_EXPORT_BATCH_SIZE: '2' });
    expect(kiraWarnings(run.stderr())).toEqual([]);
    expect(capture.logs().map((record) => record.body).sort()).toEqual(['debug line', 'error line', 'inside span', 'outside span']);
    expect(itemsPerRequest('logs').filter((size) => size > 2)).toEqual([]);
  });

  it('OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT truncates a long span attribute, over OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT', async () => {
    const fetchedUrl = `${targetUrl}/a-path-long-enough-to-be-truncated`;
    const run = await runBasic({
      OTEL_EXPORTER_OTLP_ENDPOINT: capture.url,
      OTEL_TRACES_SAMPLER_ARG: '1',
      FIXTURE_FETCH_URL: fetchedUrl,
      OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT: '20',
      OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT: '16',
      // Cut before redaction this would go out as https://user:sec…
      FIXTURE_SPAN_URL: 'https://user:secret-password@example.com/',
    });
    expect(kiraWarnings(run.stderr())).toEqual([]);
    const fetchSpan = capture.spans().find((span) => span.scope === '@opentelemetry/instrumentation-undici');
    expect(fetchSpan?.attributes['url.full']).toBe(fetchedUrl.slice(0, 16));
    expect(fetchSpan?.attributes['http.request.method']).toBe('GET');
    expect(capture.spans().find((span) => span.name === 'fixture-span')?.attributes['url.full']).toBe('https://REDACTED');
  });

  it('OTEL_LOGRECORD_ATTRIBUTE_COUNT_LIMIT=0 drops every log attribute, over OTEL_ATTRIBUTE_COUNT_LIMIT, which still limits spans', async () => {
    const run = await runBasic({
      OTEL_EXPORTER_OTLP_ENDPOINT: capture.url,
      OTEL_TRACES_SAMPLER_ARG: '1',
      FIXTURE_FETCH_URL: `${targetUrl}/attribute-count-limit`,
      OTEL_ATTRIBUTE_COUNT_LIMIT: '2',
      OTEL_LOGRECORD_ATTRIBUTE_COUNT_LIMIT: '0',
    });
    expect(kiraWarnings(run.stderr())).toEqual([]);
    const logs = capture.logs();
    expect(logs.find((record) => record.body === 'inside span')?.attributes).toEqual({});
    expect(logs.find((record) => record.body === 'error line')?.attributes).toEqual({});
    // The undici instrumentation sets more than two attributes on its span.
    const fetchSpan = capture.spans().find((span) => span.scope === '@opentelemetry/instrumentation-undici');
    expect(Object.keys(fetchSpan?.attributes ?? {})).toHaveLength(2);
  });
});

describe('per-signal endpoints', () => {
  let signalServers: Record<'traces' | 'metrics' | 'logs', OtlpCaptureServer>;
  beforeAll(async () => {
    const [traces, metrics, logs] = await Promise.all([startOtlpCaptureServer(), startOtlpCaptureServer(), startOtlpCaptureServer()]);
    signalServers = { traces, metrics, logs };
  });
  afterAll(async () => {
    await Promise.all(Object.values(signalServers).map((server) => server.close()));
  });
  beforeEach(() => {
    for (const server of Object.values(signalServers)) server.reset();
  });

  it.each(['http/protobuf', 'http/json'])('%s: each OTEL_EXPORTER_OTLP_<SIGNAL>_ENDPOINT gets only its signal, at the URL as given, with its headers', async (protocol) => {
    const run = await runBasic({
      OTEL_EXPORTER_OTLP_PROTOCOL: protocol,
      OTEL_TRACES_SAMPLER_ARG: '1',
      // The generic endpoint must lose to every signal variable.
      OTEL_EXPORTER_OTLP_ENDPOINT: capture.url,
      OTEL_EXPORTER_OTLP_HEADERS: 'x-shared=all,x-which=generic',
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${signalServers.traces.url}/t/v1/traces`,
      OTEL_EXPORTER_OTLP_TRACES_HEADERS: 'x-which=traces',
      OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: `${signalServers.metrics.url}/m/v1/metrics`,
      OTEL_EXPORTER_OTLP_METRICS_HEADERS: 'x-which=metrics',
      OTEL_EXPORTER_OTLP_LOGS_ENDPOINT: `${signalServers.logs.url}/l/v1/logs`,
      OTEL_EXPORTER_OTLP_LOGS_HEADERS: 'x-which=logs',
    });
    expect(kiraWarnings(run.stderr())).toEqual([]);
    expect(capture.requests).toHaveLength(0);
    const paths = { traces: '/t/v1/traces', metrics: '/m/v1/metrics', logs: '/l/v1/logs' };
    for (const [signal, server] of Object.entries(signalServers) as Array<[keyof typeof paths, OtlpCaptureServer]>) {
      expect(server.requests.length).toBeGreaterThan(0);
      for (const request of server.requests) {
        expect({ signal: request.signal, path: request.path, decodeError: request.decodeError }).toEqual({ signal, path: paths[signal], decodeError: undefined });
        expect(request.headers['x-which']).toBe(signal);
        expect(request.headers['x-shared']).toBe('all');
        expect(request.contentType).toBe(protocol === 'http/json' ? 'application/json' : 'application/x-protobuf');
      }
    }
    expect(signalServers.traces.spans().map((span) => span.name)).toContain('fixture-span');
    // Each URL as given is self-traffic for the http and undici instrumentations.
    expect(run.result().destinations).toEqual({ TRACES: true, METRICS: true, LOGS: true });
  });

  it.each(['http/protobuf', 'http/json'])('%s: OTEL_EXPORTER_OTLP_COMPRESSION=gzip compresses every signal, on both span paths', async (protocol) => {
    const run = await runBasic({ OTEL_EXPORTER_OTLP_PROTOCOL: protocol, OTEL_TRACES_SAMPLER_ARG: '1', OTEL_EXPORTER_OTLP_ENDPOINT: capture.url, OTEL_EXPORTER_OTLP_COMPRESSION: 'gzip' });
    expect(kiraWarnings(run.stderr())).toEqual([]);
    const requests = otlpRequests();
    expect(new Set(requests.map((request) => request.signal))).toEqual(new Set(['traces', 'metrics', 'logs']));
    for (const request of requests) {
      expect({ signal: request.signal, encoding: request.headers['content-encoding'], decodeError: request.decodeError }).toEqual({ signal: request.signal, encoding: 'gzip', decodeError: undefined });
    }
    expect(capture.spans().map((span) => span.name)).toContain('fixture-span');
  });

  it.each(['http/protobuf', 'http/json'])('%s: the BetterStack token never leaves BetterStack, and OTEL headers never reach it', async (protocol) => {
    const run = runFixture('app.mjs', {
      args: ['basic'],
      env: {
        NODE_ENV: 'production',
        OTEL_EXPORTER_OTLP_PROTOCOL: protocol,
        OTEL_TRACES_SAMPLER_ARG: '1',
        BETTERSTACK_HOST: capture.url,
        BETTERSTACK_TOKEN: 'secret-token',
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${signalServers.traces.url}/v1/traces`,
        OTEL_EXPORTER_OTLP_HEADERS: 'x-collector-key=k',
        OTEL_EXPORTER_OTLP_TRACES_HEADERS: 'x-traces-key=t',
        OTEL_EXPORTER_OTLP_LOGS_HEADERS: 'x-logs-key=l',
      },
    });
    expect(await run.exited).toEqual({ code: 0, signal: null });
    expect(kiraWarnings(run.stderr())).toEqual([
      expect.stringMatching(/OTEL_EXPORTER_OTLP_HEADERS, OTEL_EXPORTER_OTLP_LOGS_HEADERS are not sent to BetterStack \(metrics, logs/),
    ]);
    const traceRequests = signalServers.traces.requests;
    expect(traceRequests.length).toBeGreaterThan(0);
    for (const request of traceRequests) {
      expect(request.signal).toBe('traces');
      expect(request.headers.authorization).toBeUndefined();
      expect(request.headers['x-collector-key']).toBe('k');
      expect(request.headers['x-traces-key']).toBe('t');
    }
    const betterStackRequests = otlpRequests();
    expect(new Set(betterStackRequests.map((request) => request.path))).toEqual(new Set(['/v1/metrics', '/v1/logs']));
    for (const request of betterStackRequests) {
      expect(request.headers.authorization).toBe('Bearer secret-token');
      expect(Object.keys(request.headers).filter((name) => name.startsWith('x-'))).toEqual([]);
    }
  });

  it('a signal left without a destination keeps telemetry off with one line naming it', async () => {
    const run = runFixture('app.mjs', {
      args: ['basic'],
      env: { KIRA_TELEMETRY: 'on', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${signalServers.traces.url}/v1/traces`, OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: `${signalServers.metrics.url}/v1/metrics` },
    });
    expect(await run.exited).toEqual({ code: 0, signal: null });
    expect(run.result().enabled).toBe(false);
    expect(kiraWarnings(run.stderr())).toEqual([expect.stringMatching(/telemetry is on but logs has no destination .* - telemetry stays off$/)]);
    expect(signalServers.traces.requests).toHaveLength(0);
  });
});

describe('OTEL_EXPORTER_OTLP_CERTIFICATE and the other TLS variables', () => {
  // Two HTTPS receivers with certificates of their own: "BetterStack", trusted the way a public
  // CA is (NODE_EXTRA_CA_CERTS adds to Node's roots), and another collector with a private CA
  // that only OTEL_EXPORTER_OTLP_CERTIFICATE names.
  let directory: string;
  let betterStack: OtlpCaptureServer;
  let collector: OtlpCaptureServer;
  let betterStackCa: SelfSignedCertificate;
  let collectorCa: SelfSignedCertificate;
  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'kira-otel-tls-'));
    betterStackCa = selfSignedCertificate(directory, 'betterstack');
    collectorCa = selfSignedCertificate(directory, 'collector');
    betterStack = await startOtlpCaptureServer({ tls: betterStackCa });
    collector = await startOtlpCaptureServer({ tls: collectorCa });
  });
  afterAll(async () => {
    await Promise.all([betterStack.close(), collector.close()]);
    await rm(directory, { recursive: true, force: true });
  });
  beforeEach(() => {
    betterStack.reset();
    collector.reset();
  });

  it.each(['http/protobuf', 'http/json'])('%s: apply to the collector they are meant for, not to BetterStack, with one warning', async (protocol) => {
    const run = runFixture('app.mjs', {
      args: ['basic'],
      env: {
        NODE_ENV: 'production',
        NODE_EXTRA_CA_CERTS: betterStackCa.certPath,
        OTEL_EXPORTER_OTLP_PROTOCOL: protocol,
        OTEL_TRACES_SAMPLER_ARG: '1',
        BETTERSTACK_HOST: betterStack.url,
        BETTERSTACK_TOKEN: 'secret-token',
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${collector.url}/v1/traces`,
        OTEL_EXPORTER_OTLP_CERTIFICATE: collectorCa.certPath,
      },
    });
    expect(await run.exited).toEqual({ code: 0, signal: null });
    expect(kiraWarnings(run.stderr())).toEqual([
      expect.stringMatching(/OTEL_EXPORTER_OTLP_CERTIFICATE is not used for BetterStack \(metrics, logs go there with Node's default trusted certificates/),
    ]);
    // The collector's certificate is trusted only through the variable: traces arriving there
    // show it applies; metrics and logs arriving at BetterStack show it did not replace the roots there.
    expect(collector.spans().map((span) => span.name)).toContain('fixture-span');
    expect(new Set(collector.requests.map((request) => request.signal))).toEqual(new Set(['traces']));
    expect(new Set(betterStack.requests.map((request) => request.signal))).toEqual(new Set(['metrics', 'logs']));
    expect(betterStack.logs().length).toBeGreaterThan(0);
  });
});

describe('detected resource attributes', () => {
  const spanResource = () => capture.spans().find((span) => span.name === 'fixture-span')?.resource;

  it("carry what NodeSDK's detectors find, under the service's own attributes, and never the command line", async () => {
    const run = runFixture('app.mjs', {
      // A secret on the command line, as people pass them: process.command_args would carry it.
      args: ['basic', '--token=command-line-secret'],
      env: { KIRA_TELEMETRY: 'on', OTEL_EXPORTER_OTLP_ENDPOINT: capture.url, OTEL_TRACES_SAMPLER_ARG: '1', OTEL_RESOURCE_ATTRIBUTES: 'host.arch=overridden' },
    });
    expect(await run.exited).toEqual({ code: 0, signal: null });
    expect(kiraWarnings(run.stderr())).toEqual([]);
    const resource = spanResource();
    expect(resource).toMatchObject({
      'host.name': hostname(),
      'host.arch': 'overridden',
      'os.type': expect.any(String),
      'process.pid': run.child.pid,
      'process.runtime.name': 'nodejs',
      'process.executable.path': process.execPath,
      'service.instance.id': expect.stringMatching(/^[0-9a-f-]{36}$/),
    });
    expect(Object.keys(resource ?? {}).filter((key) => ['process.command_args', 'process.command_line', 'host.id'].includes(key))).toEqual([]);
    expect(JSON.stringify(otlpRequests().map((request) => request.rawBody.toString('latin1')))).not.toContain('command-line-secret');
  });

  it('OTEL_NODE_RESOURCE_DETECTORS picks detectors, none keeps only the service\'s attributes, and an unknown name warns', async () => {
    const onlyHost = await runBasic({ OTEL_EXPORTER_OTLP_ENDPOINT: capture.url, OTEL_TRACES_SAMPLER_ARG: '1', OTEL_NODE_RESOURCE_DETECTORS: 'host, Cloud' });
    expect(kiraWarnings(onlyHost.stderr())).toEqual([expect.stringMatching(/OTEL_NODE_RESOURCE_DETECTORS: cloud is not a resource detector/)]);
    const hostResource = spanResource() ?? {};
    expect(hostResource['host.name']).toBe(hostname());
    expect(Object.keys(hostResource).filter((key) => key.startsWith('process.') || key.startsWith('os.') || key === 'service.instance.id')).toEqual([]);

    capture.reset();
    const none = await runBasic({ OTEL_EXPORTER_OTLP_ENDPOINT: capture.url, OTEL_TRACES_SAMPLER_ARG: '1', OTEL_NODE_RESOURCE_DETECTORS: 'none', OTEL_RESOURCE_ATTRIBUTES: 'service.namespace=kira' });
    expect(kiraWarnings(none.stderr())).toEqual([]);
    // No NODE_ENV in the fixture's environment, so no deployment.environment.name either.
    expect(Object.keys(spanResource() ?? {}).sort()).toEqual(['service.name', 'service.namespace', 'service.version', 'telemetry.sdk.language', 'telemetry.sdk.name', 'telemetry.sdk.version']);
  });
});

describe('OTEL_TRACES_SAMPLER', () => {
  const sample = async (env: Record<string, string>) => {
    const run = runFixture('app.mjs', {
      args: ['sampler'],
      env: { KIRA_TELEMETRY: 'on', OTEL_EXPORTER_OTLP_ENDPOINT: capture.url, FIXTURE_ROOTS: '200', ...env },
    });
    expect(await run.exited).toEqual({ code: 0, signal: null });
    return { ...run.result(), warnings: kiraWarnings(run.stderr()) };
  };

  it('always_on records the child of an unsampled remote parent, and does not declare that it follows the parent', async () => {
    const result = await sample({ OTEL_TRACES_SAMPLER: 'always_on' });
    expect(result).toMatchObject({ sampledRoots: 200, remoteNotSampled: { sampled: true }, declared: { followsParent: false, ignoresAttributes: true }, warnings: [] });
    const children = capture.spans().filter((span) => span.name === 'child');
    expect(children).toHaveLength(2);
  });

  it('parentbased_always_off samples no root but follows a sampled parent, and keeps the declarations', async () => {
    const result = await sample({ OTEL_TRACES_SAMPLER: 'parentbased_always_off' });
    expect(result).toMatchObject({ sampledRoots: 0, remoteSampled: { sampled: true }, remoteNotSampled: { sampled: false }, declared: { followsParent: true, ignoresAttributes: true } });
  });

  it('parentbased_always_on (any case) samples every root, the ratio variable ignored with a warning', async () => {
    const result = await sample({ OTEL_TRACES_SAMPLER: 'ParentBased_Always_On', OTEL_TRACES_SAMPLER_ARG: '0' });
    expect(result).toMatchObject({ sampledRoots: 200, remoteNotSampled: { sampled: false } });
    expect(result.warnings).toEqual([expect.stringMatching(/OTEL_TRACES_SAMPLER="ParentBased_Always_On" takes no ratio; ignoring OTEL_TRACES_SAMPLER_ARG/)]);
  });

  it('always_off drops the child of a sampled parent', async () => {
    const result = await sample({ OTEL_TRACES_SAMPLER: 'always_off' });
    expect(result).toMatchObject({ sampledRoots: 0, remoteSampled: { sampled: false }, declared: { followsParent: false } });
    expect(capture.spans()).toHaveLength(0);
  });

  it('traceidratio applies the ratio to children of sampled and unsampled parents alike', async () => {
    // The remote parent's trace id (ab…) has words whose XOR is 0: sampled at any ratio above 0, whatever its flags.
    const result = await sample({ OTEL_TRACES_SAMPLER: 'traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.5' });
    expect(result).toMatchObject({ remoteNotSampled: { sampled: true }, declared: { followsParent: false } });
    expect(Math.abs(result.sampledRoots - 100)).toBeLessThanOrEqual(50);
  });

  it('an unsupported value warns naming it and the default sampler is used', async () => {
    const result = await sample({ OTEL_TRACES_SAMPLER: 'jaeger_remote', OTEL_TRACES_SAMPLER_ARG: '1' });
    expect(result.warnings).toEqual([expect.stringMatching(/OTEL_TRACES_SAMPLER="jaeger_remote" is not supported \(use one of .*\); using parentbased_traceidratio/)]);
    expect(result).toMatchObject({ sampledRoots: 200, remoteNotSampled: { sampled: false }, declared: { followsParent: true } });
  });
});

describe('OTEL_PROPAGATORS', () => {
  const fetchHeaders = async (propagators: string | undefined, path: string) => {
    const run = await runBasic({
      OTEL_EXPORTER_OTLP_ENDPOINT: capture.url,
      OTEL_TRACES_SAMPLER_ARG: '1',
      ...(propagators === undefined ? {} : { OTEL_PROPAGATORS: propagators }),
      FIXTURE_FETCH_URL: `${targetUrl}${path}`,
      FIXTURE_BAGGAGE: '1',
    });
    return { headers: targetHeaders.get(path), warnings: kiraWarnings(run.stderr()), traceId: run.result<{ ids: { traceId: string } }>().ids.traceId };
  };

  it('sends traceparent and baggage by default', async () => {
    const { headers, warnings, traceId } = await fetchHeaders(undefined, '/propagators-default');
    expect(warnings).toEqual([]);
    expect(headers?.traceparent).toContain(traceId);
    expect(headers?.baggage).toBe('tenant=kira');
  });

  it("registers the trace context propagator that trusts span contexts declared valid (otel-core's own), not the SDK's", async () => {
    // The sampler fixture injects a declared span context whose all-zero span id the SDK's
    // W3CTraceContextPropagator would refuse: only otel-core's TraceContextPropagator writes it.
    const injectDeclared = async (propagators: string | undefined) => {
      const run = runFixture('app.mjs', {
        args: ['sampler'],
        env: { KIRA_TELEMETRY: 'on', OTEL_EXPORTER_OTLP_ENDPOINT: capture.url, FIXTURE_ROOTS: '1', ...(propagators === undefined ? {} : { OTEL_PROPAGATORS: propagators }) },
      });
      expect(await run.exited).toEqual({ code: 0, signal: null });
      return run.result<{ declaredIdsTraceparent: string | null }>().declaredIdsTraceparent;
    };
    expect(await injectDeclared(undefined)).toBe(`00-${'ab'.repeat(16)}-${'0'.repeat(16)}-01`);
    expect(await injectDeclared('baggage')).toBeNull();
  });

  it('tracecontext alone sends no baggage, and none sends neither', async () => {
    const onlyTrace = await fetchHeaders('tracecontext', '/propagators-tracecontext');
    expect(onlyTrace.headers?.traceparent).toContain(onlyTrace.traceId);
    expect(onlyTrace.headers?.baggage).toBeUndefined();
    const none = await fetchHeaders('none', '/propagators-none');
    expect(none.headers).toBeDefined();
    expect(none.headers?.traceparent).toBeUndefined();
    expect(none.headers?.baggage).toBeUndefined();
  });

  it('warns about a propagator it does not ship and keeps the others', async () => {
    const { headers, warnings } = await fetchHeaders('b3,baggage', '/propagators-b3');
    expect(warnings).toEqual([expect.stringContaining('OTEL_PROPAGATORS: b3 is not supported')]);
    expect(headers?.traceparent).toBeUndefined();
    expect(headers?.baggage).toBe('tenant=kira');
  });
});

describe('OTEL_<SIGNAL>_EXPORTER', () => {

  it('none for logs and metrics: only traces are sent, and the span still arrives', async () => {
    const run = await runBasic({
      OTEL_EXPORTER_OTLP_ENDPOINT: capture.url,
      OTEL_TRACES_SAMPLER_ARG: '1',
      OTEL_LOGS_EXPORTER: 'none',
      OTEL_METRICS_EXPORTER: ' None ',
    });
    const { enabled, ids } = run.result<{ enabled: boolean; ids: { spanId: string } }>();
    expect(enabled).toBe(true);
    expect(kiraWarnings(run.stderr())).toEqual([]);
    // Telemetry is on: getLogger() prints no readable lines, even though its records go nowhere.
    expect(run.stdout().split('\n').filter((line) => CONSOLE_LINE.test(line))).toEqual([]);
    const requests = otlpRequests();
    expect(requests.length).toBeGreaterThan(0);
    expect(new Set(requests.map((request) => request.path))).toEqual(new Set(['/v1/traces']));
    expect(capture.spans().find((span) => span.name === 'fixture-span')?.spanId).toBe(ids.spanId);
  });

  it('none for traces needs no traces destination: telemetry is on, no span is sent, traceparent still goes out', async () => {
    const run = await runBasic({
      OTEL_TRACES_SAMPLER_ARG: '1',
      OTEL_TRACES_EXPORTER: 'none',
      OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: `${capture.url}/v1/metrics`,
      OTEL_EXPORTER_OTLP_LOGS_ENDPOINT: `${capture.url}/v1/logs`,
      FIXTURE_FETCH_URL: `${targetUrl}/exporters-traces-none`,
    });
    const { enabled, ids, destinations } = run.result<{ enabled: boolean; ids: { traceId: string; spanId: string; sampled: boolean }; destinations: unknown }>();
    expect(enabled).toBe(true);
    expect(kiraWarnings(run.stderr())).toEqual([]);
    // The span is sampled and recording, and the fetch carries it as the parent.
    expect(ids.sampled).toBe(true);
    const traceparent = String(targetHeaders.get('/exporters-traces-none')?.traceparent);
    expect(traceparent).toMatch(new RegExp(`^00-${ids.traceId}-[0-9a-f]{16}-01$`));
    const requests = otlpRequests();
    expect(new Set(requests.map((request) => request.path))).toEqual(new Set(['/v1/metrics', '/v1/logs']));
    expect(capture.spans()).toEqual([]);
    // The log inside the span still carries its trace context.
    expect(capture.logs().find((record) => record.body === 'inside span')).toMatchObject({ traceId: ids.traceId, spanId: ids.spanId });
    expect(destinations).toEqual({ METRICS: true, LOGS: true });
  });

  it('none for every signal: telemetry is on with no destination, nothing is sent, context still propagates', async () => {
    const run = await runBasic({
      OTEL_TRACES_EXPORTER: 'none',
      OTEL_METRICS_EXPORTER: 'none',
      OTEL_LOGS_EXPORTER: 'none',
      FIXTURE_FETCH_URL: `${targetUrl}/exporters-all-none`,
    });
    const { enabled, ids } = run.result<{ enabled: boolean; ids: { traceId: string } }>();
    expect(enabled).toBe(true);
    expect(kiraWarnings(run.stderr())).toEqual([]);
    expect(String(targetHeaders.get('/exporters-all-none')?.traceparent)).toContain(ids.traceId);
    expect(capture.requests).toHaveLength(0);
  });

  it('an unsupported exporter warns naming the variable and value, and otlp is used', async () => {
    const run = await runBasic({ OTEL_EXPORTER_OTLP_ENDPOINT: capture.url, OTEL_TRACES_SAMPLER_ARG: '1', OTEL_LOGS_EXPORTER: 'console' });
    expect(kiraWarnings(run.stderr())).toEqual(['@kira/otel-core: OTEL_LOGS_EXPORTER="console": console is not supported (use otlp or none); using otlp']);
    expect(new Set(otlpRequests().map((request) => request.path))).toEqual(new Set(['/v1/traces', '/v1/metrics', '/v1/logs']));
  });
});
