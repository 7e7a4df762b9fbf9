import { metrics, type Attributes, type Histogram } from '@opentelemetry/api';
import { captureDiagWarnings, createTestSdk, type DiagWarnings, type TestSdk } from '@kira/test-utils';
import { INSTRUMENTATION_SCOPES } from '@kira/conventions';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createHttpRequestRecorder } from './create-http-request-recorder';
import { HTTP_DURATION_BUCKETS_MS, createKiraMetrics } from './index';

let sdk: TestSdk;
let warnings: DiagWarnings;

beforeEach(() => {
  sdk = createTestSdk();
  warnings = captureDiagWarnings(`${INSTRUMENTATION_SCOPES.metrics}:`);
});

afterEach(async () => {
  warnings.stop();
  await sdk.shutdown();
});

type Point = { attributes: Record<string, unknown>; value: { count: number; sum: number } };

async function httpPoints(): Promise<Point[]> {
  return ((await sdk.metric('http_request_duration_ms'))?.dataPoints ?? []) as unknown as Point[];
}

/** A real histogram that also remembers the attribute objects it was given. */
function spyingHistogram(): { histogram: Histogram; seen: Attributes[] } {
  const real = metrics.getMeter('recorder-test').createHistogram('recorder_test_ms');
  const seen: Attributes[] = [];
  return {
    seen,
    histogram: {
      record(value, attributes, ctx) {
        seen.push(attributes as Attributes);
        real.record(value, attributes, ctx);
      },
    },
  };
}

describe('createHttpRequestRecorder (KiraMetrics)', () => {
  it('records the same series as recordHttpRequest: method normalised, route template, status', async () => {
    const kiraMetrics = createKiraMetrics({ meterProvider: sdk.meterProvider });
    const record = kiraMetrics.createHttpRequestRecorder();
    record('GET', '/users/:id', 200, 3);
    record('GET', '/users/:id', 200, 7);
    record('BREW', '/pot', 418, 1);
    record('patch', '/pot', 418, 1); // case-sensitive, as semantic conventions say: _OTHER
    kiraMetrics.recordHttpRequest({ method: 'GET', route: '/users/:id', statusCode: 200, durationMs: 20 });

    const histogram = await sdk.metric('http_request_duration_ms');
    expect(histogram?.descriptor).toMatchObject({ name: 'http_request_duration_ms', unit: 'ms' });
    const points = await httpPoints();
    expect(points.map((point) => point.attributes)).toEqual(
      expect.arrayContaining([
        { http_method: 'GET', http_route: '/users/:id', http_status_code: 200 },
        { http_method: '_OTHER', http_route: '/pot', http_status_code: 418 },
      ]),
    );
    expect(points).toHaveLength(2);
    expect(points.find((point) => point.attributes['http_route'] === '/pot')?.value.count).toBe(2);
    const users = points.find((point) => point.attributes['http_route'] === '/users/:id');
    expect(users?.value.count).toBe(3);
    expect(users?.value.sum).toBe(30);
    expect((histogram?.dataPoints[0]?.value as { buckets: { boundaries: number[] } }).buckets.boundaries).toEqual([
      ...HTTP_DURATION_BUCKETS_MS,
    ]);
  });

  it('follows the global MeterProvider registered after the recorder was created', async () => {
    await sdk.shutdown();
    const record = createKiraMetrics().createHttpRequestRecorder();
    record('GET', '/early', 200, 1); // no SDK yet: a no-op, not an error
    sdk = createTestSdk();
    record('GET', '/late', 200, 2);
    const points = await httpPoints();
    expect(points.map((point) => point.attributes['http_route'])).toEqual(['/late']);
  });

  it('records nothing for invalid values and warns once', async () => {
    const record = createKiraMetrics({ meterProvider: sdk.meterProvider }).createHttpRequestRecorder();
    record('', '/a', 200, 1);
    record('GET', '', 200, 1);
    record('GET', '/a', 200.5, 1);
    record('GET', '/a', 200, Number.NaN);
    record('GET', '/a', 200, -1);
    record('GET', '/a', 200, Number.POSITIVE_INFINITY);
    record(undefined as never, undefined as never, undefined as never, undefined as never);
    expect(await sdk.metric('http_request_duration_ms')).toBeUndefined();
    expect(warnings.ours()).toHaveLength(1);

    // A combination that is cached stays valid only for valid durations.
    record('GET', '/a', 200, 1);
    record('GET', '/a', 200, -5);
    const [point] = await httpPoints();
    expect(point?.value.count).toBe(1);
  });
});

describe('createHttpRequestRecorder (internal cache)', () => {
  it('reuses one frozen attribute object per method + route + status', () => {
    const { histogram, seen } = spyingHistogram();
    const record = createHttpRequestRecorder(() => histogram, () => {});
    record('GET', '/users/:id', 200, 1);
    record('GET', '/users/:id', 200, 2);
    record('GET', '/users/:id', 404, 3);
    record('POST', '/users/:id', 200, 4);
    expect(seen).toHaveLength(4);
    expect(seen[1]).toBe(seen[0]);
    expect(seen[2]).not.toBe(seen[0]);
    expect(seen[3]).not.toBe(seen[0]);
    expect(Object.isFrozen(seen[0])).toBe(true);
    expect(seen[2]).toEqual({ http_method: 'GET', http_route: '/users/:id', http_status_code: 404 });
  });

  it('caps the cache: past the limit values are still recorded, with fresh objects', () => {
    const { histogram, seen } = spyingHistogram();
    const record = createHttpRequestRecorder(() => histogram, () => {}, 2);
    record('GET', '/a', 200, 1);
    record('GET', '/b', 200, 1);
    record('GET', '/c', 200, 1);
    record('GET', '/c', 200, 1);
    record('GET', '/a', 200, 1);
    expect(seen).toHaveLength(5);
    expect(seen[3]).not.toBe(seen[2]); // '/c' came after the cap: never cached
    expect(seen[3]).toEqual({ http_method: 'GET', http_route: '/c', http_status_code: 200 });
    expect(seen[4]).toBe(seen[0]); // cached ones stay cached
  });

  it('a throwing histogram is reported once and never reaches the caller', () => {
    const reported: string[] = [];
    const broken: Histogram = {
      record() {
        throw new Error('boom');
      },
    };
    const record = createHttpRequestRecorder(() => broken, (key) => reported.push(key));
    expect(() => {
      record('GET', '/a', 200, 1);
      record('GET', '/a', 200, 1);
    }).not.toThrow();
    expect(reported).toEqual(['recordHttpRequest-failed', 'recordHttpRequest-failed']);
  });
});
