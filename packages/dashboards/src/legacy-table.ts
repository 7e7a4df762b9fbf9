import { metricDefinitions } from './metric-definitions';

/** Legacy (per-metric column) columns: name and the aggregate state each holds. */
export function legacyColumns(): { column: string; aggregation: 'avg' | 'max' }[] {
  return metricDefinitions.flatMap((metric) => (metric.legacy === undefined ? [] : [metric.legacy]));
}

/**
 * DDL of a table shaped like the team's older BetterStack sources: `dt` plus one
 * `AggregateFunction(avg|max, Float64)` column per metric (`workers_utilization`, `process_mb`, …),
 * which the legacy queries read with `avgMerge(column)` / `maxMerge(column)`.
 */
export function createLegacyTableSql(table: string): string {
  const columns = legacyColumns().map(({ column, aggregation }) => `  ${column} AggregateFunction(${aggregation}, Float64)`);
  return `CREATE TABLE IF NOT EXISTS ${table} (\n  dt DateTime('UTC'),\n${columns.join(',\n')}\n) ENGINE = AggregatingMergeTree\nORDER BY dt`;
}

/** One raw sample of the legacy source: a time and some column values (missing = no sample). */
export interface LegacySample {
  readonly time: Date;
  readonly values: Readonly<Record<string, number>>;
}

/** INSERT turning raw samples into the aggregate states of the legacy table, one row per sample. */
export function insertLegacySamplesSql(table: string, samples: readonly LegacySample[]): string {
  const columns = legacyColumns();
  const known = new Set(columns.map(({ column }) => column));
  for (const sample of samples) {
    for (const key of Object.keys(sample.values)) {
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
