import { diag } from '@opentelemetry/api';

const PREFIX = '@kira/external-tracing:';
const seen = new Set<string>();

/** Reports each kind of problem once per process, so a hot path cannot flood the diag logger. */
export function warnOnce(key: string, message: string, ...args: unknown[]): void {
  if (seen.has(key)) return;
  seen.add(key);
  try {
    diag.warn(`${PREFIX} ${message}`, ...args);
  } catch {
    // A broken diag logger must not break the caller either.
  }
}
