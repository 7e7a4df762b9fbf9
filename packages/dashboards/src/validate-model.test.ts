import { describe, expect, it } from 'vitest';
import { builtInAlerts } from './built-in-alerts';
import { builtInDashboards } from './built-in-dashboards';
import { InvalidThresholdError, ModelValidationError, UnknownMetricError } from './model-validation-error';
import type { Alert, Dashboard } from './types';
import { validateAlert, validateAlerts, validateDashboard } from './validate-model';

const baseAlert: Alert = {
  id: 'a',
  name: 'a',
  service: 'kira-imgproxy',
  metric: 'process_mb',
  operator: '>',
  threshold: 6000,
  forSeconds: 300,
  severity: 'warning',
};

describe('validateDashboard / validateAlert', () => {
  it('reports malformed nested parts as bad_shape problems at their paths, instead of throwing', () => {
    const [dashboard] = builtInDashboards;
    const panel = dashboard!.panels[0]!;
    const shapes = (value: unknown) => validateDashboard(value as Dashboard).filter((error) => error.code === 'bad_shape').map((error) => error.message);
    expect(shapes({ ...dashboard, panels: [null, panel] })).toEqual([`${dashboard!.id}.panels[0]: expected a panel object (id, title, queries), got null`]);
    expect(shapes({ ...dashboard, panels: [{ ...panel, queries: 'cpu' }] })).toEqual([`${dashboard!.id}.panels[0].queries: expected a list of queries, got the string "cpu"`]);
    expect(shapes({ ...dashboard, panels: [{ ...panel, queries: [null] }] })).toEqual([`${dashboard!.id}.panels[0].queries[0]: expected a signal object (kind, metric, …), got null`]);
    expect(shapes({ ...dashboard, id: Symbol('d'), panels: [{ ...panel, id: 7 }] })).toEqual([
      'Symbol(d).id: expected a non-empty string, got a symbol',
      'Symbol(d).panels[0].id: expected a non-empty string, got number 7',
    ]);
    // A ratio over a real metric (the built-in AI tool success rate), so the filters are reached.
    const ratio = { ...builtInDashboards.flatMap((board) => board.panels.flatMap((candidate) => candidate.queries)).find((query) => query.kind === 'ratio'), match: [null], where: 'status=500' };
    expect(shapes({ ...dashboard, panels: [{ ...panel, queries: [ratio] }] })).toEqual([
      `${dashboard!.id}.panels[0].queries[0].where: expected a list of label filters, got the string "status=500"`,
      `${dashboard!.id}.panels[0].queries[0].match[0]: expected a label filter object, got null`,
    ]);

    const alertShapes = (value: unknown) => validateAlert(value as Alert).map((error) => `${error.code} ${error.message}`);
    expect(alertShapes({ ...baseAlert, signal: null })).toEqual(['bad_shape a.signal: expected a signal object (kind, metric, …) or nothing, got null']);
    expect(alertShapes({ ...baseAlert, id: Symbol('a') })).toEqual(['bad_shape Symbol(a).id: expected a non-empty string, got a symbol']);
    const twice = { ...baseAlert, id: Symbol('twice') };
    expect(() => validateAlerts([twice, twice] as unknown as Alert[])).not.toThrow();
  });

  it('accepts every built-in dashboard and alert', () => {
    for (const dashboard of builtInDashboards) expect(validateDashboard(dashboard)).toEqual([]);
    expect(validateAlerts(builtInAlerts)).toEqual([]);
  });

  it('reports an unknown metric with a typed error and a path', () => {
    const [error, ...rest] = validateAlert({ ...baseAlert, metric: 'process_gb' });
    expect(rest).toEqual([]);
    expect(error).toBeInstanceOf(UnknownMetricError);
    expect(error).toBeInstanceOf(ModelValidationError);
    expect(error?.code).toBe('unknown_metric');
    expect((error as UnknownMetricError).metric).toBe('process_gb');
    expect(error?.path).toBe('a.metric');

    const dashboard: Dashboard = {
      id: 'd',
      title: 'd',
      service: 'kira-be',
      panels: [{ id: 'p', title: 'p', unit: 'ms', queries: [{ kind: 'quantile', metric: 'http_duration', quantile: 0.9 }] }],
    };
    const errors = validateDashboard(dashboard);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(UnknownMetricError);
    expect(errors[0]?.path).toBe('d.panels[0].queries[0].metric');
  });

  it('reports bad thresholds: not finite, or a ratio outside 0–100', () => {
    for (const threshold of [Number.NaN, Number.POSITIVE_INFINITY]) {
      const errors = validateAlert({ ...baseAlert, threshold });
      expect(errors.map((error) => error.constructor)).toEqual([InvalidThresholdError]);
      expect(errors[0]?.code).toBe('bad_threshold');
    }
    const ratio = builtInAlerts.find((alert) => alert.id === 'kira-be-http-5xx-rate') as Alert;
    expect(validateAlert({ ...ratio, threshold: 150 })[0]).toBeInstanceOf(InvalidThresholdError);
    expect(validateAlert({ ...baseAlert, operator: '<', threshold: -1 })[0]).toBeInstanceOf(InvalidThresholdError);
  });

  it('reports durations that are not whole minutes, bad operators and severities, duplicate ids', () => {
    expect(validateAlert({ ...baseAlert, forSeconds: 90 }).map((error) => error.code)).toEqual(['bad_duration']);
    expect(validateAlert({ ...baseAlert, forSeconds: -60 }).map((error) => error.code)).toEqual(['bad_duration']);
    expect(validateAlert({ ...baseAlert, queryPeriodSeconds: 10 }).map((error) => error.code)).toEqual(['bad_duration']);
    expect(validateAlert({ ...baseAlert, operator: '==' as never }).map((error) => error.code)).toEqual(['bad_operator']);
    expect(validateAlert({ ...baseAlert, severity: 'info' as never }).map((error) => error.code)).toEqual(['bad_severity']);
    expect(validateAlerts([baseAlert, baseAlert]).map((error) => error.code)).toEqual(['duplicate_id']);
  });

  it('reports signals that do not fit the metric: type, tags, quantile, mismatched signal metric', () => {
    const dashboard: Dashboard = {
      id: 'd',
      title: 'd',
      service: 'kira-be',
      panels: [
        {
          id: 'p',
          title: 'p',
          unit: '1',
          queries: [
            { kind: 'rate', metric: 'process_mb', series: 'a' },
            { kind: 'quantile', metric: 'http_request_duration_ms', quantile: 95, series: 'b' },
            { kind: 'ratio', metric: 'ai_tool_executions', match: [{ label: 'status', operator: '=', value: 'ok' }], groupBy: 'route' },
          ],
        },
        { id: 'p', title: 'again', unit: '1', queries: [] },
      ],
    };
    expect(validateDashboard(dashboard).map((error) => `${error.code} ${error.path}`)).toEqual([
      'wrong_metric_type d.panels[0].queries[0].kind',
      'bad_quantile d.panels[0].queries[1].quantile',
      'unknown_label d.panels[0].queries[2].match[0].label',
      'unknown_label d.panels[0].queries[2].groupBy',
      'duplicate_id d.panels[1].id',
      'bad_panel d.panels[1].queries',
    ]);
    const mismatched = validateAlert({ ...baseAlert, metric: 'heap_mb', signal: { kind: 'gauge', metric: 'process_mb' } });
    expect(mismatched.map((error) => error.code)).toEqual(['bad_panel']);
  });
});
