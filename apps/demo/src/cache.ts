// Redis when a REDIS_URL is given (the real thing, traced by otel-core's ioredis instrumentation);
// otherwise an in-memory stand-in so the demo still runs on a machine without redis-server.
import { Redis } from 'ioredis';

export interface DemoCache {
  readonly kind: 'redis' | 'memory';
  get(key: string): Promise<string | null>;
  set(key: string, value: string, ttlSeconds: number): Promise<void>;
  /** Increments a counter that expires `windowSeconds` after its first hit; returns the new count. */
  hit(key: string, windowSeconds: number): Promise<number>;
  close(): Promise<void>;
}

export function createCache(redisUrl: string | undefined): DemoCache {
  if (redisUrl) {
    const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1, lazyConnect: false });
    return {
      kind: 'redis',
      get: (key) => redis.get(key),
      async set(key, value, ttlSeconds) {
        await redis.set(key, value, 'EX', ttlSeconds);
      },
      async hit(key, windowSeconds) {
        const [[, count]] = (await redis.multi().incr(key).expire(key, windowSeconds, 'NX').exec()) as [[unknown, number]];
        return count;
      },
      async close() {
        await redis.quit().catch(() => redis.disconnect());
      },
    };
  }
  const values = new Map<string, { value: string; expiresAt: number }>();
  const read = (key: string) => {
    const entry = values.get(key);
    if (entry && entry.expiresAt < Date.now()) values.delete(key);
    return values.get(key);
  };
  return {
    kind: 'memory',
    get: (key) => Promise.resolve(read(key)?.value ?? null),
    set(key, value, ttlSeconds) {
      values.set(key, { value, expiresAt: Date.now() + ttlSeconds * 1000 });
      return Promise.resolve();
    },
    hit(key, windowSeconds) {
      const entry = read(key) ?? { value: '0', expiresAt: Date.now() + windowSeconds * 1000 };
      entry.value = String(Number(entry.value) + 1);
      values.set(key, entry);
      return Promise.resolve(Number(entry.value));
    },
    async close() {},
  };
}
