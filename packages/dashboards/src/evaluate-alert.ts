import { expectAlert, expectArray, expectDate, expectObject, readField, readOption } from './expect-argument';
import type { Alert, AlertEvaluation, AlertEvent, AlertOperator, SeriesPoint } from './types';

const MINUTE_MS = 60_000;

/** Options of {@link evaluateAlert}. */
export interface EvaluateAlertOptions {
  /**
   * Evaluate up to this time: minutes after the last point until `now` are gaps (not breaching).
   * @example { now: new Date('2026-01-01T00:30:00Z') }
   */
  readonly now?: Date;
}

/** True when `value` breaches `threshold` under `operator`; NaN never breaches. */
export function breaches(operator: AlertOperator, value: number, threshold: number): boolean {
  if (!Number.isFinite(value)) return false;
  switch (operator) {
    case '>':
      return value > threshold;
    case '>=':
      return value >= threshold;
    case '<':
      return value < threshold;
    case '<=':
      return value <= threshold;
  }
}

/**
 * Replays per-minute points through an alert, with the duration semantics of Prometheus' `for`
 * (and BetterStack's confirmation period):
 *
 * - Points are bucketed to the start of their minute; when two fall into the same minute the later
 *   one (in array order) wins. A minute without a point is a gap and counts as NOT breaching.
 * - A breaching run starts at its first breaching point t0. The alert fires at the first point t of
 *   the run with `t - t0 >= forSeconds`: a 5-minute condition first seen at minute 0 fires at
 *   minute 5 (its 6th consecutive breaching point), not at minute 4. `forSeconds = 0` fires at t0.
 * - It resolves at the first minute that does not breach (a point on the right side of the
 *   threshold, NaN, or a gap); a new run then starts from zero.
 */
export function evaluateAlert(alert: Alert, series: readonly SeriesPoint[], options: EvaluateAlertOptions = {}): AlertEvaluation {
  const fn = 'evaluateAlert';
  expectAlert(fn, alert);
  expectArray(fn, series, 'series to be an array of points ({ time: Date, value: number })');
  const nowOption = readOption(fn, options, 'now');
  const now = nowOption === undefined ? undefined : expectDate(fn, nowOption, 'options.now to be a Date or undefined');
  const byMinute = new Map<number, number>();
  for (const point of series) {
    expectObject(fn, point, 'series to hold points ({ time: Date, value: number })');
    const time = expectDate(fn, readField(fn, point, 'points', 'time'), 'every point of series to have a Date time').getTime();
    if (Number.isNaN(time)) continue;
    byMinute.set(Math.floor(time / MINUTE_MS) * MINUTE_MS, point.value);
  }
  const minutes = [...byMinute.keys()].sort((a, b) => a - b);
  const events: AlertEvent[] = [];
  let breachingSince: number | undefined;
  let firing = false;
  let lastValue: number | undefined;
  let previousMinute: number | undefined;

  const clear = (at: number, value?: number): void => {
    if (firing) events.push(value === undefined ? { type: 'resolved', at: new Date(at) } : { type: 'resolved', at: new Date(at), value });
    firing = false;
    breachingSince = undefined;
  };

  for (const minute of minutes) {
    if (previousMinute !== undefined && minute - previousMinute > MINUTE_MS) clear(previousMinute + MINUTE_MS);
    previousMinute = minute;
    const value = byMinute.get(minute) as number;
    lastValue = value;
    if (!breaches(alert.operator, value, alert.threshold)) {
      clear(minute, value);
      continue;
    }
    breachingSince ??= minute;
    if (!firing && minute - breachingSince >= alert.forSeconds * 1000) {
      firing = true;
      events.push({ type: 'fired', at: new Date(minute), value });
    }
  }

  if (now !== undefined && previousMinute !== undefined) {
    const nowMinute = Math.floor(now.getTime() / MINUTE_MS) * MINUTE_MS;
    if (nowMinute > previousMinute) clear(previousMinute + MINUTE_MS);
  }

  const state = firing ? 'firing' : breachingSince !== undefined ? 'pending' : 'ok';
  return {
    alertId: alert.id,
    state,
    events,
    ...(breachingSince !== undefined ? { breachingSince: new Date(breachingSince) } : {}),
    ...(lastValue !== undefined ? { lastValue } : {}),
  };
}
