/**
 * Calls `release(index)` `⌊rate × duration⌋` times, spread evenly over `durationMs`: on a 1 ms clock,
 * every call that has fallen due is made (never a per-second burst, and rates above 1,000/s work).
 * Open loop: it does not wait for what a call starts, so a slow server cannot slow the pace.
 * Resolves with the number of calls once the last one is made.
 *
 * @example await releaseAtRate({ ratePerSecond: 100, durationMs: 10_000 }, (index) => void fetch(`${url}?id=${index}`));
 */
export function releaseAtRate(options: { ratePerSecond: number; durationMs: number }, release: (index: number) => void): Promise<number> {
  const total = Math.max(0, Math.floor((options.durationMs / 1000) * options.ratePerSecond));
  const started = performance.now();
  let released = 0;
  return new Promise((resolve, reject) => {
    const releaseDue = (): void => {
      const due = Math.min(total, Math.floor(((performance.now() - started) / options.durationMs) * total) + 1);
      try {
        while (released < due) release(released++);
      } catch (error) {
        clearInterval(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
        return;
      }
      if (released >= total) {
        clearInterval(timer);
        resolve(total);
      }
    };
    const timer = setInterval(releaseDue, 1);
    releaseDue();
  });
}

/**
 * The `p`-th percentile (0–100) of `values`, nearest rank below; NaN when there are none.
 *
 * @example percentile(latenciesMs, 99)
 */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}
