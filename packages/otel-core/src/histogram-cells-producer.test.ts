import { createKiraMetrics, recordHttpRequest } from '@kira/metrics';
import { tracedFetch } from '@kira/external-tracing';
import { type FlatMetricPoint, type OtlpCaptureServer, startOtlpCaptureServer } from '@kira/test-utils';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTelemetry } from './start-telemetry';
import type { TelemetryHandle } from './types';

let capture: OtlpCaptureServer;
let telemetry: TelemetryHandle;

beforeAll(async () => {
  capture = await startOtlpCaptureServer();
  telemetry = startTelemetry({
    enabled: true,
    serviceName: 'cells',
    endpoint: capture.url,
    console: false,
    shutdownOnExit: false,
    metricExportIntervalMillis: 60_000,
    instrumentations: { http: false, undici: false, ioredis: false },
  });
});

afterAll(async () => {
  await telemetry.shutdown();
  await capture.close();
});

// Durations on, between and past the bucket boundaries (1, 2, 5, … 10 000 ms), and a method in
// lower case, which the contract's method rule records as `_OTHER` (a series of its own).
const RECORDS = [
  { method: 'GET', route: '/users/:id', statusCode: 200, durationMs: 0.4 },
  { method: 'GET', route: '/users/:id', statusCode: 200, durationMs: 1 },
  { method: 'get', route: '/users/:id', statusCode: 200, durationMs: 1.5 },
  { method: 'GET', route: '/users/:id', statusCode: 200, durationMs: 5 },
  { method: 'GET', route: '/users/:id', statusCode: 200, durationMs: 25_000 },
  { method: 'POST', route: '/boom', statusCode: 500, durationMs: 12.25 },
  { method: 'POST', route: '/boom', statusCode: 500, durationMs: 0 },
  { method: 'BREW', route: 'unmatched', statusCode: 404, durationMs: 3 },
];

/**
 * The last export of `name` from `service` as the capture server decoded it, without the resource
 * and with each point reduced by `comparable`, sorted by attributes: what two exports of the same
 * records must share.
 */
function lastExport<T extends { attributes: Record<string, unknown> }>(name: string, service: string, comparable: (point: FlatMetricPoint) => T) {
  const metric = capture.metrics().filter((entry) => entry.name === name && entry.resource['service.name'] === service).at(-1);
  expect(metric, `${name} from ${service}`).toBeDefined();
  const { resource: _resource, points, ...rest } = metric!;
  return { ...rest, points: points.map(comparable).sort((a, b) => JSON.stringify(a.attributes).localeCompare(JSON.stringify(b.attributes))) };
}

describe('http_request_duration_ms through the cells producer', () => {
  it('exports exactly what the SDK instrument exports for the same records', async () => {
    // The SDK path: the same package and records on a MeterProvider whose reader takes no cells.
    const reference = new MeterProvider({
      resource: resourceFromAttributes({ 'service.name': 'reference' }),
      readers: [new PeriodicExportingMetricReader({ exporter: new OTLPMetricExporter({ url: `${capture.url}/v1/metrics` }), exportIntervalMillis: 60_000 })],
    });
    const referenceMetrics = createKiraMetrics({ meterProvider: reference });
    for (const record of RECORDS) {
      recordHttpRequest(record);
      referenceMetrics.recordHttpRequest(record);
    }
    await telemetry.forceFlush();
    await reference.forceFlush();
    await reference.shutdown();

    const exported = (service: string) =>
      lastExport('http_request_duration_ms', service, ({ startTimeUnixNano: _start, timeUnixNano: _time, ...point }) => point);
    const viaCells = exported('cells');
    expect(viaCells).toEqual(exported('reference'));
    expect(viaCells.points).toHaveLength(4);
    const users = viaCells.points.find((point) => point.attributes.http_route === '/users/:id' && point.attributes.http_method === 'GET')!;
    expect(users.count).toBe(4);
    expect(users.bucketCounts).toEqual([2, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
    const lowercase = viaCells.points.find((point) => point.attributes.http_method === '_OTHER')!;
    expect(lowercase.count).toBe(1);
    expect(users.max).toBe(25_000);
    // And it went through the cells, not the SDK instrument.
    const registry = (globalThis as Record<symbol, { byName: Map<string, { cells(): Iterable<{ count: number }> }> }>)[Symbol.for('@kira/histogram-cells')];
    const cells = [...registry!.byName.get('http_request_duration_ms')!.cells()];
    expect(cells.reduce((sum, cell) => sum + cell.count, 0)).toBe(RECORDS.length);
  });

  it('keeps counting cumulatively across exports, on the same series', async () => {
    recordHttpRequest({ method: 'GET', route: '/users/:id', statusCode: 200, durationMs: 2 });
    await telemetry.forceFlush();
    const latest = capture.metrics().filter((entry) => entry.name === 'http_request_duration_ms' && entry.resource['service.name'] === 'cells').at(-1)!;
    const isUsersGet = (point: (typeof latest.points)[number]) => point.attributes.http_route === '/users/:id' && point.attributes.http_method === 'GET';
    const users = latest.points.find(isUsersGet)!;
    expect(users.count).toBe(5);
    expect(users.sum).toBeCloseTo(0.4 + 1 + 5 + 25_000 + 2, 6);
    expect(latest.points.filter(isUsersGet)).toHaveLength(1);
  });
});

describe('external_request_duration_ms through the cells producer', () => {
  it('exports exactly what the SDK instrument exports for the same calls', async () => {
    const reference = new MeterProvider({
      resource: resourceFromAttributes({ 'service.name': 'reference-external' }),
      readers: [new PeriodicExportingMetricReader({ exporter: new OTLPMetricExporter({ url: `${capture.url}/v1/metrics` }), exportIntervalMillis: 60_000 })],
    });
    // Fixed outcomes without a network: what tracedFetch records depends only on the status or the failure.
    const answers = [200, 200, 404, 503, 'fail'] as const;
    const answer = (value: (typeof answers)[number]): typeof fetch =>
      () => (value === 'fail' ? Promise.reject(new TypeError('fetch failed')) : Promise.resolve(new Response(null, { status: value })));
    const calls = answers.flatMap((value) => [
      { value, options: { service: 'openai', operation: 'chat', fetch: answer(value) } },
      { value, options: { service: 'openai', operation: 'chat', fetch: answer(value), meterProvider: reference } },
    ]);
    for (const { options } of calls) await tracedFetch('http://127.0.0.1:9/v1', undefined, options).catch(() => undefined);
    await telemetry.forceFlush();
    await reference.forceFlush();
    await reference.shutdown();

    // Durations differ call by call; the series, counts and buckets' shape must not.
    const exported = (service: string) =>
      lastExport('external_request_duration_ms', service, (point) => ({
        attributes: point.attributes,
        count: point.count,
        buckets: point.bucketCounts?.length,
        bounds: point.explicitBounds,
      }));
    const viaCells = exported('cells');
    expect(viaCells).toEqual(exported('reference-external'));
    expect(viaCells.points.map((point) => [point.attributes.outcome, point.count])).toEqual([
      ['http_error', 2],
      ['network_error', 1],
      ['ok', 2],
    ]);
    const registry = (globalThis as Record<symbol, { byName: Map<string, { cells(): Iterable<{ count: number }> }> }>)[Symbol.for('@kira/histogram-cells')];
    const cells = [...registry!.byName.get('external_request_duration_ms')!.cells()];
    expect(cells.reduce((sum, cell) => sum + cell.count, 0)).toBe(answers.length);
  });
});
