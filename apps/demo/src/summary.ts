// What arrived at the collector: row counts, each dashboard panel's rows and the alerts that
// fired — all read back through the collector's own /query endpoint, as a user would.
import { builtInAlerts, builtInDashboards, evaluateAlert, renderAlertSql, renderPanelSql } from '@kira/dashboards';

export interface TimeRange {
  start: Date;
  end: Date;
}

export async function queryCollector(collectorUrl: string, query: string, range: TimeRange): Promise<Record<string, unknown>[]> {
  const response = await fetch(`${collectorUrl}/query`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query, start: range.start.toISOString(), end: range.end.toISOString() }),
  });
  const body = (await response.json()) as { rows?: Record<string, unknown>[]; error?: string };
  if (!response.ok) throw new Error(`collector /query answered ${response.status}: ${body.error ?? JSON.stringify(body)}\n${query}`);
  return body.rows ?? [];
}

/** ClickHouse's JSON DateTime ("2026-11-25 12:00:00") is UTC. */
export function parseClickHouseTime(value: unknown): Date {
  if (value instanceof Date) return value;
  const text = String(value);
  return new Date(/[zZ]|[+-]\d\d:?\d\d$/.test(text) ? text : `${text.replace(' ', 'T')}Z`);
}

export interface AlertOutcome {
  id: string;
  name: string;
  service: string;
  severity: string;
  firedAt: Date[];
}

export interface DemoSummary {
  spans: number;
  logs: number;
  metricRows: number;
  sentryEvents: number;
  panels: Array<{ dashboard: string; panel: string; rows: number }>;
  alerts: AlertOutcome[];
}

export async function summarize(collectorUrl: string, range: TimeRange): Promise<DemoSummary> {
  const count = async (table: string) => Number((await queryCollector(collectorUrl, `SELECT count() AS n FROM ${table}`, range))[0]?.n ?? 0);
  const spans = await count('spans');
  const logs = await count('logs');
  const metricRows = await count('metrics');
  const sentryEvents = await count('sentry_events');

  const panels: DemoSummary['panels'] = [];
  for (const dashboard of builtInDashboards) {
    for (const panel of dashboard.panels) {
      const rows = await queryCollector(collectorUrl, renderPanelSql(panel), range);
      panels.push({ dashboard: dashboard.id, panel: panel.id, rows: rows.length });
    }
  }

  const alerts: AlertOutcome[] = [];
  for (const alert of builtInAlerts) {
    const rows = await queryCollector(collectorUrl, renderAlertSql(alert), range);
    const series = rows.map((row) => ({ time: parseClickHouseTime(row.time), value: Number(row.value) }));
    const evaluation = evaluateAlert(alert, series);
    alerts.push({
      id: alert.id,
      name: alert.name,
      service: alert.service,
      severity: alert.severity,
      firedAt: evaluation.events.filter((event) => event.type === 'fired').map((event) => event.at),
    });
  }
  return { spans, logs, metricRows, sentryEvents, panels, alerts };
}

export function formatSummary(summary: DemoSummary): string {
  const lines = [
    'received by the collector',
    `  spans            ${summary.spans}`,
    `  logs             ${summary.logs}`,
    `  metric rows      ${summary.metricRows}`,
    `  Sentry events    ${summary.sentryEvents}`,
    '',
    'dashboards (rows per panel)',
    ...summary.panels.map((panel) => `  ${`${panel.dashboard} / ${panel.panel}`.padEnd(48)} ${panel.rows}`),
    '',
    'alerts',
    ...summary.alerts.map((alert) => {
      const state = alert.firedAt.length ? `FIRED at ${alert.firedAt.map((at) => at.toISOString().slice(11, 16)).join(', ')}` : 'quiet';
      return `  ${`[${alert.severity}] ${alert.id}`.padEnd(48)} ${state}`;
    }),
  ];
  return lines.join('\n');
}
