import { describe, expect, it } from 'vitest';
import { alertSignal } from './alert-signal';
import { applyChanges } from './apply-changes';
import { ApplyError } from './betterstack-client';
import { builtInAlerts } from './built-in-alerts';
import { builtInDashboards } from './built-in-dashboards';
import { evaluateAlert } from './evaluate-alert';
import { createLegacySchemaStatements, createLegacyTableSql, dashboardDialect, insertLegacySamplesSql, legacyColumns } from './legacy-table';
import { findMetric } from './metric-definitions';
import { InvalidThresholdError, ModelValidationError, UnknownMetricError, UnsupportedDialectError } from './model-validation-error';
import { formatPlan, planChanges, planHasChanges } from './plan-changes';
import { formatPushPlan, planPush } from './push';
import { renderAlertDefinition, renderAlertExploration, renderDashboardJson } from './render-betterstack';
import { renderAlertSql, renderPanelSql } from './render-sql';
import { runScenario, runScenarios, ScenarioFormatError } from './run-scenarios';
import { validateAlert, validateAlerts, validateDashboard } from './validate-model';

const alert = builtInAlerts[0]!;
const dashboard = builtInDashboards[0]!;
const panel = dashboard.panels[0]!;

/** What the caller's object throws from every property read. */
const getterError = new Error('getter of the caller');
const hostile = new Proxy(
  {},
  {
    get() {
      throw getterError;
    },
  },
);
const BAD_INPUTS: ReadonlyArray<[string, unknown]> = [
  ['null', null],
  ['a number', 42],
  ['a symbol', Symbol('bad')],
  ['an object whose getters throw', hostile],
];

/** One argument of a public function replaced by a bad value; the others are valid. */
const CALLS: ReadonlyArray<[name: string, argument: string, call: (bad: never) => unknown]> = [
  ['alertSignal', 'alert', (bad) => alertSignal(bad)],
  ['evaluateAlert', 'alert', (bad) => evaluateAlert(bad, [])],
  ['evaluateAlert', 'series', (bad) => evaluateAlert(alert, bad)],
  ['evaluateAlert', 'a point of series', (bad) => evaluateAlert(alert, [bad])],
  ['evaluateAlert', 'options', (bad) => evaluateAlert(alert, [], bad)],
  ['findMetric', 'definitions', (bad) => findMetric('process_mb', bad)],
  ['legacyColumns', 'definitions', (bad) => legacyColumns(bad)],
  ['createLegacyTableSql', 'table', (bad) => createLegacyTableSql(bad)],
  ['createLegacyTableSql', 'options', (bad) => createLegacyTableSql('legacy', bad)],
  ['createLegacySchemaStatements', 'options', (bad) => createLegacySchemaStatements(bad)],
  ['insertLegacySamplesSql', 'samples', (bad) => insertLegacySamplesSql('legacy', bad)],
  ['dashboardDialect', 'dashboard', (bad) => dashboardDialect(bad)],
  ['renderPanelSql', 'panel', (bad) => renderPanelSql(bad)],
  ['renderPanelSql', 'options', (bad) => renderPanelSql(panel, bad)],
  ['renderAlertSql', 'alert', (bad) => renderAlertSql(bad)],
  ['renderAlertSql', 'options', (bad) => renderAlertSql(alert, bad)],
  ['renderDashboardJson', 'dashboard', (bad) => renderDashboardJson(bad)],
  ['renderAlertDefinition', 'alert', (bad) => renderAlertDefinition(bad)],
  ['renderAlertExploration', 'alert', (bad) => renderAlertExploration(bad)],
  ['validateDashboard', 'dashboard', (bad) => validateDashboard(bad)],
  ['validateDashboard', 'options', (bad) => validateDashboard(dashboard, bad)],
  ['validateAlert', 'alert', (bad) => validateAlert(bad)],
  ['validateAlerts', 'alerts', (bad) => validateAlerts(bad)],
  ['validateAlerts', 'an alert of alerts', (bad) => validateAlerts([alert, bad])],
  ['runScenario', 'file', (bad) => runScenario({ series: {} }, bad)],
  ['runScenario', 'alerts', (bad) => runScenario({ series: {} }, 'x.json', bad)],
  ['runScenarios', 'dir', (bad) => runScenarios(bad)],
  ['planPush', 'options', (bad) => planPush(bad)],
  ['formatPushPlan', 'requests', (bad) => formatPushPlan(bad)],
  ['formatPushPlan', 'apiUrl', (bad) => formatPushPlan([], bad)],
  ['planChanges', 'options', (bad) => planChanges(bad)],
  ['applyChanges', 'options', (bad) => applyChanges(bad)],
  ['planHasChanges', 'plan', (bad) => planHasChanges(bad)],
  ['formatPlan', 'plan', (bad) => formatPlan(bad)],
];

/** The error a call throws or rejects with. */
async function errorOf(call: () => unknown): Promise<unknown> {
  try {
    await call();
  } catch (error) {
    return error;
  }
  return undefined;
}

describe('bad arguments to the public functions', () => {
  it.each(CALLS)('%s names the mistake in its %s: a TypeError "@kira/dashboards: <name> expects …"', async (name, _argument, call) => {
    for (const [label, bad] of BAD_INPUTS) {
      const error = await errorOf(() => call(bad as never));
      expect(error, label).toBeInstanceOf(TypeError);
      expect((error as Error).message, label).toMatch(new RegExp(`^@kira/dashboards: ${name} expects `));
    }
  });

  it("says the argument could not be read when the caller's getter throws, with that error as cause", () => {
    const error = (() => {
      try {
        return renderPanelSql(hostile as never);
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(TypeError);
    expect((error as Error).message).toBe('@kira/dashboards: renderPanelSql expects a panel whose properties can be read, got one whose "queries" getter threw (see cause)');
    expect((error as Error).cause).toBe(getterError);
  });

  it('says what it got, and what it expected, in words', () => {
    expect(() => dashboardDialect({ id: 'x' } as never)).toThrow('@kira/dashboards: dashboardDialect expects dashboard.panels to be an array, got undefined');
    expect(() => renderPanelSql(panel, { dialect: 'sqlite' as never })).toThrow(
      `@kira/dashboards: renderPanelSql expects options.dialect to be 'unified', 'legacy' or undefined, got the string "sqlite"`,
    );
    expect(() => validateAlerts([alert, null as never])).toThrow('@kira/dashboards: validateAlerts expects an array of alerts, got null at alerts[1]');
    expect(() => insertLegacySamplesSql('legacy', [{ time: 'yesterday' as never, values: {} }])).toThrow(
      '@kira/dashboards: insertLegacySamplesSql expects every sample to have a Date time, got the string "yesterday"',
    );
  });

  it('keeps the defaults for undefined options and for the options the code always defaulted on null', () => {
    expect(renderPanelSql(panel, undefined)).toBe(renderPanelSql(panel));
    expect(renderPanelSql(panel, { dialect: null as never })).toBe(renderPanelSql(panel, { dialect: 'unified' }));
    expect(validateDashboard(dashboard, { metrics: null as never })).toEqual([]);
    expect(planPush({ dashboards: null as never, alerts: null as never })).toEqual(planPush());
  });
});

describe('error classes given values that are not text', () => {
  it('construct without throwing, with a readable message', () => {
    const symbol = Symbol('bad');
    expect(new ApplyError(symbol as never, undefined, 'list', 'dashboards').message).toBe('Symbol(bad)');
    expect(new ModelValidationError('bad_panel', symbol as never, hostile as never).message).toBe('Symbol(bad): an object without properties');
    expect(new UnknownMetricError('metric', symbol as never).message).toBe('metric: unknown metric "Symbol(bad)"');
    expect(new InvalidThresholdError('threshold', symbol as never, hostile as never).message).toBe('threshold: bad threshold Symbol(bad): an object without properties');
    expect(new UnsupportedDialectError('legacy', hostile as never).message).toBe('an object without properties');
    expect(new ScenarioFormatError(symbol as never).message).toBe('Symbol(bad)');
    // No message is an empty message, as with Error itself, not the text "undefined".
    for (const error of [new ApplyError(undefined as never, undefined, 'list', 'dashboards'), new UnsupportedDialectError('legacy', undefined as never), new ScenarioFormatError(undefined)]) {
      expect(error.message).toBe(new Error(undefined).message);
    }
  });
});
