// The cache count's two retry loops (a new server process after a failed warm-up, the next stretch
// of the same process after a spoilt count) share this one loop, so that its edges are tested once.

/** What one try gave: a value to keep, or why it cannot be used. */
export type TryOutcome<T> = { usable: true; value: T } | { usable: false; reason: string };

/**
 * Calls `attempt(1)`, `attempt(2)`, … until one gives a usable value, `maxTries` calls at most.
 * `beforeRetry` hears each unusable try's reason when another try follows; after the last one,
 * the error `exhausted` makes from its reason is thrown. An error thrown by `attempt` goes out
 * unchanged, with no further try.
 */
export async function firstUsable<T>(
  maxTries: number,
  attempt: (tryNumber: number) => Promise<TryOutcome<T>>,
  beforeRetry: (reason: string, tryNumber: number) => void,
  exhausted: (lastReason: string) => Error,
): Promise<{ value: T; tries: number }> {
  if (!Number.isSafeInteger(maxTries) || maxTries < 1) throw new TypeError(`firstUsable: maxTries must be a positive whole number, got ${maxTries}`);
  for (let tryNumber = 1; ; tryNumber++) {
    const outcome = await attempt(tryNumber);
    if (outcome.usable) return { value: outcome.value, tries: tryNumber };
    if (tryNumber === maxTries) throw exhausted(outcome.reason);
    beforeRetry(outcome.reason, tryNumber);
  }
}
