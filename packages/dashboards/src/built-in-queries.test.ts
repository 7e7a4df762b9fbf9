import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtInAlerts } from './built-in-alerts';
import { builtInDashboards } from './built-in-dashboards';
import { LEGACY_METRICS_TABLE } from './legacy-table';
import { openQuerySession, type QuerySession } from './query-session';
import { renderAlertSql, renderPanelSql } from './render-sql';
import { expandQuery, type MetricPointInput } from './schema';
import type { Panel } from './types';

// Every built-in query runs against embedded ClickHouse (chdb) with the unified schema of
// schema.ts, seeded through its insert helper; the legacy per-metric-column table fills from the
// same points through its view. The expected numbers below are worked out by hand from the seed.

const MINUTE = 60_000;
const MIB = 1048576;
const B = Math.floor(Date.now() / MINUTE) * MINUTE - 60 * MINUTE;
const range = { startTime: new Date(B - MINUTE), endTime: new Date(B + 5 * MINUTE), intervalSeconds: 60 };
const LEGACY = LEGACY_METRICS_TABLE;

function seed(): MetricPointInput[] {
  const points: MetricPointInput[] = [];
  const a = { 'service.instance.id': 'a' };
  const b = { 'service.instance.id': 'b' };
  const startTime = B - MINUTE;
  for (let m = 0; m < 3; m++) {
    const t = B + m * MINUTE;
    const t30 = t + 30_000;
    points.push(
      { name: 'workers_utilization', kind: 'gauge', tags: a, time: t, value: 0.2 + 0.1 * m },
      { name: 'workers_utilization', kind: 'gauge', tags: a, time: t30, value: 0.4 + 0.1 * m },
      { name: 'workers_utilization', kind: 'gauge', tags: b, time: t, value: 0.6 + 0.1 * m },
      { name: 'workers_utilization', kind: 'gauge', tags: b, time: t30, value: 0.8 + 0.1 * m },
      { name: 'process_resident_memory_bytes', kind: 'gauge', tags: a, time: t, value: (1000 + 100 * m) * MIB },
      { name: 'process_resident_memory_bytes', kind: 'gauge', tags: a, time: t30, value: (1500 + 100 * m) * MIB },
      { name: 'process_resident_memory_bytes', kind: 'gauge', tags: b, time: t, value: (6000 + 100 * m) * MIB },
      { name: 'process_resident_memory_bytes', kind: 'gauge', tags: b, time: t30, value: 2000 * MIB },
      { name: 'vips_memory_bytes', kind: 'gauge', tags: a, time: t, value: 512 * (m + 1) * MIB },
      { name: 'vips_memory_bytes', kind: 'gauge', tags: b, time: t, value: 256 * MIB },
      { name: 'images_in_progress', kind: 'gauge', tags: a, time: t, value: 10 * m + 5 },
      { name: 'images_in_progress', kind: 'gauge', tags: b, time: t, value: 10 * m + 7 },
      { name: 'requests_in_progress', kind: 'gauge', tags: a, time: t, value: 3 },
      { name: 'requests_in_progress', kind: 'gauge', tags: b, time: t, value: 4 },
      { name: 'go_goroutines', kind: 'gauge', tags: a, time: t, value: 40 + m },
      { name: 'go_goroutines', kind: 'gauge', tags: b, time: t, value: 45 },
      { name: 'go_memstats_heap_inuse_bytes', kind: 'gauge', tags: a, time: t, value: (100 + m) * MIB },
      { name: 'go_memstats_heap_inuse_bytes', kind: 'gauge', tags: b, time: t, value: 50 * MIB },
    );
    // Cumulative counters: generate/true +60 per minute, generate/false +20, edit/true +30, 0, +60.
    const counter = (tool: string, success: string, value: number): MetricPointInput => ({
      name: 'ai_tool_executions',
      kind: 'sum',
      tags: { tool_name: tool, success },
      startTime,
      time: t,
      value,
    });
    points.push(counter('generate', 'true', 60 * (m + 1)), counter('generate', 'false', 20 * (m + 1)), counter('edit', 'true', [30, 30, 90][m] as number), counter('edit', 'false', 0));
    // Cumulative histogram: every minute generate adds [0, 10, 10, 0], edit adds [20, 0, 0, 0].
    const ai = (tool: string, perMinute: number[]): MetricPointInput => ({
      name: 'ai_tool_duration_ms',
      kind: 'histogram',
      tags: { tool_name: tool },
      startTime,
      time: t,
      bounds: [1000, 10000, 60000],
      bucketCounts: perMinute.map((count) => count * (m + 1)),
    });
    points.push(ai('generate', [0, 10, 10, 0]), ai('edit', [20, 0, 0, 0]));
    // Delta histograms, the same every minute.
    const http = (route: string, status: string, counts: number[]): MetricPointInput => ({
      name: 'http_request_duration_ms',
      kind: 'histogram',
      temporality: 'delta',
      tags: { http_method: 'GET', http_route: route, http_status_code: status },
      startTime: t - MINUTE,
      time: t,
      bounds: [10, 100, 1000],
      bucketCounts: counts,
    });
    points.push(http('/users/:id', '200', [10, 10, 0, 0]), http('/images', '200', [0, 5, 10, 0]), http('/images', '500', [0, 0, 4, 1]), http('/images', '404', [0, 5, 0, 0]));
    const external = (service: string, outcome: string, counts: number[]): MetricPointInput => ({
      name: 'external_request_duration_ms',
      kind: 'histogram',
      temporality: 'delta',
      tags: { external_service: service, external_operation: 'generate', outcome },
      startTime: t - MINUTE,
      time: t,
      bounds: [100, 1000, 10000],
      bucketCounts: counts,
    });
    points.push(external('byteplus', 'ok', [0, 8, 2, 0]), external('byteplus', 'http_error', [1, 1, 0, 0]), external('openai', 'ok', [5, 5, 0, 0]));

  }
  return points;
}

let session: QuerySession;

beforeAll(async () => {
  session = await openQuerySession();
  session.insertPoints(seed());
});

afterAll(() => {
  session?.close();
});

const minuteOf = (time: unknown) => (Date.parse(`${String(time).replace(' ', 'T')}Z`) - B) / MINUTE;

/** Runs a panel's unified SQL; returns `{ 'series@minute': value }` and checks the column types. */
function runPanel(dashboardId: string, panelId: string): Record<string, number> {
  const panel = builtInDashboards.find((d) => d.id === dashboardId)?.panels.find((p) => p.id === panelId) as Panel;
  const result = session.query(expandQuery(renderPanelSql(panel), range));
  expect(result.columns).toEqual([
    { name: 'time', type: "DateTime('UTC')" },
    { name: 'series', type: 'String' },
    { name: 'value', type: 'Float64' },
  ]);
  return Object.fromEntries(result.rows.map((row) => [`${String(row.series)}@${minuteOf(row.time)}`, row.value as number]));
}

function runAlert(id: string, dialect: 'unified' | 'legacy' = 'unified'): number[] {
  const alert = builtInAlerts.find((a) => a.id === id)!;
  const result = session.query(expandQuery(renderAlertSql(alert, { dialect }), { ...range, ...(dialect === 'legacy' ? { source: LEGACY } : {}) }));
  expect(result.columns.map((column) => `${column.name} ${column.type}`)).toEqual([expect.stringMatching(/^time DateTime/), 'value Float64']);
  expect(result.rows.map((row) => minuteOf(row.time))).toEqual([0, 1, 2]);
  return result.rows.map((row) => row.value as number);
}

function expectClose(actual: Record<string, number>, expected: Record<string, number>): void {
  expect(Object.keys(actual).sort()).toEqual(Object.keys(expected).sort());
  for (const [key, value] of Object.entries(expected)) expect(actual[key], key).toBeCloseTo(value, 6);
}

describe('kira-imgproxy dashboard on the unified schema', () => {
  it('worker utilization: average of all samples × 100', () => {
    expectClose(runPanel('kira-imgproxy', 'worker-utilization'), { 'utilization@0': 50, 'utilization@1': 60, 'utilization@2': 70 });
  });
  it('memory: max over instances, bytes → MiB', () => {
    expectClose(runPanel('kira-imgproxy', 'memory'), {
      'process_mb@0': 6000,
      'process_mb@1': 6100,
      'process_mb@2': 6200,
      'vips_mb@0': 512,
      'vips_mb@1': 1024,
      'vips_mb@2': 1536,
    });
  });
  it('images and requests in progress: max over instances', () => {
    expectClose(runPanel('kira-imgproxy', 'in-progress'), { 'images@0': 7, 'images@1': 17, 'images@2': 27, 'requests@0': 4, 'requests@1': 4, 'requests@2': 4 });
  });
});

describe('kira-be dashboard on the unified schema', () => {
  it('AI tool executions per minute by tool, from cumulative counters', () => {
    expectClose(runPanel('kira-be', 'ai-tool-executions'), { 'generate@0': 80, 'generate@1': 80, 'generate@2': 80, 'edit@0': 30, 'edit@1': 0, 'edit@2': 60 });
  });
  it('AI tool success rate by tool; a minute without executions has no point', () => {
    expectClose(runPanel('kira-be', 'ai-tool-success-rate'), { 'generate@0': 75, 'generate@1': 75, 'generate@2': 75, 'edit@0': 100, 'edit@2': 100 });
  });
  it('AI tool p50/p95 over all tools (Prometheus interpolation inside buckets)', () => {
    // per minute: [20, 10, 10, 0] over bounds 1000/10000/60000 — p50 rank 20 → 1000; p95 rank 38 → 10000 + 50000·8/10
    expectClose(runPanel('kira-be', 'ai-tool-duration'), { 'p50@0': 1000, 'p50@1': 1000, 'p50@2': 1000, 'p95@0': 50000, 'p95@1': 50000, 'p95@2': 50000 });
  });
  it('HTTP p95 by route', () => {
    // /users/:id [10,10,0,0]: rank 19 → 10 + 90·9/10 = 91; /images [0,10,14,1]: rank 23.75 → 100 + 900·13.75/14
    const images = 100 + (900 * 13.75) / 14;
    expectClose(runPanel('kira-be', 'http-p95-by-route'), {
      '/users/:id@0': 91,
      '/users/:id@1': 91,
      '/users/:id@2': 91,
      '/images@0': images,
      '/images@1': images,
      '/images@2': images,
    });
  });
  it('HTTP 5xx rate: 5 of 45 requests', () => {
    expectClose(runPanel('kira-be', 'http-5xx-rate'), { '5xx@0': 500 / 45, '5xx@1': 500 / 45, '5xx@2': 500 / 45 });
  });
  it('external provider p95 latency and error rate by service', () => {
    // byteplus [1,9,2,0]: rank 11.4 → 1000 + 9000·1.4/2 = 7300; openai [5,5,0,0]: rank 9.5 → 100 + 900·4.5/5 = 910
    expectClose(runPanel('kira-be', 'external-latency-by-service'), {
      'byteplus@0': 7300,
      'byteplus@1': 7300,
      'byteplus@2': 7300,
      'openai@0': 910,
      'openai@1': 910,
      'openai@2': 910,
    });
    expectClose(runPanel('kira-be', 'external-error-rate-by-service'), {
      'byteplus@0': 200 / 12,
      'byteplus@1': 200 / 12,
      'byteplus@2': 200 / 12,
      'openai@0': 0,
      'openai@1': 0,
      'openai@2': 0,
    });
  });
});

describe('alert queries on the unified schema', () => {
  const cases: Record<string, number[]> = {
    'imgproxy-workers-warning': [0.5, 0.6, 0.7],
    'imgproxy-workers-critical': [0.5, 0.6, 0.7],
    'imgproxy-memory-warning': [6000, 6100, 6200],
    'imgproxy-memory-critical': [6000, 6100, 6200],
    'imgproxy-images-warning': [7, 17, 27],
    'imgproxy-images-critical': [7, 17, 27],
    'imgproxy-goroutines-warning': [45, 45, 45],
    'imgproxy-goroutines-critical': [45, 45, 45],
    'imgproxy-heap-warning': [100, 101, 102],
    'imgproxy-heap-critical': [100, 101, 102],
    'kira-be-http-5xx-rate': [500 / 45, 500 / 45, 500 / 45],
    // all routes [10,20,14,1]: rank 42.75 → 100 + 900·12.75/14
    'kira-be-http-p95': [100 + (900 * 12.75) / 14, 100 + (900 * 12.75) / 14, 100 + (900 * 12.75) / 14],
    // (60 + 30) / (80 + 30), 60 / 80, (60 + 60) / (80 + 60)
    'kira-be-ai-tool-success-rate': [9000 / 110, 75, 12000 / 140],
    'kira-be-ai-tool-p95': [50000, 50000, 50000],
    'kira-be-external-error-rate': [200 / 22, 200 / 22, 200 / 22],
  };

  it('covers every built-in alert', () => {
    expect(Object.keys(cases).sort()).toEqual(builtInAlerts.map((alert) => alert.id).sort());
  });

  for (const [id, expected] of Object.entries(cases)) {
    it(`${id} returns the seeded per-minute values`, () => {
      const values = runAlert(id);
      expected.forEach((value, index) => expect(values[index]).toBeCloseTo(value, 6));
    });
  }
});

describe('legacy dialect on the legacy table fed from the same points', () => {
  it('runs the imgproxy panels in the team form and returns the wide per-metric columns', () => {
    const imgproxy = builtInDashboards.find((d) => d.id === 'kira-imgproxy')!;
    const results = Object.fromEntries(
      imgproxy.panels.map((panel) => {
        const result = session.query(expandQuery(renderPanelSql(panel, { dialect: 'legacy' }), { ...range, source: LEGACY }));
        return [panel.id, result];
      }),
    );
    expect(results['worker-utilization']?.columns.map((c) => c.name)).toEqual(['time', 'utilization']);
    expect(results['worker-utilization']?.rows.map((row) => [minuteOf(row.time), row.utilization])).toEqual([
      // avg over both instances and both samples of the minute: (0.2 + 0.4 + 0.6 + 0.8) / 4 + 0.1 m
      [0, expect.closeTo(50, 6)],
      [1, expect.closeTo(60, 6)],
      [2, expect.closeTo(70, 6)],
    ]);
    expect(results.memory?.rows.map((row) => [row.process_mb, row.vips_mb])).toEqual([
      [6000, 512],
      [6100, 1024],
      [6200, 1536],
    ]);
    expect(results['in-progress']?.rows.map((row) => [row.images, row.requests])).toEqual([
      [7, 4],
      [17, 4],
      [27, 4],
    ]);
  });

  it('runs the imgproxy alerts against the legacy columns', () => {
    expect(runAlert('imgproxy-workers-warning', 'legacy').map((v) => Math.round(v * 1000) / 1000)).toEqual([0.5, 0.6, 0.7]);
    expect(runAlert('imgproxy-memory-critical', 'legacy')).toEqual([6000, 6100, 6200]);
    expect(runAlert('imgproxy-images-warning', 'legacy')).toEqual([7, 17, 27]);
    expect(runAlert('imgproxy-goroutines-critical', 'legacy')).toEqual([45, 45, 45]);
    expect(runAlert('imgproxy-heap-warning', 'legacy')).toEqual([100, 101, 102]);
  });
});
