import { expectAlert } from './expect-argument';
import type { Alert, Signal } from './types';

/** The per-minute signal an alert watches: its `signal`, or a plain gauge of its metric. */
export function alertSignal(alert: Alert): Signal {
  expectAlert('alertSignal', alert);
  return alert.signal ?? { kind: 'gauge', metric: alert.metric };
}
