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
import {
  createSchemaStatements,
  defaultIntervalSeconds,
  dtFromDate,
  dtFromUnixNanos,
  expandQuery,
  formatDateTimeLiteral,
  insertMetricPointsSql,
  metricRowsToJsonEachRow,
  retentionCutoff,
  retentionDeleteStatements,
  retentionFutureLimit,
  retentionSteps,
  retentionTtlExpression,
  SeriesMemory,
  seriesId,
  toMetricRow,
  toMetricRows,
  type MetricPointInput,
} from './schema';
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

/** Each bad value in the argument a call replaces ends in a TypeError "@kira/dashboards: <name> expects …". */
async function expectTypeErrors(name: string, call: (bad: never) => unknown, inputs: ReadonlyArray<[string, unknown]>): Promise<void> {
  for (const [label, bad] of inputs) {
    const error = await errorOf(() => call(bad as never));
    expect(error, label).toBeInstanceOf(TypeError);
    expect((error as Error).message, label).toMatch(new RegExp(`^@kira/dashboards: ${name} expects `));
  }
}

describe('bad arguments to the public functions', () => {
  it.each(CALLS)('%s names the mistake in its %s: a TypeError "@kira/dashboards: <name> expects …"', async (name, _argument, call) => {
    await expectTypeErrors(name, call, BAD_INPUTS);
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

// The schema subpath (`@kira/dashboards/schema`) follows the same rule. Its functions take numbers,
// strings and Dates where the main entry takes models, so each argument has its own bad values:
// ones the old code accepted, or tripped over with a `Cannot read properties …` / `… is not a function`.
const startTime = new Date('2026-03-01T10:00:00Z');
const endTime = new Date('2026-03-01T11:00:00Z');
const counter: MetricPointInput = { name: 'requests', kind: 'sum', time: 10_000, startTime: 0, value: 5 };
const NULL: [string, unknown] = ['null', null];
const NUMBER: [string, unknown] = ['a number', 42];
const TEXT: [string, unknown] = ['a string', '2026-03-01'];
const SYMBOL: [string, unknown] = ['a symbol', Symbol('bad')];
const BIGINT: [string, unknown] = ['a bigint', 10n];
const OBJECT: [string, unknown] = ['an object', {}];
const ARRAY: [string, unknown] = ['an array', []];
const HOSTILE: [string, unknown] = ['an object whose getters throw', hostile];
const NOT_A_DATE = [NULL, NUMBER, TEXT, OBJECT];
const NOT_A_LIST = [NULL, NUMBER, TEXT, OBJECT];
const NOT_A_MEMORY = [NUMBER, TEXT, OBJECT];
const NOT_SECONDS: Array<[string, unknown]> = [NULL, TEXT, SYMBOL, BIGINT, ['NaN', Number.NaN]];

const SCHEMA_CALLS: ReadonlyArray<[name: string, argument: string, call: (bad: never) => unknown, inputs: ReadonlyArray<[string, unknown]>]> = [
  ['createSchemaStatements', 'options', (bad) => createSchemaStatements(bad), [NUMBER, TEXT, ARRAY, HOSTILE]],
  ['retentionTtlExpression', 'ttlSeconds', (bad) => retentionTtlExpression(bad), NOT_SECONDS],
  ['retentionCutoff', 'ttlSeconds', (bad) => retentionCutoff(bad), NOT_SECONDS],
  ['retentionCutoff', 'now', (bad) => retentionCutoff(604_800, bad), NOT_A_DATE],
  ['retentionFutureLimit', 'ttlSeconds', (bad) => retentionFutureLimit(bad), NOT_SECONDS],
  ['retentionSteps', 'now', (bad) => retentionSteps(7, bad), NOT_A_DATE],
  ['retentionDeleteStatements', 'now', (bad) => retentionDeleteStatements(7, bad), NOT_A_DATE],
  ['defaultIntervalSeconds', 'startTime', (bad) => defaultIntervalSeconds(bad, endTime), NOT_A_DATE],
  ['defaultIntervalSeconds', 'endTime', (bad) => defaultIntervalSeconds(startTime, bad), NOT_A_DATE],
  ['formatDateTimeLiteral', 'date', (bad) => formatDateTimeLiteral(bad), [...NOT_A_DATE, SYMBOL]],
  ['expandQuery', 'sql', (bad) => expandQuery(bad, { startTime, endTime }), [NULL, NUMBER, SYMBOL]],
  ['expandQuery', 'options', (bad) => expandQuery('SELECT 1', bad), [NULL, NUMBER, TEXT, HOSTILE]],
  ['expandQuery', 'options.source', (bad) => expandQuery('SELECT 1 FROM {{source}}', { startTime, endTime, source: bad }), [NUMBER, SYMBOL, OBJECT]],
  ['expandQuery', 'options.startTime', (bad) => expandQuery('SELECT 1', { startTime: bad, endTime, intervalSeconds: 60 }), NOT_A_DATE],
  ['dtFromUnixNanos', 'nanos', (bad) => dtFromUnixNanos(bad), [['undefined', undefined], NULL, SYMBOL, OBJECT]],
  ['dtFromDate', 'time', (bad) => dtFromDate(bad), [['undefined', undefined], NULL, TEXT, ARRAY, HOSTILE]],
  ['seriesId', 'name', (bad) => seriesId(bad), [['undefined', undefined], NULL, NUMBER, ['a cyclic object', (() => { const cyclic: Record<string, unknown> = {}; cyclic.self = cyclic; return cyclic; })()]]],
  ['seriesId', 'tags', (bad) => seriesId('requests', bad), [NUMBER, TEXT, ARRAY]],
  ['toMetricRows', 'points', (bad) => toMetricRows(bad), NOT_A_LIST],
  ['toMetricRows', 'memory', (bad) => toMetricRows([counter], bad), NOT_A_MEMORY],
  ['toMetricRow', 'memory', (bad) => toMetricRow(counter, bad), NOT_A_MEMORY],
  ['insertMetricPointsSql', 'points', (bad) => insertMetricPointsSql(bad), NOT_A_LIST],
  ['insertMetricPointsSql', 'memory', (bad) => insertMetricPointsSql([counter], bad), NOT_A_MEMORY],
  ['metricRowsToJsonEachRow', 'rows', (bad) => metricRowsToJsonEachRow(bad), NOT_A_LIST],
  ['SeriesMemory', 'maxSeries', (bad) => new SeriesMemory(bad), [NULL, TEXT, ['NaN', Number.NaN]]],
];

describe('bad arguments to the functions of @kira/dashboards/schema', () => {
  it.each(SCHEMA_CALLS)('%s names the mistake in its %s: a TypeError "@kira/dashboards: <name> expects …"', async (name, _argument, call, inputs) => {
    await expectTypeErrors(name, call, inputs);
  });

  it('says what it got, and what it expected, in words', () => {
    expect(() => defaultIntervalSeconds(42 as never, endTime)).toThrow('@kira/dashboards: defaultIntervalSeconds expects startTime to be a Date, got number 42');
    expect(() => createSchemaStatements('7d' as never)).toThrow('@kira/dashboards: createSchemaStatements expects options to be an object or undefined, got the string "7d"');
    expect(() => expandQuery('SELECT 1', null as never)).toThrow('@kira/dashboards: expandQuery expects options (an object with startTime and endTime Dates), got null');
    expect(() => toMetricRows(undefined as never)).toThrow('@kira/dashboards: toMetricRows expects points to be an array of metric points, got undefined');
    expect(() => dtFromDate(null as never)).toThrow('@kira/dashboards: dtFromDate expects a Date, unix milliseconds or { seconds }, got null');
  });

  it("says the options could not be read when the caller's getter throws, with that error as cause", async () => {
    const error = await errorOf(() => expandQuery('SELECT 1', hostile as never));
    expect(error).toBeInstanceOf(TypeError);
    expect((error as Error).message).toBe('@kira/dashboards: expandQuery expects options whose properties can be read, got one whose "source" getter threw (see cause)');
    expect((error as Error).cause).toBe(getterError);
  });

  it('refuses a string where a list or tags go at once, however long (it used to walk it character by character)', () => {
    const huge = 'x'.repeat(4 * 1024 * 1024);
    expect(() => metricRowsToJsonEachRow(huge as never)).toThrow('@kira/dashboards: metricRowsToJsonEachRow expects rows to be an array of metric rows, got a string of 4194304 characters');
    expect(() => seriesId(huge, huge as never)).toThrow('@kira/dashboards: seriesId expects tags to be an object or undefined, got a string of 4194304 characters');
  });

  it("names a point's time or histogram lists that are not what they should be", () => {
    expect(() => toMetricRow({ ...counter, time: 'yesterday' as never })).toThrow(new TypeError('metric point requests: time must be a Date or unix milliseconds, got the string "yesterday"'));
    expect(() => toMetricRow({ ...counter, startTime: null as never })).toThrow(new TypeError('metric point requests: startTime must be a Date or unix milliseconds, got null'));
    expect(() => toMetricRow({ name: 'latency', kind: 'histogram', time: 0, bounds: 'abc' as never, bucketCounts: [1, 2, 3, 4] })).toThrow(
      new TypeError('metric point latency: histogram bounds and bucketCounts must be arrays of numbers'),
    );
  });

  it('keeps the defaults for undefined and for null where null means none', () => {
    expect(createSchemaStatements(null)).toEqual(createSchemaStatements());
    expect(createSchemaStatements({ retentionDays: null as never })).toEqual(createSchemaStatements());
    expect(seriesId('requests', null)).toBe(seriesId('requests'));
    expect(toMetricRows([counter], null as never)).toEqual(toMetricRows([counter]));
    expect(expandQuery('SELECT {{interval}} FROM {{source}}', { startTime, endTime, source: null as never, intervalSeconds: null as never })).toBe(
      expandQuery('SELECT {{interval}} FROM {{source}}', { startTime, endTime }),
    );
  });
});

