import type { FaultSpec } from './types';

/**
 * Parses a fault spec: comma-separated `status=503`, `retry-after=2`, `delay=3000` (ms),
 * `drop=1` (close the socket without answering), `rate=0.5` (fraction of requests affected).
 * `''`, `off` and `none` mean no fault. Throws with the offending part on anything else.
 *
 * @example parseFault('status=503,retry-after=2') // { status: 503, retryAfter: 2 }
 */
export function parseFault(spec: string | FaultSpec | undefined): FaultSpec | undefined {
  if (spec === undefined) return undefined;
  if (typeof spec === 'object') return validateFault({ ...spec });
  const text = spec.trim();
  if (text === '' || text === 'off' || text === 'none') return undefined;
  const fault: FaultSpec = {};
  for (const part of text.split(',')) {
    const [rawKey, rawValue = ''] = part.split('=', 2).map((piece) => piece.trim());
    const key = (rawKey ?? '').toLowerCase();
    const value = Number(rawValue);
    if (rawValue === '' || !Number.isFinite(value)) throw new Error(`invalid fault "${part}": expected key=number`);
    switch (key) {
      case 'status':
        fault.status = value;
        break;
      case 'retry-after':
      case 'retryafter':
        fault.retryAfter = value;
        break;
      case 'delay':
        fault.delayMs = value;
        break;
      case 'drop':
        fault.drop = value !== 0;
        break;
      case 'rate':
        fault.rate = value;
        break;
      default:
        throw new Error(`invalid fault "${part}": known keys are status, retry-after, delay, drop, rate`);
    }
  }
  return validateFault(fault);
}

function validateFault(fault: FaultSpec): FaultSpec | undefined {
  if (fault.status !== undefined && (!Number.isInteger(fault.status) || fault.status < 100 || fault.status > 599)) {
    throw new Error(`invalid fault status ${fault.status}: expected 100..599`);
  }
  if (fault.retryAfter !== undefined && !(fault.retryAfter >= 0)) throw new Error('invalid fault retry-after: expected seconds ≥ 0');
  if (fault.delayMs !== undefined && !(fault.delayMs >= 0)) throw new Error('invalid fault delay: expected milliseconds ≥ 0');
  if (fault.rate !== undefined && !(fault.rate >= 0 && fault.rate <= 1)) throw new Error('invalid fault rate: expected 0..1');
  const active = fault.status !== undefined || fault.delayMs !== undefined || fault.drop === true;
  return active ? fault : undefined;
}

/** Whether this request is one of the affected fraction. */
export function faultApplies(fault: FaultSpec | undefined, random: () => number = Math.random): fault is FaultSpec {
  if (!fault) return false;
  const rate = fault.rate ?? 1;
  return rate >= 1 || random() < rate;
}

/** The spec back as text (what `GET /admin/fault` shows). */
export function formatFault(fault: FaultSpec | undefined): string {
  if (!fault) return 'off';
  const parts: string[] = [];
  if (fault.status !== undefined) parts.push(`status=${fault.status}`);
  if (fault.retryAfter !== undefined) parts.push(`retry-after=${fault.retryAfter}`);
  if (fault.delayMs !== undefined) parts.push(`delay=${fault.delayMs}`);
  if (fault.drop) parts.push('drop=1');
  if (fault.rate !== undefined) parts.push(`rate=${fault.rate}`);
  return parts.join(',');
}
