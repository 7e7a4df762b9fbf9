import { expectDashboard, expectDate, expectMetricDefinitions, expectObject, expectObjects, expectString, readField, readOption } from './expect-argument';
import { metricDefinitions } from './metric-definitions';
import { UnsupportedDialectError } from './model-validation-error';
import { renderPanelSql } from './render-sql';
import { retentionTtlExpression, retentionTtlSeconds } from './schema';
import type { Dashboard, MetricDefinition } from './types';

/**
 * Table that holds the legacy (per-metric-column) shape next to the unified `metrics` table, in
 * the collector and in `validateQueries`' session. Its columns are {@link legacyColumns}.
 */
export const LEGACY_METRICS_TABLE = 'legacy_metrics';

/** The materialized view that keeps {@link LEGACY_METRICS_TABLE} live from `metric_points`. */
export const LEGACY_METRICS_VIEW = 'legacy_metrics_mv';

/** One legacy column: its name, the aggregate state it holds, and the emitted metric it is filled from. */
export interface LegacyColumn {
  readonly column: string;
  readonly aggregation: 'avg' | 'max';
  /** The metric as emitted over OTLP (imgproxy's own name). @example 'process_resident_memory_bytes' */
  readonly sourceMetric: string;
  /** The emitted value is divided by this (the model's derivation). @example 1048576 */
  readonly divideBy?: number;
}

/** Legacy (per-metric column) columns, from the `legacy` and `derivedFrom` of each metric definition. */
export function legacyColumns(definitions: readonly MetricDefinition[] = metricDefinitions): LegacyColumn[] {
  return expectMetricDefinitions('legacyColumns', definitions, metricDefinitions).flatMap((metric) => {
    if (metric.legacy === undefined) return [];
    const { column, aggregation } = metric.legacy;
    const sourceMetric = metric.derivedFrom?.metric ?? metric.name;
    const divideBy = metric.derivedFrom?.divideBy;
    return [divideBy === undefined ? { column, aggregation, sourceMetric } : { column, aggregation, sourceMetric, divideBy }];
  });
}

/** Options of {@link createLegacyTableSql} and {@link createLegacySchemaStatements}. */
export interface LegacyTableOptions {
  /** Adds the unified tables' daily partitions and TTL (the collector's retention). */
  readonly retentionDays?: number;
}

/**
 * DDL of a table shaped like the team's older BetterStack sources: `dt` plus one
 * `AggregateFunction(avg|max, Float64)` column per metric (`workers_utilization`, `process_mb`, …),
 * which the legacy queries read with `avgMerge(column)` / `maxMerge(column)`.
 */
export function createLegacyTableSql(table: string, options: LegacyTableOptions = {}): string {
  const fn = 'createLegacyTableSql';
  return legacyTableSql(expectTableName(fn, table), retentionDaysOption(fn, options));
}

/** A table name for the legacy DDL and INSERT. */
const expectTableName = (fn: string, table: unknown) => expectString(fn, table, 'a table name (a non-empty string)', true);

/** `options.retentionDays`; the number itself is retentionTtlSeconds' to judge. */
const retentionDaysOption = (fn: string, options: LegacyTableOptions | undefined) => readOption(fn, options, 'retentionDays') as number | undefined;

function legacyTableSql(table: string, retentionDays: number | undefined): string {
  const columns = legacyColumns().map(({ column, aggregation }) => `  ${column} AggregateFunction(${aggregation}, Float64)`);
  let partition = '';
  let ttl = '';
  if (retentionDays !== undefined) {
    partition = '\nPARTITION BY toDate(dt)';
    ttl = `\nTTL ${retentionTtlExpression(retentionTtlSeconds(retentionDays))}`;
  }
  return `CREATE TABLE IF NOT EXISTS ${table} (\n  dt DateTime('UTC'),\n${columns.join(',\n')}\n) ENGINE = AggregatingMergeTree${partition}\nORDER BY dt${ttl}`;
}

/**
 * The legacy table plus a materialized view from the unified ingest table `metric_points`, so
 * every metric point that feeds a legacy column (by its emitted name, divided as the model
 * derives it) also lands there as an aggregate state. Run after the unified schema's statements.
 *
 * @example for (const sql of [...createSchemaStatements(), ...createLegacySchemaStatements()]) session.query(sql)
 */
export function createLegacySchemaStatements(options: LegacyTableOptions = {}): string[] {
  const retentionDays = retentionDaysOption('createLegacySchemaStatements', options);
  const columns = legacyColumns();
  const states = columns.map(({ column, aggregation, sourceMetric, divideBy }) => {
    const value = divideBy === undefined ? 'ifNull(value, 0)' : `ifNull(value, 0) / ${String(divideBy)}`;
    return `  initializeAggregation('${aggregation}StateIf', ${value}, name = '${sourceMetric}' AND isNotNull(value)) AS ${column}`;
  });
  const sources = [...new Set(columns.map(({ sourceMetric }) => `'${sourceMetric}'`))];
  return [
    legacyTableSql(LEGACY_METRICS_TABLE, retentionDays),
    `CREATE MATERIALIZED VIEW IF NOT EXISTS ${LEGACY_METRICS_VIEW} TO ${LEGACY_METRICS_TABLE} AS
SELECT
  dt,
${states.join(',\n')}
FROM metric_points
WHERE name IN (${sources.join(', ')})`,
  ];
}

/** One raw sample of the legacy source: a time and some column values (missing = no sample). */
export interface LegacySample {
  readonly time: Date;
  readonly values: Readonly<Record<string, number>>;
}

/** INSERT turning raw samples into the aggregate states of the legacy table, one row per sample. */
export function insertLegacySamplesSql(table: string, samples: readonly LegacySample[]): string {
  const fn = 'insertLegacySamplesSql';
  expectTableName(fn, table);
  expectObjects(fn, samples, 'samples', 'samples to be an array of { time: Date, values: { column: number } }');
  const columns = legacyColumns();
  const known = new Set(columns.map(({ column }) => column));
  for (const sample of samples) {
    expectDate(fn, readField(fn, sample, 'samples', 'time'), 'every sample to have a Date time');
    for (const key of Object.keys(expectObject(fn, readField(fn, sample, 'samples', 'values'), 'every sample to have an object of column values'))) {
      if (!known.has(key)) throw new RangeError(`legacy table has no column "${key}"`);
    }
  }
  const structure = ['sample UInt32', 'ts UInt32', ...columns.map(({ column }) => `${column} Nullable(Float64)`)].join(', ');
  const tuples = samples.map((sample, index) => {
    const seconds = Math.floor(sample.time.getTime() / 1000);
    const values = columns.map(({ column }) => {
      const value = sample.values[column];
      return value === undefined || !Number.isFinite(value) ? 'NULL' : String(value);
    });
    return `(${[index, seconds, ...values].join(', ')})`;
  });
  const states = columns.map(({ column, aggregation }) => `${aggregation}StateIf(ifNull(${column}, 0), isNotNull(${column})) AS ${column}`);
  return `INSERT INTO ${table} SELECT toDateTime(ts, 'UTC') AS dt, ${states.join(', ')}
FROM values('${structure}', ${tuples.join(', ')})
GROUP BY sample, ts`;
}

/**
 * The dialect a dashboard runs in where the team runs it: `legacy` when every panel has a legacy
 * (per-metric-column) form — kira-imgproxy, whose BetterStack sources have those columns — else
 * `unified`. The collector's page and bench show each dashboard in this dialect.
 *
 * @example dashboardDialect(builtInDashboards[0]) // 'legacy'
 */
export function dashboardDialect(dashboard: Dashboard): 'legacy' | 'unified' {
  expectDashboard('dashboardDialect', dashboard);
  if (dashboard.panels.length === 0) return 'unified';
  try {
    for (const panel of dashboard.panels) renderPanelSql(panel, { dialect: 'legacy' });
    return 'legacy';
  } catch (error) {
    if (error instanceof UnsupportedDialectError) return 'unified';
    throw error;
  }
}
