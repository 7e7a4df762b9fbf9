import { diag } from '@opentelemetry/api';

const PREFIX = '@kira/metrics:';

/**
 * A warner that reports each kind of problem once per instance, so a hot path fed bad input
 * cannot flood the diag logger.
 */
export function createWarnOnce(): (key: string, message: string, ...args: unknown[]) => void {
  const seen = new Set<string>();
  return (key, message, ...args) => {
    if (seen.has(key)) return;
    seen.add(key);
    try {
      diag.warn(`${PREFIX} ${message}`, ...args);
    } catch {
      // A broken diag logger must not break the caller either.
    }
  };
}
