import { readFileSync } from 'node:fs';
import { ValueType } from '@opentelemetry/api';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { OTLPMetricExporter as OTLPMetricJsonExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { AggregationTemporality, DataPointType, type PushMetricExporter, type ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { builtInDashboards, legacyColumns, LEGACY_METRICS_TABLE, renderPanelSql } from '@kira/dashboards';
import { beforeAll, describe, expect, it } from 'vitest';
import { CODED_COLUMNS } from './read-only-query';
import { collectorForFile } from './testing/collector-for-file';
import { PANEL_OF_NOTES_QUERY, teamNotesQueries } from './testing/team-notes-queries';

// imgproxy-shaped OTLP metrics go through the real OTLP metric exporters (protobuf and JSON); the
// team's BetterStack queries, read from a fixture copied verbatim from their notes, then run
// through POST /query unchanged and must return what was sent, minute by minute.

const MINUTE = 60_000;
const MIB = 1048576;
const MINUTES = 6;
/** Whole minutes, far enough back that every point is in the past. */
const BASE = Math.floor(Date.now() / MINUTE) * MINUTE - 20 * MINUTE;

const NOTES = teamNotesQueries();

interface SentPoint {
  readonly name: string;
  readonly instance: string;
  readonly time: number;
  readonly value: number;
}

/**
 * Two samples a minute per instance for every imgproxy gauge: instance `a` is sent as protobuf,
 * `b` as JSON. Values vary by minute, instance and sample so that avg and max differ.
 */
function imgproxySamples(instance: 'a' | 'b', firstMinute: number, minutes: number): SentPoint[] {
  const points: SentPoint[] = [];
  const offsets = instance === 'a' ? [10_000, 40_000] : [20_000, 50_000];
  const k = instance === 'a' ? 1 : 2;
  for (let minute = firstMinute; minute < firstMinute + minutes; minute++) {
    offsets.forEach((offset, sample) => {
      const time = BASE + minute * MINUTE + offset;
      const add = (name: string, value: number) => points.push({ name, instance, time, value });
      add('workers_utilization', 0.05 * k + 0.07 * minute + 0.11 * sample);
      add('requests_in_progress', 3 * k + minute + 5 * sample);
      add('images_in_progress', 10 * k + 2 * minute + (sample === 0 ? 7 : 0));
      add('vips_memory_bytes', (200 + 31 * k + 9 * minute) * MIB + 4096 * sample);
      add('process_resident_memory_bytes', (2000 + 300 * k + 45 * minute) * MIB + 123_456 * (sample + 1));
      add('go_goroutines', 20 + 3 * k + minute - sample);
      add('go_memstats_heap_inuse_bytes', (60 + 5 * k + minute) * MIB + 777 * sample);
    });
  }
  return points;
}

const toHrTime = (ms: number): [number, number] => [Math.floor(ms / 1000), (ms % 1000) * 1_000_000];

/** Sends the points through a real OTLP metric exporter, one export per sample time (as a periodic reader would). */
async function exportPoints(exporter: PushMetricExporter, points: readonly SentPoint[]): Promise<void> {
  const byTime = new Map<number, SentPoint[]>();
  for (const point of points) byTime.set(point.time, [...(byTime.get(point.time) ?? []), point]);
  for (const [time, batch] of byTime) {
    const metrics: ResourceMetrics = {
      resource: resourceFromAttributes({ 'service.name': 'kira-imgproxy', 'service.instance.id': batch[0]?.instance ?? '' }),
      scopeMetrics: [
        {
          scope: { name: 'imgproxy' },
          metrics: batch.map((point) => ({
            descriptor: { name: point.name, description: '', unit: '', valueType: ValueType.DOUBLE },
            aggregationTemporality: AggregationTemporality.CUMULATIVE,
            dataPointType: DataPointType.GAUGE,
            dataPoints: [{ startTime: toHrTime(time), endTime: toHrTime(time), attributes: {}, value: point.value }],
          })),
        },
      ],
    };
    const result = await new Promise<ExportResult>((resolve) => exporter.export(metrics, resolve));
    expect(result.code, String(result.error)).toBe(ExportResultCode.SUCCESS);
  }
}

/** What each legacy column must hold per minute: the column's aggregate over the sent values, derived as the model says. */
function expectedPerMinute(points: readonly SentPoint[]): Map<number, Record<string, number>> {
  const result = new Map<number, Record<string, number>>();
  const minutes = [...new Set(points.map((point) => Math.floor((point.time - BASE) / MINUTE)))].sort((a, b) => a - b);
  for (const minute of minutes) {
    const row: Record<string, number> = {};
    for (const { column, aggregation, sourceMetric, divideBy } of legacyColumns()) {
      const values = points.filter((point) => point.name === sourceMetric && Math.floor((point.time - BASE) / MINUTE) === minute).map((point) => point.value / (divideBy ?? 1));
      row[column] = aggregation === 'avg' ? values.reduce((sum, value) => sum + value, 0) / values.length : Math.max(...values);
    }
    result.set(minute, row);
  }
  return result;
}

const collector = collectorForFile('kira-collector-legacy-');
const sent: SentPoint[] = [];

async function post(sql: string, extra: Record<string, unknown> = {}): Promise<{ status: number; body: any }> {
  const response = await fetch(`${collector.current.url}/query`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: sql, start: new Date(BASE - MINUTE).toISOString(), end: new Date(BASE + 10 * MINUTE).toISOString(), ...extra }),
  });
  return { status: response.status, body: await response.json() };
}

const minuteOf = (time: unknown) => (Date.parse(`${String(time).replace(' ', 'T')}Z`) - BASE) / MINUTE;

/** Runs the notes' three queries verbatim and checks every minute's every column against what was sent. */
async function expectNotesQueriesMatch(points: readonly SentPoint[]): Promise<void> {
  const expected = expectedPerMinute(points);
  const checks: Record<string, [alias: string, column: string, scale: number][]> = {
    'Worker 利用率': [['utilization', 'workers_utilization', 100]],
    内存使用: [
      ['process_mb', 'process_mb', 1],
      ['vips_mb', 'vips_mb', 1],
    ],
    处理中图片: [
      ['images', 'images_in_progress', 1],
      ['requests', 'requests_in_progress', 1],
    ],
  };
  for (const [title, columns] of Object.entries(checks)) {
    const sql = NOTES.get(title);
    expect(sql, `fixture has "${title}"`).toBeDefined();
    const { status, body } = await post(sql as string);
    expect(status, JSON.stringify(body)).toBe(200);
    expect(body.columns.map((column: { name: string }) => column.name)).toEqual(['time', ...columns.map(([alias]) => alias)]);
    expect(body.rows.map((row: Record<string, unknown>) => minuteOf(row.time))).toEqual([...expected.keys()]);
    for (const row of body.rows as Record<string, unknown>[]) {
      const want = expected.get(minuteOf(row.time)) as Record<string, number>;
      for (const [alias, column, scale] of columns) expect(row[alias] as number, `${title} ${alias} @${minuteOf(row.time)}`).toBeCloseTo((want[column] as number) * scale, 6);
    }
  }
}

beforeAll(async () => {
  const proto = new OTLPMetricExporter({ url: `${collector.current.url}/v1/metrics` });
  const json = new OTLPMetricJsonExporter({ url: `${collector.current.url}/v1/metrics` });
  const protoPoints = imgproxySamples('a', 0, MINUTES);
  const jsonPoints = imgproxySamples('b', 0, MINUTES);
  await exportPoints(proto, protoPoints);
  await exportPoints(json, jsonPoints);
  await Promise.all([proto.shutdown(), json.shutdown()]);
  sent.push(...protoPoints, ...jsonPoints);
});

/** `row` with each number replaced by a matcher accepting it to 9 decimals. */
function withNumbersToNineDecimals(row: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(row).map(([key, value]) => [key, typeof value === 'number' ? expect.closeTo(value, 9) : value]));
}

describe("the team's BetterStack queries on live OTLP data", () => {
  it('stored the imgproxy points of both encodings in the unified table', async () => {
    const { status, body } = await post(
      "SELECT label('service.instance.id') AS instance, count() AS n FROM {{source}} WHERE dt BETWEEN {{start_time}} AND {{end_time}} AND name = 'workers_utilization' GROUP BY instance ORDER BY instance",
    );
    expect(status).toBe(200);
    expect(body.rows.map((row: { instance: string; n: unknown }) => [row.instance, Number(row.n)])).toEqual([
      ['a', MINUTES * 2],
      ['b', MINUTES * 2],
    ]);
  });

  it('runs the three imgproxy queries of the notes verbatim and returns the sent values per minute', async () => {
    await expectNotesQueriesMatch(sent);
  });

  it('runs the generic avgMerge template of the notes with a real metric', async () => {
    const template = NOTES.get('查询语法') as string;
    expect(template).toContain('avgMerge(metric_name) as value');
    const { status, body } = await post(template.replace('metric_name', 'workers_utilization'));
    expect(status, JSON.stringify(body)).toBe(200);
    const expected = expectedPerMinute(sent);
    expect(body.rows).toHaveLength(expected.size);
    for (const row of body.rows) expect(row.value).toBeCloseTo(expected.get(minuteOf(row.time))?.workers_utilization as number, 9);
  });

  it("renders the imgproxy panels' legacy SQL character for character as the notes", () => {
    const imgproxy = builtInDashboards.find((dashboard) => dashboard.id === 'kira-imgproxy');
    for (const [title, panelId] of Object.entries(PANEL_OF_NOTES_QUERY)) {
      const panel = imgproxy?.panels.find((candidate) => candidate.id === panelId);
      expect(panel && renderPanelSql(panel, { dialect: 'legacy' })).toBe(NOTES.get(title));
    }
  });

  it('keeps the unified queries unchanged: same numbers from the unified table', async () => {
    const panel = builtInDashboards.find((dashboard) => dashboard.id === 'kira-imgproxy')?.panels.find((candidate) => candidate.id === 'memory');
    const { status, body } = await post(renderPanelSql(panel as never), { intervalSeconds: 60 });
    expect(status, JSON.stringify(body)).toBe(200);
    const expected = expectedPerMinute(sent);
    const processRows = body.rows.filter((row: { series: string }) => row.series === 'process_mb');
    expect(processRows).toHaveLength(expected.size);
    for (const row of processRows) expect(row.value).toBeCloseTo(expected.get(minuteOf(row.time))?.process_mb as number, 6);
  });

  it('answers whole-minute unified queries from the per-minute rollup with the same rows as from metrics', async () => {
    const kiraImgproxy = builtInDashboards.find((dashboard) => dashboard.id === 'kira-imgproxy');
    for (const panel of kiraImgproxy?.panels ?? []) {
      const fromRollup = await post(renderPanelSql(panel), { intervalSeconds: 60 });
      const fromMetrics = await post(renderPanelSql(panel), { intervalSeconds: 60, source: 'metrics' });
      expect(fromRollup.status).toBe(200);
      expect(fromRollup.body.rows.length, panel.id).toBeGreaterThan(0);
      // Same rows in the same order. An average merged from per-minute states may differ from one
      // computed from the points in its last bit (ClickHouse merges partial states in whatever
      // order its threads finish), so numbers are compared to 9 decimals.
      expect(fromRollup.body.rows, panel.id).toEqual(fromMetrics.body.rows.map(withNumbersToNineDecimals));
    }
    // Two samples a minute per series: the rollup holds half the rows.
    const count = async (table: string) => Number((await collector.current.store.query(`SELECT count() AS n FROM ${table} FINAL WHERE name = 'workers_utilization'`)).rows[0]?.n);
    expect(await count('metrics_1m')).toBe((await count('metrics')) / 2);
  });

  it('reads the rollup only for whole-minute ranges and steps', async () => {
    // A row only the rollup has shows which table answered.
    await collector.current.store.query(`INSERT INTO metrics_1m (dt, name, series_id, value_max) SELECT toDateTime(${(BASE + 3 * MINUTE) / 1000}, 'UTC'), 'rollup_probe', 1, maxState(toFloat64(42))`);
    const probe = "SELECT {{time}} AS time, maxMerge(value_max) AS v FROM {{source}} WHERE dt BETWEEN {{start_time}} AND {{end_time}} AND name = 'rollup_probe' GROUP BY time";
    expect((await post(probe, { intervalSeconds: 60 })).body.rows.map((row: { v: number }) => row.v)).toEqual([42]);
    expect((await post(probe, { intervalSeconds: 30 })).body.rows).toEqual([]);
    expect((await post(probe, { intervalSeconds: 60, start: new Date(BASE - MINUTE + 1000).toISOString() })).body.rows).toEqual([]);
    expect((await post(probe, { intervalSeconds: 60, source: 'metrics' })).body.rows).toEqual([]);
  });

  it('resolves {{source}}: legacy columns → the legacy table, anything else → metrics; an explicit source wins', async () => {
    const unified = await post('SELECT count() AS n FROM {{source}}');
    const metricRows = await collector.current.store.query('SELECT count() AS n FROM metrics');
    expect(unified.body.rows[0].n).toBe(metricRows.rows[0]?.n);
    const explicit = await post('SELECT maxMerge(goroutines) AS g FROM {{source}} WHERE dt BETWEEN {{start_time}} AND {{end_time}}', { source: LEGACY_METRICS_TABLE });
    expect(explicit.status).toBe(200);
    expect(explicit.body.rows[0].g).toBe(Math.max(...sent.filter((point) => point.name === 'go_goroutines').map((point) => point.value)));
    // The legacy column names in string literals do not make a unified query legacy.
    const literal = await post("SELECT count() AS n FROM {{source}} WHERE name = 'workers_utilization'");
    expect(literal.status).toBe(200);
    expect(Number(literal.body.rows[0].n)).toBeGreaterThan(0);
  });

  it('answers a query that fits neither shape with 400 naming both shapes and the missing column', async () => {
    const { status, body } = await post('SELECT toStartOfInterval(dt, INTERVAL 1 minute) as time, avgMerge(cpu_utilization) as cpu FROM {{source}} GROUP BY time');
    expect(status).toBe(400);
    expect(body.error).toContain('"cpu_utilization"');
    expect(body.error).toContain('the unified shape (table metrics: dt, name, series_id');
    expect(body.error).toContain('the legacy per-metric-column shape (table legacy_metrics: dt, workers_utilization');
  });

  it('answers a query mixing both shapes with 400 saying which column belongs where', async () => {
    const { status, body } = await post('SELECT maxMerge(value_max) AS v, maxMerge(process_mb) AS p FROM {{source}}');
    expect(status).toBe(400);
    expect(body.error).toContain('column "process_mb" belongs to the legacy per-metric-column shape (table legacy_metrics)');
  });

  it("answers WHERE status_code = 'ERROR' (and other coded names) with 400 naming the number to use", async () => {
    const refused = await post("SELECT count() AS n FROM {{source:spans}} WHERE status_code = 'ERROR'");
    expect(refused.status).toBe(400);
    expect(refused.body.error).toContain('spans.status_code is a UInt8 OTLP code (0 = UNSET, 1 = OK, 2 = ERROR)');
    expect(refused.body.error).toContain('write status_code = 2');
    const kind = await post("SELECT count() AS n FROM {{source:spans}} WHERE kind != 'SPAN_KIND_SERVER'");
    expect(kind.body.error).toContain('write kind != 2');
    const severity = await post("SELECT count() AS n FROM {{source:logs}} WHERE severity_number = 'WARN'");
    expect(severity.body.error).toContain("write severity_number BETWEEN 13 AND 16 (or severity_text = 'WARN')");
    const numeric = await post('SELECT count() AS n FROM {{source:spans}} WHERE status_code = 2 AND kind = 2');
    expect(numeric.status).toBe(200);
    // Inside a string literal the same words are data, not a comparison.
    const quoted = await post("SELECT 'status_code = ''ERROR''' AS text");
    expect(quoted.status).toBe(200);
  });

  it('keeps answering the same queries after a restart on the same data folder, and stays live', async () => {
    await collector.restart();
    await expectNotesQueriesMatch(sent);
    const more = imgproxySamples('a', MINUTES, 1);
    const exporter = new OTLPMetricExporter({ url: `${collector.current.url}/v1/metrics` });
    await exportPoints(exporter, more);
    await exporter.shutdown();
    sent.push(...more);
    await expectNotesQueriesMatch(sent);
  });
});

describe('the README schema section', () => {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

  it('lists every column of every queryable table with its ClickHouse type, as the collector creates them', async () => {
    const documented: string[] = [];
    for (const section of readme.matchAll(/^### `(\w+)`\n([\s\S]*?)(?=^##)/gm)) {
      for (const row of (section[2] as string).matchAll(/^\| `(\w+)` \| `([^`]+)` \|/gm)) documented.push(`${section[1]}.${row[1]} ${row[2]}`);
    }
    const { rows } = await collector.current.store.query(
      `SELECT table, name, type FROM system.columns WHERE database = currentDatabase() AND table IN ('spans', 'logs', 'sentry_events', 'metrics', '${LEGACY_METRICS_TABLE}') ORDER BY table, position`,
    );
    const actual = rows.map((row) => `${String(row.table)}.${String(row.name)} ${String(row.type)}`);
    expect([...documented].sort()).toEqual([...actual].sort());
  });

  it('lists the values of the coded columns as the /query check knows them', () => {
    for (const [column, coded] of Object.entries(CODED_COLUMNS)) {
      const line = readme.split('\n').find((candidate) => candidate.startsWith(`| \`${coded.table}.${column}\` |`));
      expect(line, column).toBeDefined();
      for (const [name, value] of Object.entries(coded.values)) {
        const shown = column === 'severity_number' && value > 0 ? `\`${value}\`–\`${value + 3}\` ${name}` : `\`${value}\` ${name}`;
        expect(line, `${column} ${name}`).toContain(shown);
      }
    }
  });
});
