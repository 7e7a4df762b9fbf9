import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type OtlpCaptureServer, startOtlpCaptureServer, startRedis } from '@kira/test-utils';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runFixture } from './fixtures/run-fixture';

// Real redis-server, real HTTP servers, real OTLP export; each app in its own Node process.

let capture: OtlpCaptureServer;
let redis: { url: string; stop(): Promise<void> };
let target: Server;
let targetUrl: string;

beforeAll(async () => {
  [capture, redis] = await Promise.all([startOtlpCaptureServer(), startRedis()]);
  target = createServer((_request, response) => response.end('target'));
  await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', resolve));
  targetUrl = `http://127.0.0.1:${(target.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await Promise.all([capture.close(), redis.stop(), new Promise((resolve) => target.close(resolve))]);
});

beforeEach(() => capture.reset());

const env = () => ({
  KIRA_TELEMETRY: 'on',
  OTEL_EXPORTER_OTLP_ENDPOINT: capture.url,
  OTEL_TRACES_SAMPLER_ARG: '1',
  FIXTURE_REDIS_URL: redis.url,
  FIXTURE_HTTP_URL: targetUrl,
});

const redisSpans = (job: string) => {
  const parent = capture.spans().find((span) => span.name === job);
  return capture
    .spans()
    .filter((span) => span.scope === '@opentelemetry/instrumentation-ioredis' && span.parentSpanId === parent?.spanId && parent !== undefined);
};

describe('instrumentations', () => {
  it('a CommonJS app gets ioredis spans against a real redis-server and undici spans for fetch', async () => {
    const run = runFixture('cjs-app.cjs', { env: env() });
    expect(await run.exited).toEqual({ code: 0, signal: null });
    expect(run.result()).toMatchObject({ enabled: true, value: 'value', fetched: 'target' });

    const spans = redisSpans('cjs-job');
    const set = spans.find((span) => span.name === 'set');
    expect(set).toMatchObject({ kind: 3, attributes: { 'db.system.name': 'redis', 'db.operation.name': 'set', 'server.address': '127.0.0.1' } });
    expect(set?.attributes['db.query.text']).toBe('set kira:otel-core:cjs [1 other arguments]'); // values are not recorded
    expect(spans.map((span) => span.name)).toContain('get');
    const fetchSpan = capture.spans().find((span) => span.attributes['url.full'] === `${targetUrl}/fetched`);
    expect(fetchSpan).toMatchObject({ kind: 3, scope: '@opentelemetry/instrumentation-undici', attributes: { 'http.request.method': 'GET' } });
  });

  it('an ES-module app started with --import @kira/otel-core/register gets ioredis, undici and http spans', async () => {
    const run = runFixture('esm-app.mjs', { nodeArgs: ['--import', '@kira/otel-core/register'], env: env() });
    expect(await run.exited).toEqual({ code: 0, signal: null });
    expect(run.result()).toEqual({ value: 'value', fetched: 'target', gotten: 'target' });
    expect(run.stderr()).toBe(''); // no loader warnings, no config warnings

    // Exported without an explicit flush: the app ran out of work and 'beforeExit' flushed.
    expect(redisSpans('esm-job').map((span) => span.name)).toEqual(expect.arrayContaining(['connect', 'set', 'get']));
    const urls = capture.spans().map((span) => `${span.scope} ${String(span.attributes['url.full'])}`);
    expect(urls).toContain(`@opentelemetry/instrumentation-undici ${targetUrl}/fetched`);
    // `import { get } from 'node:http'` is patched because the hook includes http.
    expect(urls).toContain(`@opentelemetry/instrumentation-http ${targetUrl}/http-get`);
  });

  it('a CommonJS app can preload it with --require @kira/otel-core/register (one SDK, no loader-thread duplicate)', async () => {
    const run = runFixture('cjs-app.cjs', { nodeArgs: ['--require', '@kira/otel-core/register'], env: env() });
    expect(await run.exited).toEqual({ code: 0, signal: null });
    expect(run.result()).toMatchObject({ enabled: true, value: 'value' });
    // The app's own startTelemetry() gets the preloaded handle; the hooks thread started nothing.
    expect(run.stderr().trim().split('\n')).toEqual([expect.stringMatching(/^@kira\/otel-core: startTelemetry\(\) was called more than once/)]);
    expect(redisSpans('cjs-job').map((span) => span.name)).toEqual(expect.arrayContaining(['set', 'get']));
  });

  it('negative control: the same ES-module app without the loader hook gets no ioredis spans', async () => {
    const run = runFixture('esm-app.mjs', { nodeArgs: ['--import', './src/fixtures/start-without-hook.mjs'], env: env() });
    expect(await run.exited).toEqual({ code: 0, signal: null });
    expect(run.result().value).toBe('value');
    // Telemetry is on (the job span and the diagnostics-channel-based fetch span arrive)...
    expect(capture.spans().map((span) => span.name)).toContain('esm-job');
    expect(capture.spans().some((span) => span.attributes['url.full'] === `${targetUrl}/fetched`)).toBe(true);
    // ...but ioredis was never patched: this is what the register entry fixes.
    expect(capture.spans().filter((span) => span.scope === '@opentelemetry/instrumentation-ioredis')).toEqual([]);
  });

  it('http: inbound SERVER and outbound CLIENT spans by default', async () => {
    const run = runFixture('app.mjs', { args: ['http'], env: env() });
    expect(await run.exited).toEqual({ code: 0, signal: null });
    const http = capture.spans().filter((span) => span.scope === '@opentelemetry/instrumentation-http');
    expect(http.map((span) => span.kind).sort()).toEqual([2, 3]); // SERVER, CLIENT
    const server = http.find((span) => span.kind === 2);
    const client = http.find((span) => span.kind === 3);
    expect(server?.parentSpanId).toBe(client?.spanId); // traceparent propagated by the W3C propagator
  });

  it('http: { inbound: false } removes only the SERVER span', async () => {
    const run = runFixture('app.mjs', {
      args: ['http'],
      env: { ...env(), FIXTURE_OPTIONS: JSON.stringify({ instrumentations: { http: { inbound: false } } }) },
    });
    expect(await run.exited).toEqual({ code: 0, signal: null });
    const http = capture.spans().filter((span) => span.scope === '@opentelemetry/instrumentation-http');
    expect(http.map((span) => span.kind)).toEqual([3]);
  });

  it('the http and undici instrumentations\' request durations are kept as cells and exported as the same histograms', async () => {
    const run = runFixture('app.mjs', { args: ['request-durations'], env: env() });
    expect(await run.exited).toEqual({ code: 0, signal: null });
    const { base, cells } = run.result<{ base: string; cells: Array<{ scope: string; name: string; count: number }> }>();
    const durations = (scope: string, name: string) => {
      const exported = capture.metrics().filter((metric) => metric.scope === scope && metric.name === name);
      expect(exported, `${scope} ${name}`).toHaveLength(1);
      return exported[0]!;
    };
    const http = '@opentelemetry/instrumentation-http';
    const undici = '@opentelemetry/instrumentation-undici';
    // Recorded into cells, not the SDK's instruments: one record per request.
    expect(cells.filter((metric) => metric.scope !== '@kira/metrics').sort((a, b) => `${a.scope}${a.name}`.localeCompare(`${b.scope}${b.name}`))).toEqual([
      { scope: http, name: 'http.client.request.duration', count: 1 },
      { scope: http, name: 'http.server.request.duration', count: 4 },
      { scope: undici, name: 'http.client.request.duration', count: 4 },
    ]);
    const port = Number(new URL(base).port);
    const fetched = durations(undici, 'http.client.request.duration');
    expect(fetched).toMatchObject({ type: 'histogram', unit: 's', aggregationTemporality: 2 });
    const byStatus = fetched.points.map((point) => [point.attributes['http.response.status_code'] ?? point.attributes['error.type'], point.count]);
    expect(byStatus.sort()).toEqual([[200, 2], [404, 1], ['ECONNREFUSED', 1]]);
    const ok = fetched.points.find((point) => point.attributes['http.response.status_code'] === 200)!;
    expect(ok.attributes).toMatchObject({ 'http.request.method': 'GET', 'server.address': '127.0.0.1', 'server.port': port, 'url.scheme': 'http' });
    // The advice's buckets: ascending, one more count than bounds, every record in one of them.
    expect(ok.explicitBounds!.length).toBeGreaterThan(1);
    expect([...ok.explicitBounds!].sort((a, b) => a - b)).toEqual(ok.explicitBounds);
    expect(ok.bucketCounts).toHaveLength(ok.explicitBounds!.length + 1);
    expect(ok.bucketCounts!.reduce((sum, count) => sum + count, 0)).toBe(2);
    expect(ok.sum).toBeGreaterThan(0);
    const served = durations(http, 'http.server.request.duration');
    expect(served.unit).toBe('s');
    expect(served.points.reduce((sum, point) => sum + (point.count ?? 0), 0)).toBe(4);
    expect(durations(http, 'http.client.request.duration').points.map((point) => point.count)).toEqual([1]);
  });

  it('each instrumentation can be turned off', async () => {
    const run = runFixture('cjs-app.cjs', {
      env: { ...env(), FIXTURE_OPTIONS: JSON.stringify({ instrumentations: { ioredis: false, undici: false } }) },
    });
    expect(await run.exited).toEqual({ code: 0, signal: null });
    expect(capture.spans().map((span) => span.name)).toEqual(['cjs-job']);
  });
});
