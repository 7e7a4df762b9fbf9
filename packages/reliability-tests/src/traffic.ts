import { releaseAtRate } from '@kira/test-utils';

export interface TrafficStats {
  sent: number;
  /** Answered with the expected status (200, or 500 for planned failures). */
  asExpected: number;
  plannedFailures: number;
  /** Network errors and unexpected statuses. */
  unexpected: number;
  latenciesMs: number[];
}

/**
 * Sends `ratePerSecond` GETs for `durationMs` (bounded: at most rate × duration requests). Every
 * `failEvery`-th request asks for a planned 500, so the service's own error rate is known.
 */
export async function runTraffic(baseUrl: string, options: { phase: string; durationMs: number; ratePerSecond: number; failEvery?: number }): Promise<TrafficStats> {
  const stats: TrafficStats = { sent: 0, asExpected: 0, plannedFailures: 0, unexpected: 0, latenciesMs: [] };
  const inFlight: Promise<void>[] = [];
  await releaseAtRate(options, (index) => {
    const planned = options.failEvery !== undefined && index % options.failEvery === options.failEvery - 1;
    const sentAt = performance.now();
    stats.sent += 1;
    inFlight.push(
      fetch(`${baseUrl}/work/${options.phase}?id=${index}${planned ? '&fail=1' : ''}`, { signal: AbortSignal.timeout(5_000) }).then(
        async (response) => {
          await response.arrayBuffer();
          stats.latenciesMs.push(performance.now() - sentAt);
          if (planned) stats.plannedFailures += 1;
          if (response.status === (planned ? 500 : 200)) stats.asExpected += 1;
          else stats.unexpected += 1;
        },
        () => {
          stats.unexpected += 1;
        },
      ),
    );
  });
  await Promise.all(inFlight);
  return stats;
}
