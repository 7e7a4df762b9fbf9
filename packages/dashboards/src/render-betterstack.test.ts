import { describe, expect, it } from 'vitest';
import { builtInAlerts } from './built-in-alerts';
import { builtInDashboards } from './built-in-dashboards';
import { renderAlertDefinition, renderAlertExploration, renderDashboardJson } from './render-betterstack';
import { renderAlertSql, renderPanelSql } from './render-sql';

describe('renderDashboardJson', () => {
  it('renders BetterStack import JSON: line charts on a 12-column grid with the unified SQL', () => {
    const dashboard = builtInDashboards.find((d) => d.id === 'kira-be')!;
    const json = renderDashboardJson(dashboard);
    expect(json).toMatchObject({ name: 'kira-be', refresh_interval: 60, date_range_from: 'now-3h', date_range_to: 'now' });
    expect(json.charts).toHaveLength(dashboard.panels.length);
    expect(json.charts.map((chart) => [chart.x, chart.y, chart.w, chart.h])).toEqual([
      [0, 1, 6, 6],
      [6, 1, 6, 6],
      [0, 7, 6, 6],
      [6, 7, 6, 6],
      [0, 13, 6, 6],
      [6, 13, 6, 6],
      [0, 19, 6, 6],
    ]);
    dashboard.panels.forEach((panel, index) => {
      expect(json.charts[index]).toMatchObject({
        chart_type: 'line_chart',
        name: panel.title,
        chart_queries: [{ query_type: 'sql_expression', sql_query: renderPanelSql(panel) }],
        chart_alerts: [],
      });
    });
    expect(JSON.parse(JSON.stringify(json))).toEqual(json);
  });
});

describe('renderAlertDefinition', () => {
  it('maps an alert onto BetterStack threshold-alert fields', () => {
    const critical = builtInAlerts.find((alert) => alert.id === 'imgproxy-workers-critical')!;
    expect(renderAlertDefinition(critical)).toEqual({
      name: 'Worker 利用率饱和',
      alert_type: 'threshold',
      operator: 'higher_than',
      value: 0.8,
      query_period: 60,
      confirmation_period: 120,
      recovery_period: 0,
      check_period: 60,
      aggregation_interval: 60,
      critical_alert: true,
      incident_cause: 'workers_utilization > 0.8 for 2 min',
      metadata: { alert_id: 'imgproxy-workers-critical', service: 'kira-imgproxy', metric: 'workers_utilization', severity: 'critical' },
    });
    const low = builtInAlerts.find((alert) => alert.id === 'kira-be-ai-tool-success-rate')!;
    expect(renderAlertDefinition(low)).toMatchObject({ operator: 'lower_than', value: 90, confirmation_period: 600, critical_alert: false });
    expect(renderAlertDefinition({ ...low, operator: '>=', queryPeriodSeconds: 300 })).toMatchObject({ operator: 'higher_than_or_equal', query_period: 300 });
    expect(renderAlertDefinition({ ...low, operator: '<=' }).operator).toBe('lower_than_or_equal');
  });

  it('attaches each alert to an exploration running its per-minute query (BetterStack needs {{time}} in it)', () => {
    for (const alert of builtInAlerts) {
      const exploration = renderAlertExploration(alert);
      expect(exploration.queries).toEqual([{ query_type: 'sql_expression', sql_query: renderAlertSql(alert) }]);
      expect(exploration.queries[0]?.sql_query).toContain('{{time}}');
    }
  });
});
