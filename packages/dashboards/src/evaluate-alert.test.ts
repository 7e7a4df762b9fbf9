import { describe, expect, it } from 'vitest';
import { evaluateAlert } from './evaluate-alert';
import type { Alert, SeriesPoint } from './types';

const T0 = Date.parse('2026-03-01T10:00:00.000Z');
const at = (minute: number) => new Date(T0 + minute * 60_000);
const series = (values: (number | null)[]): SeriesPoint[] =>
  values.flatMap((value, minute) => (value === null ? [] : [{ time: at(minute), value }]));
const alert = (overrides: Partial<Alert> = {}): Alert => ({
  id: 'test',
  name: 'test',
  service: 'kira-imgproxy',
  metric: 'workers_utilization',
  operator: '>',
  threshold: 0.5,
  forSeconds: 300,
  severity: 'warning',
  ...overrides,
});
const minutesOf = (events: readonly { type: string; at: Date }[], type: string) =>
  events.filter((event) => event.type === type).map((event) => (event.at.getTime() - T0) / 60_000);

describe('evaluateAlert', () => {
  it('fires a 5-minute condition at minute 5, not 4', () => {
    const pending = evaluateAlert(alert(), series([0.9, 0.9, 0.9, 0.9, 0.9]));
    expect(pending.state).toBe('pending');
    expect(pending.events).toEqual([]);
    expect(pending.breachingSince).toEqual(at(0));

    const fired = evaluateAlert(alert(), series([0.9, 0.9, 0.9, 0.9, 0.9, 0.9]));
    expect(fired.state).toBe('firing');
    expect(fired.events).toEqual([{ type: 'fired', at: at(5), value: 0.9 }]);
  });

  it('recovers on the first point that does not breach and starts over afterwards', () => {
    const result = evaluateAlert(alert({ forSeconds: 120 }), series([0.9, 0.9, 0.9, 0.4, 0.9, 0.9, 0.9]));
    expect(minutesOf(result.events, 'fired')).toEqual([2, 6]);
    expect(minutesOf(result.events, 'resolved')).toEqual([3]);
    expect(result.events[1]).toEqual({ type: 'resolved', at: at(3), value: 0.4 });
    expect(result.state).toBe('firing');
  });

  it('treats a missing minute as not breaching: it resets a pending run and resolves a firing alert at the gap', () => {
    const pending = evaluateAlert(alert({ forSeconds: 120 }), series([0.9, 0.9, null, 0.9, 0.9]));
    expect(pending.events).toEqual([]);
    expect(pending.state).toBe('pending');
    expect(pending.breachingSince).toEqual(at(3));

    const firing = evaluateAlert(alert({ forSeconds: 60 }), series([0.9, 0.9, null, null, 0.9]));
    expect(firing.events.map((event) => [event.type, (event.at.getTime() - T0) / 60_000])).toEqual([
      ['fired', 1],
      ['resolved', 2],
    ]);
    expect(firing.events[1]).not.toHaveProperty('value');
  });

  it('fires at the first breaching point when forSeconds is 0', () => {
    const result = evaluateAlert(alert({ forSeconds: 0 }), series([0.1, 0.7, 0.1]));
    expect(minutesOf(result.events, 'fired')).toEqual([1]);
    expect(minutesOf(result.events, 'resolved')).toEqual([2]);
    expect(result.state).toBe('ok');
  });

  it('compares strictly or inclusively per operator', () => {
    const values = series([0.5, 0.5]);
    expect(evaluateAlert(alert({ operator: '>', forSeconds: 0 }), values).state).toBe('ok');
    expect(evaluateAlert(alert({ operator: '>=', forSeconds: 0 }), values).state).toBe('firing');
    expect(evaluateAlert(alert({ operator: '<', threshold: 0.5, forSeconds: 0 }), values).state).toBe('ok');
    expect(evaluateAlert(alert({ operator: '<=', threshold: 0.5, forSeconds: 0 }), values).state).toBe('firing');
    expect(evaluateAlert(alert({ operator: '<', threshold: 0.6, forSeconds: 60 }), values).state).toBe('firing');
  });

  it('buckets points to minutes, sorts them, lets a later point of the same minute win and never breaches on NaN', () => {
    const points: SeriesPoint[] = [
      { time: new Date(T0 + 60_000 + 10_000), value: 0.1 },
      { time: new Date(T0 + 5_000), value: 0.9 },
      { time: new Date(T0 + 60_000 + 45_000), value: 0.9 },
      { time: new Date(T0 + 120_000), value: Number.NaN },
    ];
    // minute 1 holds 0.1 then 0.9 in array order → 0.9 wins; minute 2 is NaN → resolves
    const result = evaluateAlert(alert({ forSeconds: 60 }), points);
    expect(result.events).toEqual([
      { type: 'fired', at: at(1), value: 0.9 },
      { type: 'resolved', at: at(2), value: Number.NaN },
    ]);
    expect(result.lastValue).toBeNaN();
  });

  it('with `now` past the last point, the missing minutes resolve a firing alert', () => {
    const values = series([0.9, 0.9, 0.9]);
    expect(evaluateAlert(alert({ forSeconds: 60 }), values).state).toBe('firing');
    const stale = evaluateAlert(alert({ forSeconds: 60 }), values, { now: at(10) });
    expect(stale.state).toBe('ok');
    expect(minutesOf(stale.events, 'resolved')).toEqual([3]);
    expect(evaluateAlert(alert({ forSeconds: 60 }), values, { now: new Date(T0 + 2 * 60_000 + 59_000) }).state).toBe('firing');
  });

  it('returns ok with no events for an empty series', () => {
    expect(evaluateAlert(alert(), [])).toEqual({ alertId: 'test', state: 'ok', events: [] });
  });
});
