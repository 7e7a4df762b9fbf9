/**
 * Argument checks at the public boundary of the package. A library caller who passes the wrong
 * thing gets a TypeError naming the function, what it expects and what it got
 * (`@kira/dashboards: renderPanelSql expects a panel (an object with a queries array), got null`)
 * instead of a `Cannot read properties of null` from deep inside. The checks are shallow — the
 * argument and the fields the function reads first — so they cost a few property reads; what a
 * well-formed model says is for validateDashboard / validateAlert to judge.
 */
import { argumentTypeError, describeValue, safeString as textOf } from '@kira/conventions';
import type { ChangePlan } from './plan-changes';
import type { Alert, Dashboard, MetricDefinition, Panel, RenderSqlOptions } from './types';

const PACKAGE = '@kira/dashboards';

/** `String(value)`, as a template literal would write it, except that it never throws: a value whose conversion throws is described (`an object without properties`). */
export function safeString(value: unknown): string {
  return textOf(value, describeValue);
}

/** An error message from whatever a constructor got: undefined stays undefined (an empty message, as `new Error()` gives), anything else as `safeString` writes it. */
export function errorMessage(value: unknown): string | undefined {
  return value === undefined ? undefined : safeString(value);
}

/** Throws the TypeError every check here throws: `@kira/dashboards: <fn> expects <expected>, got <value described>`. */
export function fail(fn: string, expected: string, value: unknown, where = ''): never {
  throw argumentTypeError(PACKAGE, fn, expected, value, where);
}

/** An object that is not null and not an array. Not a type guard: declared model types stay in force after the check. */
export const isPlainObject = (value: unknown): boolean => typeof value === 'object' && value !== null && !Array.isArray(value);

/** A plain object argument (not null, not an array). */
export function expectObject<T extends object>(fn: string, value: unknown, expected: string): T {
  if (!isPlainObject(value)) fail(fn, expected, value);
  return value as T;
}

/** An array argument. */
export function expectArray<T>(fn: string, value: unknown, expected: string): readonly T[] {
  if (!Array.isArray(value)) fail(fn, expected, value);
  return value as readonly T[];
}

/** An array whose every item is an object; `name` is how the message points at a bad item (`alerts[3]`). */
export function expectObjects<T extends object>(fn: string, value: unknown, name: string, expected: string): readonly T[] {
  const list = expectArray<unknown>(fn, value, expected);
  for (let index = 0; index < list.length; index++) {
    if (!isPlainObject(list[index])) fail(fn, expected, list[index], ` at ${name}[${index}]`);
  }
  return list as readonly T[];
}

/** A string argument; `nonEmpty` refuses `''` too. */
export function expectString(fn: string, value: unknown, expected: string, nonEmpty = false): string {
  if (typeof value !== 'string' || (nonEmpty && value === '')) fail(fn, expected, value);
  return value;
}

/** A function argument. */
export function expectFunction(fn: string, value: unknown, expected: string): (...args: never[]) => unknown {
  if (typeof value !== 'function') fail(fn, expected, value);
  return value as (...args: never[]) => unknown;
}

/** A number; `finite` (the default) refuses Infinity too, NaN is always refused. */
export function expectNumber(fn: string, value: unknown, expected: string, finite = true): number {
  if (typeof value !== 'number' || Number.isNaN(value) || (finite && !Number.isFinite(value))) fail(fn, expected, value);
  return value;
}

/** A Date (any realm's). */
export function expectDate(fn: string, value: unknown, expected: string): Date {
  if (!(value instanceof Date) && Object.prototype.toString.call(value) !== '[object Date]') fail(fn, expected, value);
  return value as Date;
}

/** An options argument: undefined (the defaults) or an object. */
export function expectOptions<T extends object>(fn: string, value: T | undefined, name = 'options'): T | undefined {
  if (value !== undefined && !isPlainObject(value)) fail(fn, `${name} to be an object or undefined`, value);
  return value;
}

/**
 * Reads `key` of the caller's object. A getter that throws (a Proxy, a broken accessor) becomes a
 * TypeError naming the function, with the caller's error as `cause`, instead of surfacing from
 * deep inside the function.
 */
export function readField(fn: string, object: object, name: string, key: string): unknown {
  try {
    return (object as Record<string, unknown>)[key];
  } catch (error) {
    throw new TypeError(`${PACKAGE}: ${fn} expects ${name} whose properties can be read, got one whose "${key}" getter threw (see cause)`, { cause: error });
  }
}

/** One field of an options argument (undefined when the options are): checks they are an object or undefined, reads the field safely. */
export function readOption(fn: string, options: object | undefined, key: string): unknown {
  const checked = expectOptions(fn, options);
  return checked === undefined ? undefined : readField(fn, checked, 'options', key);
}

/** An optional field of an options object that, when given (null means the default too), must be an array of objects. */
function optionalObjects(fn: string, options: object, name: string, key: string, expected: string): void {
  const value = readField(fn, options, name, key);
  if (value !== undefined && value !== null) expectObjects(fn, value, `${name}.${key}`, `${name}.${key} to be ${expected} or undefined`);
}

/** An alert model (its content is validateAlert's business). */
export function expectAlert(fn: string, value: unknown): Alert {
  const alert = expectObject<Alert>(fn, value, 'an alert object');
  readField(fn, alert, 'an alert', 'metric');
  return alert;
}

/** A dashboard model: an object with a `panels` array. */
export function expectDashboard(fn: string, value: unknown): Dashboard {
  const dashboard = expectObject<Dashboard>(fn, value, 'a dashboard (an object with a panels array)');
  expectArray(fn, readField(fn, dashboard, 'a dashboard', 'panels'), 'dashboard.panels to be an array');
  return dashboard;
}

/** A panel model: an object with a `queries` array. */
export function expectPanel(fn: string, value: unknown): Panel {
  const panel = expectObject<Panel>(fn, value, 'a panel (an object with a queries array)');
  expectArray(fn, readField(fn, panel, 'a panel', 'queries'), 'panel.queries to be an array');
  return panel;
}

/** The SQL dialect of renderer options: `unified` (default) or `legacy`. */
export function expectDialect(fn: string, options: RenderSqlOptions | undefined): 'unified' | 'legacy' {
  const dialect = readOption(fn, options, 'dialect');
  if (dialect === undefined || dialect === null) return 'unified';
  if (dialect !== 'unified' && dialect !== 'legacy') fail(fn, "options.dialect to be 'unified', 'legacy' or undefined", dialect);
  return dialect;
}

/** Metric definitions given by the caller (the built-in list is trusted as it is). */
export function expectMetricDefinitions(fn: string, value: unknown, builtIn: readonly MetricDefinition[], name = 'definitions'): readonly MetricDefinition[] {
  if (value === builtIn) return builtIn;
  return expectObjects<MetricDefinition>(fn, value, name, `${name} to be an array of metric definitions`);
}

/** The `metrics` option of the model validators. */
export function expectValidateOptions(fn: string, options: { readonly metrics?: readonly MetricDefinition[] } | undefined, builtIn: readonly MetricDefinition[]): readonly MetricDefinition[] {
  const metrics = readOption(fn, options, 'metrics');
  return metrics === undefined || metrics === null ? builtIn : expectMetricDefinitions(fn, metrics, builtIn, 'options.metrics');
}

/**
 * Options naming models to push (`dashboards`, `alerts`, `teamName`): planPush's (optional) and
 * planChanges' / applyChanges' (required, with the API token BetterStackClient checks).
 */
export function expectModelOptions<T extends object>(fn: string, options: T | undefined, required: boolean): T | undefined {
  const checked = required ? expectObject<T>(fn, options, 'options (an object with the BetterStack API token)') : expectOptions(fn, options);
  if (checked === undefined) return undefined;
  optionalObjects(fn, checked, 'options', 'dashboards', 'an array of dashboards');
  optionalObjects(fn, checked, 'options', 'alerts', 'an array of alerts');
  const teamName = readField(fn, checked, 'options', 'teamName');
  if (teamName !== undefined) expectString(fn, teamName, 'options.teamName to be a string or undefined');
  return checked;
}

/** A plan from planChanges: `changes` (objects with an action), `unmanaged` and `notes`. */
export function expectPlan(fn: string, value: unknown): ChangePlan {
  const plan = expectObject<ChangePlan>(fn, value, 'a plan from planChanges (an object with changes, unmanaged and notes)');
  expectObjects(fn, readField(fn, plan, 'a plan', 'changes'), 'plan.changes', 'plan.changes to be an array of planned changes');
  expectObject(fn, readField(fn, plan, 'a plan', 'unmanaged'), 'plan.unmanaged to be an object');
  expectArray(fn, readField(fn, plan, 'a plan', 'notes'), 'plan.notes to be an array');
  return plan;
}
