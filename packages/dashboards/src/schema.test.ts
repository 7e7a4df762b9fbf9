import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Session } from 'chdb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createSchemaStatements,
  defaultIntervalSeconds,
  dtFromDate,
  dtFromUnixNanos,
  expandQuery,
  insertMetricPointsSql,
  MAX_RETENTION_DAYS,
  type MetricPointInput,
  retentionCutoff,
  retentionDeleteStatements,
  retentionFutureLimit,
  retentionTtlExpression,
  retentionTtlSeconds,
  SeriesMemory,
  seriesId,
  toMetricRows,
} from './schema';

const startTime = new Date('2026-03-01T10:00:00.000Z');
const endTime = new Date('2026-03-01T11:00:00.000Z');

describe('expandQuery', () => {
  it('expands the BetterStack placeholders and macros', () => {
    const sql = expandQuery(
      "SELECT {{time}} AS time, avgMerge(value_avg) AS value, label('tool_name') AS series, histogramQuantile(0.95) AS p95 FROM {{source}} WHERE time BETWEEN {{start_time}} AND {{end_time}} AND metricTag('success') = 'true' GROUP BY time, series",
      { startTime, endTime, intervalSeconds: 60 },
    );
    expect(sql).toBe(
      "SELECT toStartOfInterval(dt, INTERVAL 60 SECOND) AS time, avgMerge(value_avg) AS value, tags['tool_name'] AS series, quantilePrometheusHistogramArrayMerge(0.95)(bucket_quantiles) AS p95 FROM metrics WHERE time BETWEEN toDateTime64('2026-03-01 10:00:00.000', 3, 'UTC') AND toDateTime64('2026-03-01 11:00:00.000', 3, 'UTC') AND tags['success'] = 'true' GROUP BY time, series",
    );
  });

  it('picks tables with {{source:x}} and honours the source option', () => {
    expect(expandQuery('SELECT count() FROM {{source:logs}}', { startTime, endTime })).toBe('SELECT count() FROM logs');
    expect(expandQuery('SELECT 1 FROM {{ source : spans }}', { startTime, endTime })).toBe('SELECT 1 FROM spans');
    expect(expandQuery('SELECT 1 FROM {{source}}', { startTime, endTime, source: 'legacy_metrics' })).toBe(
      'SELECT 1 FROM legacy_metrics',
    );
    expect(() => expandQuery('SELECT 1 FROM {{source:system.tables}}', { startTime, endTime })).toThrow(/unknown source/);
    expect(() => expandQuery('SELECT 1', { startTime, endTime, source: 'x; DROP TABLE y' })).toThrow(/invalid source/);
  });

  it('leaves string literals and comments alone and rejects unknown placeholders', () => {
    const sql = "SELECT 'label(''x'') {{time}}' AS s -- {{nope}} histogramQuantile(2)\n, label('it''s') FROM t";
    expect(expandQuery(sql, { startTime, endTime })).toBe(
      "SELECT 'label(''x'') {{time}}' AS s -- {{nope}} histogramQuantile(2)\n, tags['it''s'] FROM t",
    );
    expect(() => expandQuery('SELECT {{nope}}', { startTime, endTime })).toThrow(/unknown placeholder/);
    expect(() => expandQuery('SELECT histogramQuantile(1.5)', { startTime, endTime })).toThrow(/\[0, 1\]/);
    expect(() => expandQuery('SELECT {{time}}', { startTime, endTime, intervalSeconds: 0 })).toThrow(RangeError);
  });

  it('chooses a nice default interval of at most 120 buckets', () => {
    expect(defaultIntervalSeconds(startTime, endTime)).toBe(30);
    expect(defaultIntervalSeconds(startTime, new Date(startTime.getTime() + 60_000))).toBe(1);
    expect(defaultIntervalSeconds(startTime, new Date(startTime.getTime() + 86_400_000))).toBe(900);
    expect(expandQuery('{{interval}}', { startTime, endTime })).toBe('30');
  });
});

describe('seriesId', () => {
  it('is stable, order independent and distinguishes tags', () => {
    const a = seriesId('m', { a: '1', b: 'x' });
    expect(a).toMatch(/^\d+$/);
    expect(seriesId('m', { b: 'x', a: '1' })).toBe(a);
    expect(seriesId('m', { a: 1, b: 'x' })).toBe(a);
    expect(seriesId('m', { a: '1', b: 'y' })).not.toBe(a);
    expect(seriesId('n', { a: '1', b: 'x' })).not.toBe(a);
    // FNV-1a 64 of the canonical JSON ["a"]
    expect(BigInt(seriesId('a'))).toBe(fnvReference(new TextEncoder().encode('["a"]')));
  });
});

function fnvReference(bytes: Uint8Array): bigint {
  let hash = 0xcbf29ce484222325n;
  for (const byte of bytes) {
    hash ^= BigInt(byte);
    hash = (hash * 0x100000001b3n) & 0xffffffffffffffffn;
  }
  return hash;
}

describe('toMetricRows', () => {
  const t0 = Date.parse('2026-03-01T10:00:00.000Z');

  it('turns cumulative counters into per-second rates with reset handling', () => {
    const memory = new SeriesMemory();
    const counter = (value: number, offsetSeconds: number): MetricPointInput => ({
      name: 'ai_tool_executions',
      kind: 'sum',
      tags: { tool_name: 'x' },
      time: t0 + offsetSeconds * 1000,
      startTime: t0 - 10_000,
      value,
    });
    const rows = toMetricRows([counter(10, 0), counter(40, 10), counter(5, 20)], memory);
    expect(rows.map((r) => r.rate)).toEqual([1, 3, 0.5]);
    expect(rows.map((r) => r.value)).toEqual([10, 40, 5]);
    expect(rows[0]?.dt).toBe(t0 / 1000);
    expect(memory.size).toBe(1);
  });

  it('stores delta sums and gauges', () => {
    const [delta, gauge, upDown] = toMetricRows([
      { name: 'd', kind: 'sum', temporality: 'delta', time: t0 + 30_000, startTime: t0, value: 60 },
      { name: 'g', kind: 'gauge', time: t0, value: 0.25 },
      { name: 'u', kind: 'sum', monotonic: false, time: t0, value: -3 },
    ]);
    expect(delta?.rate).toBe(2);
    expect(gauge).toMatchObject({ value: 0.25, rate: null, counts: [] });
    expect(upDown).toMatchObject({ value: -3, rate: null });
  });

  it('differences cumulative histograms', () => {
    const memory = new SeriesMemory();
    const histogram = (counts: number[], sum: number, offsetSeconds: number): MetricPointInput => ({
      name: 'h',
      kind: 'histogram',
      time: t0 + offsetSeconds * 1000,
      bounds: [10, 100],
      bucketCounts: counts,
      sum,
      count: counts.reduce((a, b) => a + b, 0),
    });
    const [first, second] = toMetricRows([histogram([1, 2, 0], 50, 0), histogram([1, 5, 1], 500, 10)], memory);
    expect(first?.counts).toEqual([1, 2, 0]);
    expect(second?.counts).toEqual([0, 3, 1]);
    expect(second?.histogram_sum).toBe(450);
    expect(second?.histogram_count).toBe(4);
    expect(second?.bounds).toEqual([10, 100]);
    expect(() => toMetricRows([{ ...histogram([1], 1, 0) }])).toThrow(/bucket counts/);
    expect(() => toMetricRows([{ name: 'g', kind: 'gauge', time: t0, value: Number.NaN }])).toThrow(/finite/);
  });

  it('bounds the series memory', () => {
    const memory = new SeriesMemory(2);
    toMetricRows(
      ['a', 'b', 'c'].map((name) => ({ name, kind: 'sum', time: t0, value: 1 })),
      memory,
    );
    expect(memory.size).toBe(2);
  });
});

describe('dt helpers', () => {
  it('writes a date before 1970 as a signed decimal of seconds (−1.5 s, not −2 + 0.5)', () => {
    expect(dtFromDate(-1500)).toBe('-1.500000');
    expect(dtFromDate(new Date(-500))).toBe('-0.500000');
    expect(dtFromDate({ seconds: -2 })).toBe('-2.000000');
  });

  it('formats nanoseconds and dates without losing digits', () => {
    expect(dtFromUnixNanos('1772359200123456789')).toBe('1772359200.123456789');
    expect(dtFromUnixNanos(5n)).toBe('0.000000005');
    expect(dtFromDate(new Date(1772359200123))).toBe('1772359200.123000');
    expect(dtFromDate({ seconds: 1772359200.5 })).toBe('1772359200.500000');
  });
});

describe('schema on embedded ClickHouse', () => {
  let dir: string;
  let session: Session;
  const json = (sql: string): Record<string, unknown>[] =>
    session
      .query(sql, 'JSONEachRow')
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => JSON.parse(line) as Record<string, unknown>);

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'kira-schema-'));
    session = new Session(dir);
    // Twice: every statement must be idempotent.
    for (const sql of [...createSchemaStatements({ retentionDays: 3650 }), ...createSchemaStatements()]) {
      session.query(sql);
    }
  });

  afterAll(() => {
    session?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers BetterStack-style queries over seeded points with the expected numbers', () => {
    const base = Date.parse('2026-03-01T10:00:00.000Z');
    const memory = new SeriesMemory();
    const points: MetricPointInput[] = [];
    for (let minute = 0; minute < 5; minute++) {
      const time = base + minute * 60_000;
      points.push({ name: 'workers_utilization', kind: 'gauge', tags: { 'service.name': 'kira-imgproxy' }, time, value: minute / 10 });
      points.push({ name: 'workers_utilization', kind: 'gauge', tags: { 'service.name': 'kira-imgproxy' }, time: time + 30_000, value: minute / 10 + 0.1 });
      // 120 executions per minute → rate 2/s
      points.push({ name: 'ai_tool_executions', kind: 'sum', tags: { tool_name: 'seedream', success: 'true' }, time, startTime: base - 60_000, value: 120 * (minute + 1) });
      points.push({ name: 'ai_tool_duration_ms', kind: 'histogram', tags: { tool_name: 'seedream' }, time, temporality: 'delta', bounds: [100, 1000, 10000], bucketCounts: [10, 80, 10, 0], sum: 50_000, count: 100 });
    }
    session.query(insertMetricPointsSql(points, memory));

    const range = { startTime: new Date(base), endTime: new Date(base + 5 * 60_000), intervalSeconds: 60 };
    const gauge = json(
      expandQuery(
        "SELECT {{time}} AS time, avgMerge(value_avg) AS value, maxMerge(value_max) AS max, countMerge(events_count) AS n FROM {{source}} WHERE time BETWEEN {{start_time}} AND {{end_time}} AND name = 'workers_utilization' AND label('service.name') = 'kira-imgproxy' GROUP BY time ORDER BY time",
        range,
      ),
    );
    expect(gauge.map((r) => Number(r.value))).toEqual([0.05, 0.15, 0.25, 0.35, 0.45].map((v) => expect.closeTo(v, 9)) as never);
    expect(gauge.map((r) => Number(r.n))).toEqual([2, 2, 2, 2, 2]);

    const rate = json(
      expandQuery(
        "SELECT {{time}} AS time, label('tool_name') AS series, avgMerge(rate_avg) * 60 AS per_minute FROM {{source}} WHERE time BETWEEN {{start_time}} AND {{end_time}} AND name = 'ai_tool_executions' GROUP BY time, series ORDER BY time",
        range,
      ),
    );
    expect(rate.map((r) => Number(r.per_minute))).toEqual([120, 120, 120, 120, 120]);
    expect(rate[0]?.series).toBe('seedream');

    const quantiles = json(
      expandQuery(
        "SELECT histogramQuantile(0.5) AS p50, histogramQuantile(0.95) AS p95, sumMerge(bucket_count) AS n, sumMerge(bucket_sum) / sumMerge(bucket_count) AS mean FROM {{source}} WHERE dt BETWEEN {{start_time}} AND {{end_time}} AND name = 'ai_tool_duration_ms'",
        range,
      ),
    );
    // 500 observations: 50 ≤ 100, 400 in (100, 1000], 50 in (1000, 10000]
    expect(Number(quantiles[0]?.p50)).toBeCloseTo(100 + 900 * (200 / 400), 6);
    expect(Number(quantiles[0]?.p95)).toBeCloseTo(1000 + 9000 * (25 / 50), 6);
    expect(Number(quantiles[0]?.n)).toBe(500);
    expect(Number(quantiles[0]?.mean)).toBe(500);
  });

  it('stores record rows with helper columns derived from raw', () => {
    const raw = JSON.stringify({ traceId: 'ab'.repeat(16), spanId: 'cd'.repeat(8), name: 'GET /x', kind: 2, startTimeUnixNano: '1772359200000000000', endTimeUnixNano: '1772359200250000000', status: { code: 2 }, resource: { 'service.name': 'kira-be' } });
    session.query(`INSERT INTO spans (dt, raw) FORMAT JSONEachRow\n${JSON.stringify({ dt: dtFromUnixNanos('1772359200000000000'), raw })}\n`);
    const [span] = json('SELECT trace_id, name, kind, service, duration_ms, status_code, toString(dt) AS dt FROM spans');
    expect(span).toEqual({ trace_id: 'ab'.repeat(16), name: 'GET /x', kind: 2, service: 'kira-be', duration_ms: 250, status_code: 2, dt: '2026-03-01 10:00:00.000000000' });

    session.query(`INSERT INTO sentry_events (dt, raw) FORMAT JSONEachRow\n${JSON.stringify({ dt: dtFromDate(new Date()), raw: JSON.stringify({ event_id: 'e1', level: 'error', user: { id: 'u1' }, contexts: { trace: { trace_id: 'ab'.repeat(16) } } }) })}\n`);
    const joined = json(
      'SELECT s.name AS span, e.event_id AS event, e.user AS user, e.type AS type FROM spans AS s INNER JOIN sentry_events AS e ON s.trace_id = e.trace_id',
    );
    expect(joined).toEqual([{ span: 'GET /x', event: 'e1', user: 'u1', type: 'event' }]);
  });

  it("retentionCutoff is the first instant ClickHouse's TTL expression keeps at a given second", () => {
    const now = new Date('2026-12-03T10:00:00.700Z');
    const dateTime64 = (date: Date, nanos: string) => `toDateTime64('${date.toISOString().slice(0, 19).replace('T', ' ')}.${nanos}', 9, 'UTC')`;
    for (const retentionDays of [7, 0.5, 1 / 86_400]) {
      const ttl = retentionTtlSeconds(retentionDays);
      const cutoff = retentionCutoff(ttl, now);
      // The TTL deletes a row once `toDateTime(dt) + ttl` is at or before the current (whole) second.
      const expired = (dt: string) => json(`SELECT toDateTime(${dt}) + toIntervalSecond(${ttl}) <= toDateTime('2026-12-03 10:00:00', 'UTC') AS expired`)[0]?.expired;
      expect(expired(dateTime64(cutoff, '000000000'))).toBe(0);
      expect(expired(dateTime64(new Date(cutoff.getTime() - 1000), '999999999'))).toBe(1);
    }
    expect(retentionCutoff(604_800, now).toISOString()).toBe('2026-11-26T10:00:01.000Z');
    expect(() => retentionTtlSeconds(0)).toThrow(RangeError);
  });

  it("retentionFutureLimit is the first instant whose TTL sum no longer fits ClickHouse's DateTime (it wraps to 1970)", () => {
    const dateTime64 = (date: Date, nanos: string) => `toDateTime64('${date.toISOString().slice(0, 19).replace('T', ' ')}.${nanos}', 9, 'UTC')`;
    for (const retentionDays of [7, 0.5, 1 / 86_400, MAX_RETENTION_DAYS]) {
      const ttl = retentionTtlSeconds(retentionDays);
      const limit = retentionFutureLimit(ttl);
      // The schema's own TTL expression, evaluated for a dt: it fits when the sum did not wrap.
      const ttlOf = (dt: string) => json(`SELECT toString(${retentionTtlExpression(ttl).replace('(dt)', `(${dt})`)}) AS ttl`)[0]?.ttl;
      expect(ttlOf(dateTime64(new Date(limit.getTime() - 1000), '999999999'))).toBe('2106-02-07 06:28:15');
      expect(ttlOf(dateTime64(limit, '000000000'))).toBe('1970-01-01 00:00:00');
      expect(ttlOf(dateTime64(new Date(limit.getTime() + 86_400_000), '000000000'))).toBe('1970-01-02 00:00:00');
    }
    expect(retentionFutureLimit(604_800).toISOString()).toBe('2106-01-31T06:28:16.000Z');
    expect(retentionFutureLimit(retentionTtlSeconds(MAX_RETENTION_DAYS)).toISOString()).toBe('2056-02-19T06:28:16.000Z');
  });

  it('retentionTtlSeconds refuses a retention longer than MAX_RETENTION_DAYS, naming the maximum and why', () => {
    expect(retentionTtlSeconds(MAX_RETENTION_DAYS)).toBe(18_250 * 86_400);
    expect(() => retentionTtlSeconds(MAX_RETENTION_DAYS + 1)).toThrow(
      new RangeError(
        "a retention of 18251 days is too long: at most 18250 days (50 years). The tables' TTL, toDateTime(dt) + retention, is a ClickHouse DateTime, which ends at 2106-02-07T06:28:15Z, and a row whose dt + retention passes that is deleted at once",
      ),
    );
    expect(() => createSchemaStatements({ retentionDays: 80 * 365 })).toThrow(/at most 18250 days/);
  });

  it('retention deletes old rows', () => {
    session.query(`INSERT INTO logs (dt, raw) FORMAT JSONEachRow\n${JSON.stringify({ dt: dtFromDate(Date.now() - 3 * 86_400_000), raw: '{}' })}\n${JSON.stringify({ dt: dtFromDate(Date.now()), raw: '{}' })}\n`);
    for (const sql of retentionDeleteStatements(1)) session.query(sql);
    expect(json('SELECT count() AS n FROM logs')[0]?.n).toBe(1);
  });
});
