import { builtInAlerts, builtInDashboards, dashboardDialect, evaluateAlert, renderAlertSql, renderPanelSql } from '@kira/dashboards';
import type { CollectorContext } from '../context';
import { parseClickHouseTime, type UiRange } from './ui-range';

/** One line of a chart: `[unix ms, value]` points in time order. */
export interface UiSeries {
  name: string;
  points: Array<[number, number]>;
}

export interface UiPanel {
  id: string;
  title: string;
  unit: string;
  series: UiSeries[];
  /** The BetterStack SQL the panel ran, placeholders and all, ready to paste into BetterStack. */
  sql: string;
  /** `legacy`: the team's per-metric-column form (wide rows); `unified`: time/series/value rows. */
  dialect: 'legacy' | 'unified';
  /** Set when the panel's query failed; the other panels are still drawn. */
  error?: string;
}

export interface UiDashboards {
  range: string;
  start: string;
  end: string;
  dashboards: Array<{ name: string; title: string; dialect: 'legacy' | 'unified'; panels: UiPanel[] }>;
}

export interface UiAlert {
  name: string;
  title: string;
  service: string;
  critical: boolean;
  state: 'ok' | 'pending' | 'firing' | 'no_data' | 'error';
  value?: number;
  /** The rule in words. @example 'workers_utilization > 0.8 for 2m' */
  condition: string;
  /** Why the state is what it is, when that needs saying (no data, query error). */
  detail: string;
}

/** Dashboard and alert queries are per-minute signals (rates are "per minute"), whatever the range. */
const INTERVAL_SECONDS = 60;
/** Alerts look back far enough to cover the longest confirmation period plus slack. */
const ALERT_LOOKBACK_MS = 30 * 60_000;

/**
 * Runs every panel of every built-in dashboard through the store's query surface, as `/query`
 * would, in the SQL the team runs it with in BetterStack (`dashboardDialect`): kira-imgproxy in
 * its per-metric-column form, kira-be in the unified one.
 */
export async function dashboardsPayload(ctx: CollectorContext, range: UiRange): Promise<UiDashboards> {
  const dashboards = [];
  for (const dashboard of builtInDashboards) {
    const dialect = dashboardDialect(dashboard);
    const panels: UiPanel[] = [];
    for (const panel of dashboard.panels) {
      const panelSql = renderPanelSql(panel, { dialect });
      const shown = { id: panel.id, title: panel.title, unit: panel.unit, sql: panelSql, dialect };
      try {
        const result = await ctx.store.readOnlyQuery(panelSql, {
          // Whole minutes (nothing exists past now), so the store can answer from its per-minute rollup.
          startTime: new Date(Math.floor(range.start.getTime() / 60_000) * 60_000),
          endTime: new Date(Math.ceil(range.end.getTime() / 60_000) * 60_000),
          intervalSeconds: INTERVAL_SECONDS,
        });
        panels.push({ ...shown, series: dialect === 'legacy' ? wideToSeries(result.rows) : toSeries(result.rows, panel.queries) });
      } catch (error) {
        panels.push({ ...shown, series: [], error: (error as Error).message });
      }
    }
    dashboards.push({ name: dashboard.id, title: dashboard.title, dialect, panels });
  }
  return { range: range.name, start: range.start.toISOString(), end: range.end.toISOString(), dashboards };
}

/** Wide rows (`time` + one column per metric, the legacy form) → one series per column, in column order. */
function wideToSeries(rows: Record<string, unknown>[]): UiSeries[] {
  const byName = new Map<string, Array<[number, number]>>();
  for (const row of rows) {
    const time = parseClickHouseTime(row.time);
    if (time === undefined) continue;
    for (const [name, raw] of Object.entries(row)) {
      if (name === 'time') continue;
      let points = byName.get(name);
      if (!points) byName.set(name, (points = []));
      // avgMerge of a minute without samples is nan (JSON null): a gap, not a zero.
      const value = raw === null ? Number.NaN : Number(raw);
      if (Number.isFinite(value)) points.push([time, value]);
    }
  }
  return [...byName]
    .filter(([, points]) => points.length > 0)
    .map(([name, points]) => ({ name, points: points.sort((a, b) => a[0] - b[0]) }));
}

/** Long rows (`time`, `series`, `value`) → one series per name, in the order queries declare them. */
function toSeries(rows: Record<string, unknown>[], queries: ReadonlyArray<{ series?: string; metric: string }>): UiSeries[] {
  const byName = new Map<string, Array<[number, number]>>();
  for (const query of queries) if (query.series !== undefined) byName.set(query.series, []);
  for (const row of rows) {
    const time = parseClickHouseTime(row.time);
    const value = Number(row.value);
    if (time === undefined || !Number.isFinite(value)) continue;
    const name = typeof row.series === 'string' && row.series !== '' ? row.series : (queries[0]?.metric ?? 'value');
    let points = byName.get(name);
    if (!points) byName.set(name, (points = []));
    points.push([time, value]);
  }
  return [...byName]
    .filter(([, points]) => points.length > 0)
    .map(([name, points]) => ({ name, points: points.sort((a, b) => a[0] - b[0]) }));
}

/** Evaluates each built-in alert over its own query's series for the last half hour. */
export async function alertsPayload(ctx: CollectorContext, now = new Date()): Promise<{ alerts: UiAlert[] }> {
  const alerts: UiAlert[] = [];
  for (const alert of builtInAlerts) {
    const base = {
      name: alert.id,
      title: alert.name,
      service: alert.service,
      critical: alert.severity === 'critical',
      condition: '',
    };
    const kind = alert.signal?.kind ?? 'gauge';
    base.condition = `${kind === 'gauge' ? alert.metric : `${kind}(${alert.metric})`} ${alert.operator} ${alert.threshold} for ${alert.forSeconds / 60}m`;
    try {
      const result = await ctx.store.readOnlyQuery(renderAlertSql(alert), {
        startTime: new Date(now.getTime() - ALERT_LOOKBACK_MS),
        endTime: now,
        intervalSeconds: INTERVAL_SECONDS,
      });
      const series = result.rows
        .map((row) => ({ time: new Date(parseClickHouseTime(row.time) ?? Number.NaN), value: Number(row.value) }))
        .filter((point) => !Number.isNaN(point.time.getTime()));
      if (series.length === 0) {
        alerts.push({ ...base, state: 'no_data', detail: 'no data in the last 30 minutes' });
        continue;
      }
      // The minute in progress may not have been exported yet; judge gaps from the one before.
      const evaluation = evaluateAlert(alert, series, { now: new Date(now.getTime() - 60_000) });
      alerts.push({
        ...base,
        state: evaluation.state,
        ...(evaluation.lastValue !== undefined ? { value: evaluation.lastValue } : {}),
        detail: evaluation.breachingSince ? `breaching since ${evaluation.breachingSince.toISOString()}` : '',
      });
    } catch (error) {
      alerts.push({ ...base, state: 'error', detail: (error as Error).message });
    }
  }
  // Firing first: the list is the page's headline.
  const order = { firing: 0, pending: 1, error: 2, ok: 3, no_data: 4 };
  return { alerts: alerts.map((alert, index) => ({ alert, index })).sort((a, b) => order[a.alert.state] - order[b.alert.state] || a.index - b.index).map(({ alert }) => alert) };
}
