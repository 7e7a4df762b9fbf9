import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { builtInAlerts } from './built-in-alerts';
import { evaluateAlert } from './evaluate-alert';
import { errorMessage, expectObjects, expectString, readField, readOption } from './expect-argument';
import type { Alert, SeriesPoint } from './types';

const MINUTE_MS = 60_000;
const DEFAULT_START = '2026-01-01T00:00:00.000Z';

/**
 * A scenario file (`scenarios/*.json`), in the spirit of `promtool test rules`:
 *
 * ```json
 * {
 *   "description": "workers saturated for 3 minutes",
 *   "series": { "workers_utilization": "0.9*4 0.2" },
 *   "expect": { "imgproxy-workers-critical": { "fired": [2], "resolved": [4] } }
 * }
 * ```
 * `series` maps an alert id or a metric name to per-minute values from minute 0: a JSON array
 * (`null` = no point) or a line of tokens `v`, `v*N` (v repeated N times), `_` / `_*N` (gaps).
 * Every alert with a series (by id first, then by its metric) is evaluated; alerts missing from
 * `expect` must not fire. `fired`/`resolved` are minute numbers; `state` the state at the end.
 */
export interface ScenarioFile {
  readonly description?: string;
  /** ISO time of minute 0 (default 2026-01-01T00:00:00Z). */
  readonly start?: string;
  readonly series: Readonly<Record<string, string | readonly (number | null)[]>>;
  readonly expect?: Readonly<Record<string, { readonly fired?: readonly number[]; readonly resolved?: readonly number[]; readonly state?: 'ok' | 'pending' | 'firing' }>>;
}

export interface ScenarioResult {
  readonly file: string;
  readonly description: string;
  readonly alertId: string;
  readonly passed: boolean;
  readonly expected: { readonly fired: readonly number[]; readonly resolved: readonly number[]; readonly state?: string };
  readonly actual: { readonly fired: readonly number[]; readonly resolved: readonly number[]; readonly state: string };
  /** Why it failed (empty when passed). */
  readonly message: string;
}

export interface ScenarioReport {
  readonly files: readonly string[];
  readonly results: readonly ScenarioResult[];
  /** Scenario files that could not be read or don't fit the format. */
  readonly errors: readonly { readonly file: string; readonly message: string }[];
  readonly passed: boolean;
}

/** Options of {@link runScenarios}. */
export interface RunScenariosOptions {
  /** Alerts to evaluate (default: the built-in alerts). @example { alerts: [...builtInAlerts, myAlert] } */
  readonly alerts?: readonly Alert[];
}

/** Thrown for a scenario that doesn't fit the format. */
export class ScenarioFormatError extends Error {
  override readonly name = 'ScenarioFormatError';
  constructor(message?: string, options?: ErrorOptions) {
    super(errorMessage(message), options);
  }
}

/** Alerts given by the caller (the built-in ones are trusted as they are). */
function expectAlerts(fn: string, alerts: unknown, name: string): readonly Alert[] {
  return alerts === builtInAlerts ? builtInAlerts : expectObjects<Alert>(fn, alerts, name, `${name} to be an array of alerts`);
}

/** Expands a series line (`"0.9*4 _ 0.2"`) or array into per-minute values (`undefined` = gap). */
export function parseSeriesValues(input: string | readonly (number | null)[]): (number | undefined)[] {
  if (Array.isArray(input)) {
    return input.map((value, index) => {
      if (value === null) return undefined;
      if (typeof value !== 'number') throw new ScenarioFormatError(`value #${index} is not a number or null`);
      return value;
    });
  }
  if (typeof input !== 'string') throw new ScenarioFormatError('a series is a string or an array');
  const values: (number | undefined)[] = [];
  for (const token of input.trim().split(/\s+/).filter(Boolean)) {
    const match = /^(_|[-+]?(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?)(?:\*(\d+))?$/i.exec(token);
    if (match === null) throw new ScenarioFormatError(`bad token "${token}" (use v, v*N, _ or _*N)`);
    const value = match[1] === '_' ? undefined : Number(match[1]);
    const count = match[2] === undefined ? 1 : Number(match[2]);
    for (let index = 0; index < count; index++) values.push(value);
  }
  return values;
}

function minuteNumbers(dates: readonly Date[], start: number): number[] {
  return dates.map((date) => Math.round((date.getTime() - start) / MINUTE_MS));
}

function sameList(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((value, index) => value === b[index]);
}

/** Runs one parsed scenario against `alerts`. Throws {@link ScenarioFormatError} for bad input. */
export function runScenario(scenario: ScenarioFile, file: string, alerts: readonly Alert[] = builtInAlerts): ScenarioResult[] {
  const fn = 'runScenario';
  const series = scenario !== null && typeof scenario === 'object' ? readField(fn, scenario, 'a scenario', 'series') : undefined;
  if (typeof series !== 'object' || series === null) throw new ScenarioFormatError('a scenario needs a "series" object');
  expectString(fn, file, 'a file name (a string) for the results');
  expectAlerts(fn, alerts, 'alerts');
  const start = Date.parse(scenario.start ?? DEFAULT_START);
  if (Number.isNaN(start)) throw new ScenarioFormatError(`bad start "${String(scenario.start)}"`);
  const expect = scenario.expect ?? {};
  const knownIds = new Set(alerts.map((alert) => alert.id));
  for (const id of Object.keys(expect)) {
    if (!knownIds.has(id)) throw new ScenarioFormatError(`expect names unknown alert "${id}"`);
  }
  const results: ScenarioResult[] = [];
  for (const alert of alerts) {
    const raw = scenario.series[alert.id] ?? scenario.series[alert.metric];
    if (raw === undefined) {
      if (expect[alert.id] !== undefined) throw new ScenarioFormatError(`expect names "${alert.id}" but no series "${alert.id}" or "${alert.metric}" is given`);
      continue;
    }
    const points: SeriesPoint[] = [];
    parseSeriesValues(raw).forEach((value, minute) => {
      if (value !== undefined) points.push({ time: new Date(start + minute * MINUTE_MS), value });
    });
    const evaluation = evaluateAlert(alert, points);
    const actual = {
      fired: minuteNumbers(evaluation.events.filter((event) => event.type === 'fired').map((event) => event.at), start),
      resolved: minuteNumbers(evaluation.events.filter((event) => event.type === 'resolved').map((event) => event.at), start),
      state: evaluation.state,
    };
    const wanted = expect[alert.id];
    const expected = { fired: wanted?.fired ?? [], resolved: wanted?.resolved ?? [], ...(wanted?.state !== undefined ? { state: wanted.state } : {}) };
    const problems: string[] = [];
    if (!sameList(expected.fired, actual.fired)) problems.push(`fired at minutes [${actual.fired.join(', ')}], expected [${expected.fired.join(', ')}]`);
    if (!sameList(expected.resolved, actual.resolved)) problems.push(`resolved at minutes [${actual.resolved.join(', ')}], expected [${expected.resolved.join(', ')}]`);
    if (expected.state !== undefined && expected.state !== actual.state) problems.push(`ends ${actual.state}, expected ${expected.state}`);
    results.push({ file, description: scenario.description ?? '', alertId: alert.id, passed: problems.length === 0, expected, actual, message: problems.join('; ') });
  }
  return results;
}

/**
 * Runs every `*.json` scenario in `dir` (sorted by name) against the alerts.
 * @example const report = runScenarios('scenarios'); if (!report.passed) process.exitCode = 1;
 */
export function runScenarios(dir: string, options: RunScenariosOptions = {}): ScenarioReport {
  const fn = 'runScenarios';
  expectString(fn, dir, 'a directory path (a non-empty string)', true);
  const alerts = expectAlerts(fn, readOption(fn, options, 'alerts') ?? builtInAlerts, 'options.alerts');
  const files = readdirSync(dir)
    .filter((name) => name.endsWith('.json'))
    .sort();
  const results: ScenarioResult[] = [];
  const errors: { file: string; message: string }[] = [];
  for (const file of files) {
    try {
      const scenario = JSON.parse(readFileSync(join(dir, file), 'utf8')) as ScenarioFile;
      results.push(...runScenario(scenario, file, alerts));
    } catch (error) {
      errors.push({ file, message: error instanceof Error ? error.message : String(error) });
    }
  }
  return { files, results, errors, passed: errors.length === 0 && results.length > 0 && results.every((result) => result.passed) };
}
