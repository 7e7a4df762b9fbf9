import { alertSignal } from './alert-signal';
import { expectAlert, expectDialect, expectPanel } from './expect-argument';
import { findMetric } from './metric-definitions';
import { UnknownMetricError, UnsupportedDialectError } from './model-validation-error';
import type { Alert, GaugeAggregation, LabelFilter, MetricDefinition, Panel, PanelQuery, RenderSqlOptions, Signal } from './types';

/** A SQL string literal (ClickHouse escaping). */
function literal(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** Numbers as SQL: finite only, no exponent surprises for the values used here. */
function numberSql(value: number): string {
  if (!Number.isFinite(value)) throw new RangeError(`not a finite number: ${String(value)}`);
  return String(value);
}

function requireMetric(name: string): MetricDefinition {
  const metric = findMetric(name);
  if (metric === undefined) throw new UnknownMetricError('metric', name);
  return metric;
}

function filterSql(filter: LabelFilter): string {
  const tag = `label(${literal(filter.label)})`;
  if (typeof filter.value === 'number') return `toFloat64OrNull(${tag}) ${filter.operator} ${numberSql(filter.value)}`;
  return `${tag} ${filter.operator} ${literal(filter.value)}`;
}

function whereSql(sourceMetric: string, filters: readonly LabelFilter[] | undefined): string {
  return ['dt BETWEEN {{start_time}} AND {{end_time}}', `name = ${literal(sourceMetric)}`, ...(filters ?? []).map(filterSql)].join('\n  AND ');
}

const STATE_COLUMN: Record<GaugeAggregation, string> = { avg: 'avgMerge(value_avg)', max: 'maxMerge(value_max)', min: 'minMerge(value_min)' };

/**
 * One SELECT with columns `time`, [`series`], `value` for a signal on the unified schema.
 * `series` is a SQL expression, or `undefined` for alert queries (no series column).
 */
function unifiedSelect(signal: Signal, series: string | undefined): string {
  const metric = requireMetric(signal.metric);
  const sourceMetric = metric.derivedFrom?.metric ?? metric.name;
  const seriesColumn = series === undefined ? '' : `${series} AS series, `;
  const seriesGroup = series === undefined ? '' : ', series';
  const outerSeries = series === undefined ? '' : 'series, ';
  switch (signal.kind) {
    case 'gauge': {
      const aggregation = signal.aggregation ?? metric.defaultAggregation ?? 'avg';
      let value = STATE_COLUMN[aggregation];
      if (metric.derivedFrom?.divideBy !== undefined) value += ` / ${numberSql(metric.derivedFrom.divideBy)}`;
      if (signal.scale !== undefined) value += ` * ${numberSql(signal.scale)}`;
      return `SELECT {{time}} AS time, ${seriesColumn}toFloat64(${value}) AS value
FROM {{source}}
WHERE ${whereSql(sourceMetric, undefined)}
GROUP BY time${seriesGroup}
HAVING isFinite(value)`;
    }
    case 'quantile':
      return `SELECT {{time}} AS time, ${seriesColumn}toFloat64(histogramQuantile(${numberSql(signal.quantile)})) AS value
FROM {{source}}
WHERE ${whereSql(sourceMetric, signal.where)}
GROUP BY time${seriesGroup}
HAVING sumMerge(bucket_count) > 0 AND isFinite(value)`;
    case 'rate':
      // Counters: average per-second rate of each series in the bucket, summed over series.
      return `SELECT time, ${outerSeries}toFloat64(sum(series_rate) * 60) AS value
FROM (
  SELECT {{time}} AS time, ${seriesColumn}series_id, avgMerge(rate_avg) AS series_rate
  FROM {{source}}
  WHERE ${whereSql(sourceMetric, signal.where)}
  GROUP BY time${seriesGroup}, series_id
)
WHERE isFinite(series_rate)
GROUP BY time${seriesGroup}`;
    case 'ratio': {
      const matched = signal.match.map(filterSql).join(' AND ');
      if (metric.type === 'counter') {
        return `SELECT time, ${outerSeries}toFloat64(100 * sumIf(series_rate, matched) / sum(series_rate)) AS value
FROM (
  SELECT {{time}} AS time, ${seriesColumn}series_id, (${matched}) AS matched, avgMerge(rate_avg) AS series_rate
  FROM {{source}}
  WHERE ${whereSql(sourceMetric, signal.where)}
  GROUP BY time${seriesGroup}, series_id, matched
)
WHERE isFinite(series_rate)
GROUP BY time${seriesGroup}
HAVING sum(series_rate) > 0`;
      }
      return `SELECT time, ${outerSeries}toFloat64(100 * sumIf(events, matched) / sum(events)) AS value
FROM (
  SELECT {{time}} AS time, ${seriesColumn}(${matched}) AS matched, sumMerge(bucket_count) AS events
  FROM {{source}}
  WHERE ${whereSql(sourceMetric, signal.where)}
  GROUP BY time${seriesGroup}, matched
)
GROUP BY time${seriesGroup}
HAVING sum(events) > 0`;
    }
  }
}

function seriesExpression(query: PanelQuery): string {
  return query.groupBy !== undefined ? `label(${literal(query.groupBy)})` : literal(query.series ?? '');
}

function legacyColumn(signal: Signal, alias: string): string {
  const metric = requireMetric(signal.metric);
  if (signal.kind !== 'gauge') throw new UnsupportedDialectError('legacy', `legacy sources only hold gauges; "${metric.name}" is queried as ${signal.kind}`);
  if (metric.legacy === undefined) throw new UnsupportedDialectError('legacy', `metric "${metric.name}" has no legacy column`);
  const aggregation = signal.aggregation ?? metric.defaultAggregation ?? 'avg';
  if (aggregation !== metric.legacy.aggregation) {
    throw new UnsupportedDialectError('legacy', `legacy column "${metric.legacy.column}" holds ${metric.legacy.aggregation} states; ${aggregation} is not available`);
  }
  const scale = signal.scale === undefined ? '' : ` * ${numberSql(signal.scale)}`;
  return `${aggregation}Merge(${metric.legacy.column})${scale} as ${alias}`;
}

/** The team's existing wide form, one `xMerge(column)` per metric column, per minute. */
function legacySelect(columns: readonly string[]): string {
  return `SELECT
toStartOfInterval(dt, INTERVAL 1 minute) as time,
${columns.join(',\n')}
FROM {{source}}
WHERE dt BETWEEN {{start_time}} AND {{end_time}}
GROUP BY time
ORDER BY time`;
}

/**
 * BetterStack SQL for a panel, with its placeholders (`{{source}}`, `{{time}}`, `{{start_time}}`,
 * `{{end_time}}`, `label()`, `histogramQuantile()`).
 *
 * - `unified` (default): long format, columns `time` (DateTime), `series` (String, the query's
 *   `series` name, the `groupBy` tag value, or `''`) and `value` (Float64), ordered by time and series.
 * - `legacy`: the team's wide per-metric-column form (`avgMerge(workers_utilization) * 100 as
 *   utilization`); only gauge panels without `groupBy` whose metrics have legacy columns.
 *   Throws {@link UnsupportedDialectError} otherwise.
 *
 * @example renderPanelSql(builtInDashboards[0].panels[0], { dialect: 'legacy' })
 */
export function renderPanelSql(panel: Panel, options: RenderSqlOptions = {}): string {
  expectPanel('renderPanelSql', panel);
  const dialect = expectDialect('renderPanelSql', options);
  if (panel.queries.length === 0) throw new RangeError(`panel "${panel.id}" has no queries`);
  if (dialect === 'legacy') {
    return legacySelect(
      panel.queries.map((query) => {
        if (query.groupBy !== undefined) throw new UnsupportedDialectError('legacy', `panel "${panel.id}": legacy sources have no tags to group by`);
        return legacyColumn(query, query.legacyAlias ?? query.series ?? query.metric);
      }),
    );
  }
  const selects = panel.queries.map((query) => unifiedSelect(query, seriesExpression(query)));
  if (selects.length === 1) return `${selects[0]}\nORDER BY time, series`;
  return `SELECT time, series, value
FROM (
${selects.join('\nUNION ALL\n')}
)
ORDER BY time, series`;
}

/**
 * BetterStack SQL for an alert: columns `time` (one row per `{{time}}` bucket — alerts are
 * pushed with a 60 s aggregation interval, so per minute) and `value` (Float64).
 *
 * @example renderAlertSql(builtInAlerts[0]) // SELECT {{time}} AS time, toFloat64(avgMerge(value_avg)) AS value …
 */
export function renderAlertSql(alert: Alert, options: RenderSqlOptions = {}): string {
  expectAlert('renderAlertSql', alert);
  const dialect = expectDialect('renderAlertSql', options);
  const signal = alertSignal(alert);
  if (dialect === 'legacy') return legacySelect([legacyColumn(signal, 'value')]);
  return `${unifiedSelect(signal, undefined)}\nORDER BY time`;
}
