/** A list that can be awaited for an element matching a predicate, past or future. */
export class Waitable<T> {
  readonly list: T[] = [];
  private readonly waiters = new Set<{ predicate: (item: T) => boolean; resolve: (item: T) => void }>();

  push(item: T): void {
    this.list.push(item);
    for (const waiter of this.waiters) {
      if (safeMatch(waiter.predicate, item)) {
        this.waiters.delete(waiter);
        waiter.resolve(item);
      }
    }
  }

  waitFor(predicate: (item: T) => boolean, timeoutMs: number, what: string, existing: () => T[] = () => this.list): Promise<T> {
    const found = existing().find((item) => safeMatch(predicate, item));
    if (found !== undefined) return Promise.resolve(found);
    return new Promise<T>((resolve, reject) => {
      const waiter = {
        predicate,
        resolve: (item: T) => {
          clearTimeout(timer);
          resolve(item);
        },
      };
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(new Error(`waitFor: no matching ${what} within ${timeoutMs} ms (${existing().length} seen)`));
      }, timeoutMs);
      this.waiters.add(waiter);
    });
  }

  clear(): void {
    this.list.length = 0;
  }
}

function safeMatch<T>(predicate: (item: T) => boolean, item: T): boolean {
  try {
    return predicate(item);
  } catch {
    return false;
  }
}
