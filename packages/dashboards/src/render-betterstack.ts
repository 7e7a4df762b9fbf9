import { alertSignal } from './alert-signal';
import { expectAlert, expectDashboard } from './expect-argument';
import { findMetric } from './metric-definitions';
import { renderAlertSql, renderPanelSql } from './render-sql';
import type { Alert, AlertOperator, Dashboard } from './types';

/**
 * BetterStack dashboard JSON (the import/export format of `POST /api/v2/dashboards/import`,
 * documented in "How to write a dashboard JSON"). The documented fields are `name`,
 * `refresh_interval`, `date_range_from`/`date_range_to`, `sections` and `charts` (`chart_type`,
 * `name`, `x`/`y`/`w`/`h` on a 12-column grid, `chart_queries` of `query_type: 'sql_expression'`
 * with `sql_query`, `chart_alerts`). A GUESS, not documented: `description` on charts and
 * `settings.unit` — BetterStack ignores what it doesn't know on import, so they are harmless.
 */
export interface BetterStackDashboardJson {
  name: string;
  refresh_interval: number;
  date_range_from: string;
  date_range_to: string;
  sections: { name: string; y: number; collapsed: boolean }[];
  charts: {
    chart_type: 'line_chart';
    name: string;
    description: string;
    x: number;
    y: number;
    w: number;
    h: number;
    settings: { unit: string };
    chart_queries: { query_type: 'sql_expression'; sql_query: string }[];
    chart_alerts: never[];
  }[];
}

const CHART_HEIGHT = 6;

/**
 * Renders a dashboard in BetterStack's import format; panels flow two per row (or by `width`).
 * Alerts are pushed separately (see {@link renderAlertDefinition}), so `chart_alerts` stays empty.
 *
 * @example JSON.stringify(renderDashboardJson(builtInDashboards[0]), null, 2)
 */
export function renderDashboardJson(dashboard: Dashboard): BetterStackDashboardJson {
  expectDashboard('renderDashboardJson', dashboard);
  let x = 0;
  let y = 1;
  const charts = dashboard.panels.map((panel) => {
    const w = Math.min(12, Math.max(1, panel.width ?? 6));
    if (x + w > 12) {
      x = 0;
      y += CHART_HEIGHT;
    }
    const chart = {
      chart_type: 'line_chart' as const,
      name: panel.title,
      description: `${dashboard.id}/${panel.id}`,
      x,
      y,
      w,
      h: CHART_HEIGHT,
      settings: { unit: panel.unit },
      chart_queries: [{ query_type: 'sql_expression' as const, sql_query: renderPanelSql(panel) }],
      chart_alerts: [],
    };
    x += w;
    return chart;
  });
  return {
    name: dashboard.title,
    refresh_interval: 60,
    date_range_from: 'now-3h',
    date_range_to: 'now',
    sections: [{ name: dashboard.title, y: 0, collapsed: false }],
    charts,
  };
}

const OPERATORS: Record<AlertOperator, BetterStackAlertDefinition['operator']> = {
  '>': 'higher_than',
  '>=': 'higher_than_or_equal',
  '<': 'lower_than',
  '<=': 'lower_than_or_equal',
};

/** Body of BetterStack's "create an alert" API (`POST /api/v2/explorations/{id}/alerts`). */
export interface BetterStackAlertDefinition {
  name: string;
  alert_type: 'threshold';
  operator: 'higher_than' | 'higher_than_or_equal' | 'lower_than' | 'lower_than_or_equal';
  value: number;
  /** Evaluation window, seconds. */
  query_period: number;
  /** How long the condition must hold before an incident, seconds. */
  confirmation_period: number;
  /** How long the condition must be clear before the incident resolves; 0 = on the first clear check. */
  recovery_period: number;
  /** How often the alert is evaluated, seconds. */
  check_period: number;
  /** `{{time}}` bucket of the alert query, seconds: per minute. */
  aggregation_interval: number;
  critical_alert: boolean;
  incident_cause: string;
  metadata: Record<string, string>;
}

/**
 * An alert as the body of BetterStack's create-alert API: threshold alert, operator, value,
 * confirmation period (= `forSeconds`), query period (default 60 s = one per-minute point),
 * `critical_alert` for critical severity.
 *
 * @example renderAlertDefinition(builtInAlerts[1]).operator // 'higher_than'
 */
export function renderAlertDefinition(alert: Alert): BetterStackAlertDefinition {
  expectAlert('renderAlertDefinition', alert);
  const unit = findMetric(alert.metric)?.unit ?? '';
  const signal = alertSignal(alert);
  const shown = signal.kind === 'ratio' ? `${alert.threshold} %` : `${alert.threshold}${unit && unit !== '1' && unit !== 'ratio' ? ` ${unit}` : ''}`;
  return {
    name: alert.name,
    alert_type: 'threshold',
    operator: OPERATORS[alert.operator],
    value: alert.threshold,
    query_period: alert.queryPeriodSeconds ?? 60,
    confirmation_period: alert.forSeconds,
    recovery_period: 0,
    check_period: 60,
    aggregation_interval: 60,
    critical_alert: alert.severity === 'critical',
    incident_cause: alert.description ?? `${alert.metric} ${alert.operator} ${shown} for ${alert.forSeconds / 60} min`,
    metadata: { alert_id: alert.id, service: alert.service, metric: alert.metric, severity: alert.severity },
  };
}

/** The exploration an alert is attached to: a line chart of the alert's per-minute query. */
export function renderAlertExploration(alert: Alert): {
  name: string;
  chart: { chart_type: 'line_chart' };
  queries: { query_type: 'sql_expression'; sql_query: string }[];
  date_range_from: string;
  date_range_to: string;
} {
  expectAlert('renderAlertExploration', alert);
  return {
    name: `[alert] ${alert.name} (${alert.id})`,
    chart: { chart_type: 'line_chart' },
    queries: [{ query_type: 'sql_expression', sql_query: renderAlertSql(alert) }],
    date_range_from: 'now-3h',
    date_range_to: 'now',
  };
}
