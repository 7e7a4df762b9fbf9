// schema-ready
/**
 * The one definition of the BetterStack-style unified schema (Feb 2026) and of its query
 * surface, shared by the local collector (`apps/collector`) and `@kira/dashboards`.
 *
 * No runtime dependencies beyond `@kira/conventions` and the package's argument checks
 * (`expect-argument.ts`): everything here is string work, so it can be imported by the
 * collector, by tests that seed chdb, and by the dashboards renderer alike. Like the main entry,
 * every function checks the shape of its arguments first and refuses the wrong kind of value
 * with a `TypeError` naming the function, what it expects and what it got.
 *
 * Tables
 * - `logs`, `spans`, `sentry_events`: one row per record, `dt` + `raw` (the record as a JSON
 *   string, like BetterStack's `raw`), plus helper columns (`trace_id`, `service`, …) that
 *   default to an extraction from `raw` when an inserter does not fill them.
 * - `metrics`: AggregatingMergeTree of aggregate states per (name, series_id, second):
 *   `events_count`, `value_avg|min|max`, `rate_avg`, `bucket_bounds`, `bucket_counts`,
 *   `bucket_quantiles`, `bucket_sum|count|min|max`, and `tags` (a Map read with `label('x')`).
 * - `metric_points`: a Null-engine ingest table; the materialized view `metrics_mv` turns each
 *   inserted plain row into aggregate states. Inserting plain JSONEachRow rows there is the
 *   ONLY way points enter `metrics` (see {@link toMetricRows} / {@link insertMetricPointsSql}).
 */

import { describeValue, RESOURCE_ATTRIBUTES } from '@kira/conventions';
import {
  expectArray,
  expectDate,
  expectFunction,
  expectNumber,
  expectObject,
  expectString,
  fail,
  readField,
  readOption,
  safeString,
} from './expect-argument';

/** Table names of the unified schema. */
export const TABLES = {
  logs: 'logs',
  spans: 'spans',
  sentryEvents: 'sentry_events',
  metrics: 'metrics',
  metricPoints: 'metric_points',
  metricsView: 'metrics_mv',
} as const;

/** A table `{{source:NAME}}` may name. */
export type SourceTable = 'metrics' | 'logs' | 'spans' | 'sentry_events';

const SOURCE_TABLES: ReadonlySet<string> = new Set<SourceTable>([
  'metrics',
  'logs',
  'spans',
  'sentry_events',
]);

/** Rows of `metrics` are stored at this resolution (dt is rounded down to the second). */
export const METRIC_RESOLUTION_SECONDS = 1;

/** Default retention when none is given. */
export const DEFAULT_RETENTION_DAYS = 7;

/**
 * DDL for every table of the schema, idempotent (`CREATE … IF NOT EXISTS`), in execution order.
 *
 * @example for (const sql of createSchemaStatements({ retentionDays: 7 })) session.query(sql)
 */
export function createSchemaStatements(options: { retentionDays?: number } | null = {}): string[] {
  // null is no options, as undefined is.
  const retentionDays = readOption('createSchemaStatements', options ?? undefined, 'retentionDays') as number | null | undefined;
  const ttl = `TTL ${retentionTtlExpression(retentionTtlSeconds(retentionDays ?? DEFAULT_RETENTION_DAYS))}`;
  // Dropping whole expired parts is cheap; rewriting parts row by row is not worth it locally.
  const settings = 'SETTINGS ttl_only_drop_parts = 0, merge_with_ttl_timeout = 3600';

  return [
    `CREATE TABLE IF NOT EXISTS logs (
  dt DateTime64(9, 'UTC'),
  raw String,
  trace_id String DEFAULT JSONExtractString(raw, 'traceId'),
  span_id String DEFAULT JSONExtractString(raw, 'spanId'),
  service LowCardinality(String) DEFAULT JSONExtractString(raw, 'resource', '${RESOURCE_ATTRIBUTES.serviceName}'),
  severity_number UInt8 DEFAULT toUInt8(JSONExtractUInt(raw, 'severityNumber')),
  severity_text LowCardinality(String) DEFAULT JSONExtractString(raw, 'severityText'),
  INDEX logs_trace_id trace_id TYPE bloom_filter(0.01) GRANULARITY 4
) ENGINE = MergeTree
PARTITION BY toDate(dt)
ORDER BY dt
${ttl}
${settings}`,
    `CREATE TABLE IF NOT EXISTS spans (
  dt DateTime64(9, 'UTC'),
  raw String,
  trace_id String DEFAULT JSONExtractString(raw, 'traceId'),
  span_id String DEFAULT JSONExtractString(raw, 'spanId'),
  parent_span_id String DEFAULT JSONExtractString(raw, 'parentSpanId'),
  name String DEFAULT JSONExtractString(raw, 'name'),
  kind UInt8 DEFAULT toUInt8(JSONExtractUInt(raw, 'kind')),
  service LowCardinality(String) DEFAULT JSONExtractString(raw, 'resource', '${RESOURCE_ATTRIBUTES.serviceName}'),
  duration_ms Float64 DEFAULT (toInt64OrZero(JSONExtractString(raw, 'endTimeUnixNano')) - toInt64OrZero(JSONExtractString(raw, 'startTimeUnixNano'))) / 1e6,
  status_code UInt8 DEFAULT toUInt8(JSONExtractUInt(raw, 'status', 'code')),
  INDEX spans_trace_id trace_id TYPE bloom_filter(0.01) GRANULARITY 4
) ENGINE = MergeTree
PARTITION BY toDate(dt)
ORDER BY dt
${ttl}
${settings}`,
    `CREATE TABLE IF NOT EXISTS sentry_events (
  dt DateTime64(6, 'UTC'),
  raw String,
  project String DEFAULT '',
  type LowCardinality(String) DEFAULT if(JSONExtractString(raw, 'type') = '', 'event', JSONExtractString(raw, 'type')),
  event_id String DEFAULT JSONExtractString(raw, 'event_id'),
  trace_id String DEFAULT JSONExtractString(raw, 'contexts', 'trace', 'trace_id'),
  span_id String DEFAULT JSONExtractString(raw, 'contexts', 'trace', 'span_id'),
  user String DEFAULT JSONExtractString(raw, 'user', 'id'),
  level LowCardinality(String) DEFAULT JSONExtractString(raw, 'level'),
  INDEX sentry_trace_id trace_id TYPE bloom_filter(0.01) GRANULARITY 4
) ENGINE = MergeTree
PARTITION BY toDate(dt)
ORDER BY dt
${ttl}
${settings}`,
    // tags are a function of series_id, so anyLast is exact; a plain Map column is refused by
    // AggregatingMergeTree because merges would keep an arbitrary value.
    `CREATE TABLE IF NOT EXISTS metrics (
  dt DateTime('UTC'),
  name LowCardinality(String),
  series_id UInt64,
  tags SimpleAggregateFunction(anyLast, Map(String, String)),
  events_count AggregateFunction(count),
  value_avg AggregateFunction(avg, Float64),
  value_min AggregateFunction(min, Float64),
  value_max AggregateFunction(max, Float64),
  rate_avg AggregateFunction(avg, Float64),
  bucket_bounds AggregateFunction(anyLast, Array(Float64)),
  bucket_counts AggregateFunction(sumForEach, Array(Float64)),
  bucket_quantiles AggregateFunction(quantilePrometheusHistogramArray(0.5), Array(Float64), Array(Float64)),
  bucket_sum AggregateFunction(sum, Float64),
  bucket_count AggregateFunction(sum, Float64),
  bucket_min AggregateFunction(min, Float64),
  bucket_max AggregateFunction(max, Float64)
) ENGINE = AggregatingMergeTree
PARTITION BY toDate(dt)
ORDER BY (name, series_id, dt)
${ttl}
${settings}`,
    `CREATE TABLE IF NOT EXISTS metric_points (
  dt DateTime('UTC'),
  name String,
  series_id UInt64,
  point_tags Map(String, String),
  value Nullable(Float64),
  rate Nullable(Float64),
  bounds Array(Float64),
  counts Array(Float64),
  histogram_sum Nullable(Float64),
  histogram_count Nullable(Float64),
  histogram_min Nullable(Float64),
  histogram_max Nullable(Float64)
) ENGINE = Null`,
    // One state per point (initializeAggregation, no GROUP BY): merging is the table's job, and
    // per-row states insert about twice as fast as a GROUP BY over every block.
    // Per-bucket counts are deltas (summed with sumForEach); the Prometheus quantile state wants
    // cumulative counts per bound, which arrayCumSum of the deltas gives exactly. Bounds arrive
    // without the final +Inf (JSON has no Infinity), which is appended here. The -If condition is
    // checked after -Array compares sizes, hence arrayResize for rows that are not histograms.
    `CREATE MATERIALIZED VIEW IF NOT EXISTS metrics_mv TO metrics AS
SELECT
  dt,
  name,
  series_id,
  point_tags AS tags,
  initializeAggregation('countState', toUInt8(1)) AS events_count,
  initializeAggregation('avgStateIf', ifNull(value, 0), isNotNull(value)) AS value_avg,
  initializeAggregation('minStateIf', ifNull(value, 0), isNotNull(value)) AS value_min,
  initializeAggregation('maxStateIf', ifNull(value, 0), isNotNull(value)) AS value_max,
  initializeAggregation('avgStateIf', ifNull(rate, 0), isNotNull(rate)) AS rate_avg,
  initializeAggregation('anyLastStateIf', arrayPushBack(bounds, inf), length(counts) > 0) AS bucket_bounds,
  initializeAggregation('sumForEachStateIf', counts, length(counts) > 0) AS bucket_counts,
  initializeAggregation('quantilePrometheusHistogramArrayStateIf(0.5)', arrayPushBack(bounds, inf), arrayResize(arrayCumSum(counts), length(bounds) + 1), length(counts) > 0 AND length(counts) = length(bounds) + 1) AS bucket_quantiles,
  initializeAggregation('sumStateIf', ifNull(histogram_sum, 0), isNotNull(histogram_sum)) AS bucket_sum,
  initializeAggregation('sumStateIf', ifNull(histogram_count, 0), isNotNull(histogram_count)) AS bucket_count,
  initializeAggregation('minStateIf', ifNull(histogram_min, 0), isNotNull(histogram_min)) AS bucket_min,
  initializeAggregation('maxStateIf', ifNull(histogram_max, 0), isNotNull(histogram_max)) AS bucket_max
FROM metric_points`,
  ];
}

/** Per table: a cheap count of expired rows and the DELETE to run when there are any. */
export interface RetentionStep {
  table: string;
  countSql: string;
  deleteSql: string;
}

/**
 * The first second ClickHouse's `DateTime` cannot hold, 2106-02-07T06:28:16Z: it counts unsigned
 * 32-bit seconds, and the TTL `toDateTime(dt) + toIntervalSecond(ttl)` is such a DateTime, so a
 * sum at or past this second wraps around to 1970 (and is deleted at once).
 */
export const DATETIME_END_SECONDS = 2 ** 32;

/**
 * The longest retention: 18 250 days (50 years). The arithmetic: a row dated `dt` is kept only
 * while `dt + retention` stays before {@link DATETIME_END_SECONDS} ({@link retentionFutureLimit}),
 * and `dt` is the present for most rows, so `now + retention` must too. In December 2026 that
 * leaves 79.2 years, a year less every year, and a retention near it would refuse every row dated
 * after the day it was chosen. 50 years keeps rows dated up to 2056-02-19T06:28:15Z, so a data
 * folder accepts rows (and rows dated some years ahead) for about three decades; anything longer
 * is no retention a local collector needs.
 */
export const MAX_RETENTION_DAYS = 18_250;

/**
 * The tables' TTL for a retention, in whole seconds (`TTL toDateTime(dt) + toIntervalSecond(…)`,
 * at least 1). Throws a RangeError for a retention that is not a positive number or is longer
 * than {@link MAX_RETENTION_DAYS}.
 *
 * @example retentionTtlSeconds(0.5) // 43200
 */
export function retentionTtlSeconds(retentionDays: number): number {
  if (!Number.isFinite(retentionDays) || retentionDays <= 0) {
    throw new RangeError(`retentionDays must be a positive number, got ${safeString(retentionDays)}`);
  }
  const seconds = Math.max(1, Math.round(retentionDays * 86_400));
  if (seconds > MAX_RETENTION_DAYS * 86_400) {
    throw new RangeError(
      `a retention of ${String(retentionDays)} days is too long: at most ${MAX_RETENTION_DAYS} days (50 years). The tables' TTL, toDateTime(dt) + retention, is a ClickHouse DateTime, which ends at 2106-02-07T06:28:15Z, and a row whose dt + retention passes that is deleted at once`,
    );
  }
  return seconds;
}

/**
 * The tables' TTL expression for a TTL of `ttlSeconds`, as the tables are created with it and as
 * `system.tables.engine_full` spells it (`toDateTime(dt) + toIntervalSecond(604800)`).
 */
export function retentionTtlExpression(ttlSeconds: number): string {
  expectTtlSeconds('retentionTtlExpression', ttlSeconds);
  return `toDateTime(dt) + toIntervalSecond(${ttlSeconds})`;
}

/**
 * The oldest `dt` a row may have to be kept at `now` under a TTL of `ttlSeconds`: the rule of
 * ClickHouse's `TTL toDateTime(dt) + toIntervalSecond(ttl)`, which deletes a row once that sum is
 * at or before the current second, `toDateTime` dropping the fraction of `dt`. A row is kept iff
 * `dt >= cutoff` (the cutoff is a whole second) and `dt <` {@link retentionFutureLimit}; the
 * retention delete and the collector's check of incoming rows both use it, so what one accepts the
 * other does not delete at once.
 *
 * @example retentionCutoff(604_800, new Date('2026-12-03T10:00:00.700Z')) // 2026-11-26T10:00:01.000Z
 */
export function retentionCutoff(ttlSeconds: number, now: Date = new Date()): Date {
  expectTtlSeconds('retentionCutoff', ttlSeconds);
  expectNow('retentionCutoff', now);
  return new Date((Math.floor(now.getTime() / 1000) - ttlSeconds + 1) * 1000);
}

/**
 * The first `dt` too far in the future for a TTL of `ttlSeconds`: from this second on,
 * `toDateTime(dt) + ttl` passes the last second a ClickHouse `DateTime` holds
 * ({@link DATETIME_END_SECONDS}) and wraps to 1970, so ClickHouse deletes the row at once (past
 * 2106, `toDateTime(dt)` itself no longer holds `dt`). A row is kept iff
 * {@link retentionCutoff} `<= dt <` this. (At exactly this second the sum wraps to 0, which
 * ClickHouse reads as "no TTL" and keeps; the rule leaves that row out with the rest.)
 *
 * @example retentionFutureLimit(604_800) // 2106-01-31T06:28:16.000Z
 */
export function retentionFutureLimit(ttlSeconds: number): Date {
  expectTtlSeconds('retentionFutureLimit', ttlSeconds);
  return new Date((DATETIME_END_SECONDS - ttlSeconds) * 1000);
}

/**
 * Deleting rows older than the retention from every table (those {@link retentionCutoff} puts
 * before the cutoff). TTL already does this during merges;
 * this makes it prompt and applies a retention shortened after the tables were created. Run
 * `deleteSql` only when `countSql` finds rows: a mutation on every check would rewrite parts.
 */
export function retentionSteps(retentionDays: number, now: Date = new Date()): RetentionStep[] {
  return retentionStepsOf('retentionSteps', retentionDays, now);
}

/** The DELETE statements of {@link retentionSteps}, unconditionally. */
export function retentionDeleteStatements(retentionDays: number, now: Date = new Date()): string[] {
  return retentionStepsOf('retentionDeleteStatements', retentionDays, now).map((step) => step.deleteSql);
}

/** A TTL in seconds, as {@link retentionTtlSeconds} gives it. */
function expectTtlSeconds(fn: string, ttlSeconds: unknown): void {
  expectNumber(fn, ttlSeconds, 'ttlSeconds to be a number of seconds');
}

/** The `now` argument (undefined has already become the current time). */
function expectNow(fn: string, now: unknown): void {
  expectDate(fn, now, 'now to be a Date or undefined');
}

function retentionStepsOf(fn: string, retentionDays: number, now: Date): RetentionStep[] {
  const ttlSeconds = retentionTtlSeconds(retentionDays);
  expectNow(fn, now);
  const cutoff = formatDateTimeLiteral(retentionCutoff(ttlSeconds, now));
  return (['logs', 'spans', 'sentry_events', 'metrics'] as const).map((table) => ({
    table,
    countSql: `SELECT count() AS n FROM ${table} WHERE dt < ${cutoff}`,
    deleteSql: `ALTER TABLE ${table} DELETE WHERE dt < ${cutoff} SETTINGS mutations_sync = 1`,
  }));
}

// ---------------------------------------------------------------------------------------------
// Query surface
// ---------------------------------------------------------------------------------------------

/** Options of {@link expandQuery}. */
export interface ExpandQueryOptions {
  /**
   * Table that `{{source}}` stands for; default `metrics`. `{{source:logs}}` (or `spans`,
   * `sentry_events`, `metrics`) names a table explicitly whatever this is.
   * @example { source: 'metrics' }
   */
  source?: string;
  /** Start of the selected range (`{{start_time}}`). @example new Date(Date.now() - 3600_000) */
  startTime: Date;
  /** End of the selected range (`{{end_time}}`). @example new Date() */
  endTime: Date;
  /**
   * Bucket width of `{{time}}` in seconds; default: a "nice" step giving ~120 points over the
   * range (see {@link defaultIntervalSeconds}). @example 60
   */
  intervalSeconds?: number;
}

const NICE_STEPS = [
  1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1_800, 3_600, 7_200, 10_800, 21_600, 43_200,
  86_400,
];

/** The `{{time}}` step used when none is given: the smallest nice step with ≤ 120 buckets. */
export function defaultIntervalSeconds(startTime: Date, endTime: Date): number {
  expectDate('defaultIntervalSeconds', startTime, 'startTime to be a Date');
  expectDate('defaultIntervalSeconds', endTime, 'endTime to be a Date');
  const rangeSeconds = Math.max(1, (endTime.getTime() - startTime.getTime()) / 1000);
  for (const step of NICE_STEPS) {
    if (rangeSeconds / step <= 120) return step;
  }
  return 86_400;
}

/** A ClickHouse `DateTime64(3, 'UTC')` literal for an instant. */
export function formatDateTimeLiteral(date: Date): string {
  expectDate('formatDateTimeLiteral', date, 'a Date');
  if (Number.isNaN(date.getTime())) throw new RangeError('Invalid date');
  const iso = date.toISOString(); // 2026-01-02T03:04:05.678Z
  return `toDateTime64('${iso.slice(0, 10)} ${iso.slice(11, 23)}', 3, 'UTC')`;
}

/** Scans SQL once: literals, quoted identifiers and comments first, so nothing inside them is rewritten. */
const SURFACE_PATTERN = new RegExp(
  [
    String.raw`'(?:[^'\\]|\\[\s\S]|'')*'`, // string literal
    String.raw`"(?:[^"\\]|\\[\s\S]|"")*"`, // quoted identifier
    '`(?:[^`\\\\]|\\\\[\\s\\S])*`', // backquoted identifier
    String.raw`--[^\n]*`, // line comment
    String.raw`/\*[\s\S]*?\*/`, // block comment
    String.raw`\{\{\s*([A-Za-z_]+)\s*(?::\s*([A-Za-z_][A-Za-z0-9_.]*)\s*)?\}\}`, // placeholder
    String.raw`\b(label|metricTag)\s*\(\s*('(?:[^'\\]|\\[\s\S]|'')*')\s*\)`, // tag lookup
    String.raw`\bhistogramQuantile\s*\(\s*([^()]*?)\s*\)`, // quantile over bucket states
  ].join('|'),
  'g',
);

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?$/;

/**
 * Expands the BetterStack query surface into plain ClickHouse SQL for the unified schema:
 * - `{{source}}` → `options.source ?? 'metrics'`; `{{source:logs}}` → `logs` (also `spans`,
 *   `sentry_events`, `metrics`)
 * - `{{start_time}}` / `{{end_time}}` → `toDateTime64('…', 3, 'UTC')`
 * - `{{time}}` → `toStartOfInterval(dt, INTERVAL n SECOND)`; `{{interval}}` → `n`
 * - `label('x')` / `metricTag('x')` → `tags['x']` (always a string, `''` when absent)
 * - `histogramQuantile(p)` → `quantilePrometheusHistogramArrayMerge(p)(bucket_quantiles)`
 *
 * String literals, quoted identifiers and comments are left untouched. Unknown placeholders
 * throw, so a typo never reaches ClickHouse as `{{…}}`.
 *
 * @example expandQuery("SELECT {{time}} AS time, avgMerge(value_avg) FROM {{source}} WHERE time BETWEEN {{start_time}} AND {{end_time}} AND name = 'x' GROUP BY time", { startTime, endTime })
 */
export function expandQuery(sql: string, options: ExpandQueryOptions): string {
  const fn = 'expandQuery';
  expectString(fn, sql, 'sql to be a string');
  expectObject(fn, options, 'options (an object with startTime and endTime Dates)');
  const option = (key: keyof ExpandQueryOptions): unknown => readField(fn, options, 'options', key);
  const source = (option('source') as string | null | undefined) ?? TABLES.metrics;
  expectString(fn, source, 'options.source to be a table name or undefined');
  if (!IDENTIFIER.test(source)) throw new Error(`expandQuery: invalid source table name "${source}"`);
  const startTime = expectDate(fn, option('startTime'), 'options.startTime to be a Date');
  const endTime = expectDate(fn, option('endTime'), 'options.endTime to be a Date');
  const intervalSeconds = (option('intervalSeconds') as number | null | undefined) ?? defaultIntervalSeconds(startTime, endTime);
  if (!Number.isInteger(intervalSeconds) || intervalSeconds <= 0) {
    throw new RangeError(`expandQuery: intervalSeconds must be a positive integer, got ${String(intervalSeconds)}`);
  }
  return sql.replace(
    SURFACE_PATTERN,
    (match, placeholder?: string, argument?: string, tagFunction?: string, tagLiteral?: string, quantile?: string) => {
      if (placeholder !== undefined) {
        return expandPlaceholder(placeholder.toLowerCase(), argument, { source, startTime, endTime, intervalSeconds });
      }
      if (tagFunction !== undefined && tagLiteral !== undefined) return `tags[${tagLiteral}]`;
      if (quantile !== undefined) return histogramQuantileSql(quantile);
      return match;
    },
  );
}

function expandPlaceholder(
  name: string,
  argument: string | undefined,
  context: { source: string; startTime: Date; endTime: Date; intervalSeconds: number },
): string {
  switch (name) {
    case 'source':
      if (argument === undefined) return context.source;
      if (!SOURCE_TABLES.has(argument)) {
        throw new Error(
          `expandQuery: unknown source "${argument}" (expected one of ${[...SOURCE_TABLES].join(', ')})`,
        );
      }
      return argument;
    case 'start_time':
      return formatDateTimeLiteral(context.startTime);
    case 'end_time':
      return formatDateTimeLiteral(context.endTime);
    case 'time':
      return `toStartOfInterval(dt, INTERVAL ${context.intervalSeconds} SECOND)`;
    case 'interval':
      return String(context.intervalSeconds);
    default:
      throw new Error(`expandQuery: unknown placeholder {{${name}}}`);
  }
}

/** The SQL `histogramQuantile(p)` stands for. */
export function histogramQuantileSql(level: string | number): string {
  const text = String(level).trim();
  const value = Number(text);
  if (text === '' || !Number.isFinite(value) || value < 0 || value > 1) {
    throw new RangeError(`histogramQuantile: level must be a number in [0, 1], got "${text}"`);
  }
  return `quantilePrometheusHistogramArrayMerge(${value})(bucket_quantiles)`;
}

// ---------------------------------------------------------------------------------------------
// Metric points → rows of metric_points
// ---------------------------------------------------------------------------------------------

/** Attribute values accepted as metric tags; everything is stored as a string. */
export type TagValue = string | number | boolean;

/** One data point of an OTLP-like metric, as the collector and seeding tests hand it over. */
export interface MetricPointInput {
  /** Metric name. @example 'ai_tool_executions' */
  name: string;
  /** `gauge`, `sum` (counter / up-down counter) or `histogram` (explicit buckets). */
  kind: 'gauge' | 'sum' | 'histogram';
  /** Tags (resource + point attributes, flattened). @example { tool_name: 'seedream', success: 'true' } */
  tags?: Record<string, TagValue>;
  /** Time of the point: a Date or unix milliseconds. */
  time: Date | number;
  /** Start of the point's aggregation window (OTLP startTimeUnixNano), Date or unix ms. */
  startTime?: Date | number;
  /** Sums: `cumulative` (default) or `delta`. Histograms too. */
  temporality?: 'cumulative' | 'delta';
  /** Sums: monotonic counters get a `rate`; default true. */
  monotonic?: boolean;
  /** Gauge or sum value. */
  value?: number;
  /** Histogram explicit upper bounds, without the implicit +Inf. @example [5, 10, 25] */
  bounds?: number[];
  /** Histogram counts per bucket, `bounds.length + 1` entries (last is the +Inf bucket). */
  bucketCounts?: number[];
  /** Histogram sum / count / min / max of the window. */
  sum?: number;
  count?: number;
  min?: number;
  max?: number;
}

/** A plain row of `metric_points` (JSONEachRow shape); the view turns it into states. */
export interface MetricRow {
  /** Unix seconds (rounded down to {@link METRIC_RESOLUTION_SECONDS}). */
  dt: number;
  name: string;
  /** UInt64 as a decimal string (JSON numbers lose precision above 2^53). */
  series_id: string;
  point_tags: Record<string, string>;
  value: number | null;
  rate: number | null;
  /** Explicit upper bounds, without the final +Inf (the view appends it). */
  bounds: number[];
  /** Per-bucket counts of this window (deltas, never cumulative). */
  counts: number[];
  histogram_sum: number | null;
  histogram_count: number | null;
  histogram_min: number | null;
  histogram_max: number | null;
}

interface SeriesState {
  time: number;
  value?: number;
  bucketCounts?: number[];
  sum?: number;
  count?: number;
}

/**
 * The last point of each cumulative series, needed to turn cumulative counters into rates and
 * cumulative histograms into per-window deltas. In memory and bounded: the collector keeps one
 * for its lifetime; the first point of a series seen after a (collector) restart is measured
 * from its `startTime` (the counter's start), which is exact when the collector saw the series
 * from the beginning and otherwise attributes the whole count to that first window.
 */
export class SeriesMemory {
  private readonly entries = new Map<string, SeriesState>();

  /** @param maxSeries oldest series are forgotten beyond this many. */
  constructor(readonly maxSeries = 100_000) {
    expectNumber('SeriesMemory', maxSeries, 'maxSeries to be a number or undefined', false);
  }

  get size(): number {
    return this.entries.size;
  }

  get(key: string): SeriesState | undefined {
    return this.entries.get(key);
  }

  set(key: string, state: SeriesState): void {
    // Re-inserting moves the key to the end, so eviction drops the least recently seen series.
    this.entries.delete(key);
    this.entries.set(key, state);
    if (this.entries.size > this.maxSeries) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
  }

  clear(): void {
    this.entries.clear();
  }
}

function toMillis(time: Date | number | undefined, name: string, field: string): number | undefined {
  if (time === undefined) return undefined;
  if (typeof time !== 'number' && typeof (time as Partial<Date> | null)?.getTime !== 'function') {
    throw new TypeError(`metric point ${name}: ${field} must be a Date or unix milliseconds, got ${describeValue(time)}`);
  }
  const ms = typeof time === 'number' ? time : time.getTime();
  return Number.isFinite(ms) ? ms : undefined;
}

/** The `memory` argument: undefined or null (none), or a {@link SeriesMemory}. */
function expectMemory(fn: string, memory: SeriesMemory | null | undefined): SeriesMemory | undefined {
  if (memory === undefined || memory === null) return undefined;
  if (memory instanceof SeriesMemory) return memory;
  // Duck-typed, so a SeriesMemory of the other build (ESM / CJS) of this module passes too.
  const expected = 'memory to be a SeriesMemory or undefined';
  expectObject(fn, memory, expected);
  expectFunction(fn, readField(fn, memory, 'memory', 'get'), expected);
  expectFunction(fn, readField(fn, memory, 'memory', 'set'), expected);
  return memory;
}

/** The `points` argument of {@link toMetricRows} and {@link insertMetricPointsSql}. */
function expectPoints(fn: string, points: unknown): readonly MetricPointInput[] {
  return expectArray<MetricPointInput>(fn, points, 'points to be an array of metric points');
}

function normalizeTags(tags: Record<string, TagValue> | undefined): Record<string, string> {
  const result: Record<string, string> = {};
  if (!tags) return result;
  for (const key of Object.keys(tags)) {
    const value = tags[key];
    if (value === undefined || value === null) continue;
    result[key] = typeof value === 'string' ? value : String(value);
  }
  return result;
}

function finiteOrNull(value: number | undefined): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

/**
 * Turns metric points into `metric_points` rows — the one conversion used by the collector's
 * ingestion and by tests that seed data.
 *
 * - gauge: `value`; no rate.
 * - sum, monotonic, cumulative: `value` is the counter; `rate` (per second) is the increase over
 *   the previous point of the series held in `memory` (a decrease is a reset: the new value
 *   counts from 0); without a previous point, `value / (time - startTime)` when `startTime` is
 *   known, else no rate.
 * - sum, delta: `value` is the window's increase; `rate = value / (time - startTime)`.
 * - sum, not monotonic: `value` only.
 * - histogram: `counts` are per-window deltas (cumulative points are differenced against
 *   `memory` like counters; a reset or changed bounds restarts from the point itself),
 *   `bounds` stay without +Inf (the view appends it), `histogram_sum`/`histogram_count` are window deltas too.
 *
 * Throws a TypeError for a point it cannot store (missing name, non-finite time, histogram whose
 * counts do not match its bounds) — the collector counts those as rejected.
 *
 * @example toMetricRows([{ name: 'queue_depth', kind: 'gauge', time: Date.now(), value: 3 }])
 */
export function toMetricRows(points: readonly MetricPointInput[], memory?: SeriesMemory): MetricRow[] {
  return metricRows('toMetricRows', points, memory);
}

function metricRows(fn: string, points: readonly MetricPointInput[], memory: SeriesMemory | undefined): MetricRow[] {
  expectPoints(fn, points);
  const checkedMemory = expectMemory(fn, memory);
  const rows: MetricRow[] = [];
  for (const point of points) rows.push(metricRow(point, checkedMemory));
  return rows;
}

/** {@link toMetricRows} for one point. */
export function toMetricRow(point: MetricPointInput, memory?: SeriesMemory): MetricRow {
  return metricRow(point, expectMemory('toMetricRow', memory));
}

function metricRow(point: MetricPointInput, memory: SeriesMemory | undefined): MetricRow {
  if (!point || typeof point.name !== 'string' || point.name === '') {
    throw new TypeError('metric point needs a non-empty name');
  }
  const time = toMillis(point.time, point.name, 'time');
  if (time === undefined) throw new TypeError(`metric point ${point.name}: invalid time`);
  const startTime = toMillis(point.startTime, point.name, 'startTime');
  const tags = normalizeTags(point.tags);
  const series = seriesId(point.name, tags);
  const row: MetricRow = {
    dt: Math.floor(time / 1000 / METRIC_RESOLUTION_SECONDS) * METRIC_RESOLUTION_SECONDS,
    name: point.name,
    series_id: series,
    point_tags: tags,
    value: null,
    rate: null,
    bounds: [],
    counts: [],
    histogram_sum: null,
    histogram_count: null,
    histogram_min: null,
    histogram_max: null,
  };
  const cumulative = (point.temporality ?? 'cumulative') === 'cumulative';
  const windowSeconds = (from: number | undefined): number | undefined =>
    from !== undefined && time > from ? (time - from) / 1000 : undefined;

  switch (point.kind) {
    case 'gauge':
      row.value = requireFinite(point.value, point.name);
      return row;
    case 'sum': {
      const value = requireFinite(point.value, point.name);
      row.value = value;
      if (point.monotonic === false) return row;
      if (!cumulative) {
        const seconds = windowSeconds(startTime);
        row.rate = seconds === undefined ? null : value / seconds;
        return row;
      }
      const previous = memory?.get(series);
      if (previous?.value !== undefined && time > previous.time) {
        const increase = value >= previous.value ? value - previous.value : value;
        row.rate = increase / ((time - previous.time) / 1000);
      } else if (previous === undefined) {
        const seconds = windowSeconds(startTime);
        row.rate = seconds === undefined ? null : value / seconds;
      }
      if (!previous || time >= previous.time) memory?.set(series, { time, value });
      return row;
    }
    case 'histogram': {
      const bounds = point.bounds ?? [];
      const counts = point.bucketCounts ?? [];
      if (!Array.isArray(bounds) || !Array.isArray(counts)) {
        throw new TypeError(`metric point ${point.name}: histogram bounds and bucketCounts must be arrays of numbers`);
      }
      if (counts.length !== bounds.length + 1) {
        throw new TypeError(
          `metric point ${point.name}: histogram needs bounds.length + 1 bucket counts (got ${bounds.length} bounds, ${counts.length} counts)`,
        );
      }
      if (!counts.every((c) => Number.isFinite(c) && c >= 0) || !bounds.every((b) => Number.isFinite(b))) {
        throw new TypeError(`metric point ${point.name}: histogram bounds and counts must be finite numbers`);
      }
      let deltaCounts = counts.slice();
      let deltaSum = finiteOrNull(point.sum);
      let deltaCount = finiteOrNull(point.count) ?? counts.reduce((a, b) => a + b, 0);
      if (cumulative && memory) {
        const previous = memory.get(series);
        const comparable =
          previous?.bucketCounts !== undefined &&
          previous.bucketCounts.length === counts.length &&
          time > previous.time &&
          (previous.count ?? 0) <= deltaCount &&
          counts.every((c, i) => c >= (previous.bucketCounts?.[i] ?? 0));
        if (comparable && previous?.bucketCounts) {
          const before = previous.bucketCounts;
          deltaCounts = counts.map((c, i) => c - (before[i] ?? 0));
          deltaCount -= previous.count ?? 0;
          if (deltaSum !== null && previous.sum !== undefined) deltaSum -= previous.sum;
        }
        if (!previous || time >= previous.time) {
          memory.set(series, {
            time,
            bucketCounts: counts.slice(),
            count: finiteOrNull(point.count) ?? counts.reduce((a, b) => a + b, 0),
            ...(finiteOrNull(point.sum) !== null ? { sum: point.sum } : {}),
          });
        }
      }
      row.bounds = bounds.slice();
      row.counts = deltaCounts;
      row.histogram_sum = deltaSum;
      row.histogram_count = deltaCount;
      row.histogram_min = finiteOrNull(point.min);
      row.histogram_max = finiteOrNull(point.max);
      return row;
    }
    default:
      throw new TypeError(`metric point ${String((point as { name?: unknown }).name)}: unsupported kind ${String((point as { kind?: unknown }).kind)}`);
  }
}

function requireFinite(value: number | undefined, name: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new TypeError(`metric point ${name}: value must be a finite number`);
  }
  return value;
}

/** Rows as JSONEachRow text (one JSON object per line, trailing newline). Rows hold only finite numbers. */
export function metricRowsToJsonEachRow(rows: readonly MetricRow[]): string {
  expectArray('metricRowsToJsonEachRow', rows, 'rows to be an array of metric rows');
  let text = '';
  for (const row of rows) text += `${JSON.stringify(row)}\n`;
  return text;
}

/**
 * One SQL statement inserting the points into `metrics` (through `metric_points` and its
 * view). Run it with chdb's `Session.query`. Returns `''` when there is nothing to insert.
 *
 * @example session.query(insertMetricPointsSql([{ name: 'process_resident_memory_bytes', kind: 'gauge', time: new Date(), value: 1e9 }]))
 */
export function insertMetricPointsSql(points: readonly MetricPointInput[], memory?: SeriesMemory): string {
  const rows = metricRows('insertMetricPointsSql', points, memory);
  if (rows.length === 0) return '';
  return `INSERT INTO ${TABLES.metricPoints} FORMAT JSONEachRow\n${metricRowsToJsonEachRow(rows)}`;
}

// ---------------------------------------------------------------------------------------------
// Series id
// ---------------------------------------------------------------------------------------------

const utf8 = new TextEncoder();

/**
 * Stable 64-bit id of a series (FNV-1a 64 over the name and the sorted tags), as a decimal
 * string because JSON numbers cannot hold a UInt64.
 *
 * @example seriesId('ai_tool_executions', { tool_name: 'x', success: 'true' }) // '1234…'
 */
export function seriesId(name: string, tags: Record<string, TagValue> | null = {}): string {
  expectString('seriesId', name, 'a metric name (a string)');
  // null is no tags, as undefined is.
  const checkedTags = tags === null ? {} : expectObject<Record<string, TagValue>>('seriesId', tags, 'tags to be an object or undefined');
  const keys = Object.keys(checkedTags).sort();
  const canonical: unknown[] = [name];
  for (const key of keys) {
    const value = checkedTags[key];
    if (value === undefined || value === null) continue;
    canonical.push(key, typeof value === 'string' ? value : String(value));
  }
  return fnv1a64(utf8.encode(JSON.stringify(canonical)));
}

/** FNV-1a 64 with 16-bit limbs, so it stays in exact double arithmetic (no BigInt per byte). */
function fnv1a64(bytes: Uint8Array): string {
  let h0 = 0x2325;
  let h1 = 0x8422;
  let h2 = 0x9ce4;
  let h3 = 0xcbf2;
  for (let i = 0; i < bytes.length; i++) {
    h0 ^= bytes[i] as number;
    // multiply by the FNV prime 2^40 + 0x1b3
    const t0 = h0 * 0x1b3;
    let t1 = h1 * 0x1b3;
    let t2 = h2 * 0x1b3;
    let t3 = h3 * 0x1b3;
    t2 += h0 << 8;
    t3 += h1 << 8;
    t1 += t0 >>> 16;
    h0 = t0 & 0xffff;
    t2 += t1 >>> 16;
    h1 = t1 & 0xffff;
    h3 = (t3 + (t2 >>> 16)) & 0xffff;
    h2 = t2 & 0xffff;
  }
  const high = BigInt(((h3 << 16) | h2) >>> 0);
  const low = BigInt(((h1 << 16) | h0) >>> 0);
  return ((high << 32n) | low).toString();
}

// ---------------------------------------------------------------------------------------------
// Time helpers for inserting record rows
// ---------------------------------------------------------------------------------------------

/**
 * A `dt` value for JSONEachRow inserts from OTLP unix nanoseconds (string, bigint or number):
 * `"<seconds>.<nanoseconds>"`, which ClickHouse parses into DateTime64 without losing digits.
 */
export function dtFromUnixNanos(nanos: string | bigint | number): string {
  if (typeof nanos !== 'string' && typeof nanos !== 'bigint' && typeof nanos !== 'number') {
    fail('dtFromUnixNanos', 'unix nanoseconds (a string, bigint or number)', nanos);
  }
  let text = typeof nanos === 'bigint' ? nanos.toString() : typeof nanos === 'number' ? BigInt(Math.trunc(nanos)).toString() : nanos;
  if (!/^\d+$/.test(text)) text = '0';
  const padded = text.padStart(10, '0');
  return `${padded.slice(0, -9) || '0'}.${padded.slice(-9)}`;
}

/** A `dt` value for JSONEachRow inserts from a Date, unix milliseconds, or unix seconds as Sentry sends them (`{ seconds: 1.7e9 }`). */
export function dtFromDate(time: Date | number | { seconds: number }): string {
  const ms = typeof time === 'number' ? time : time instanceof Date ? time.getTime() : secondsOf(time) * 1000;
  if (!Number.isFinite(ms)) return '0.000000';
  const micros = Math.round(ms * 1000);
  // A decimal number of seconds, so a time before 1970 is its magnitude with a minus sign
  // (−1.5 s is "-1.500000", not whole seconds floored to −2 plus a positive fraction).
  const magnitude = Math.abs(micros);
  const seconds = Math.floor(magnitude / 1_000_000);
  const fraction = magnitude - seconds * 1_000_000;
  return `${micros < 0 ? '-' : ''}${seconds}.${String(fraction).padStart(6, '0')}`;
}

/** The `seconds` of {@link dtFromDate}'s Sentry form. */
function secondsOf(time: unknown): number {
  const fn = 'dtFromDate';
  const object = expectObject<object>(fn, time, 'a Date, unix milliseconds or { seconds }');
  return readField(fn, object, '{ seconds }', 'seconds') as number;
}
