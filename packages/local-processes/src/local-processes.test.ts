import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from './free-port';
import { startChild, stopAllChildren } from './start-child';
import { ping, startRedis } from './start-redis';

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
  await stopAllChildren();
});

describe('startRedis', () => {
  it('starts a real redis-server that answers PING and is gone after stop()', async () => {
    const previous = process.env.REDIS_URL;
    delete process.env.REDIS_URL;
    try {
      const redis = await startRedis();
      cleanups.push(() => redis.stop());
      const port = Number(new URL(redis.url).port);
      expect(redis.url).toMatch(/^redis:\/\/127\.0\.0\.1:\d+$/);
      expect(await ping(port)).toBe(true);
      await redis.stop();
      expect(await ping(port)).toBe(false);
    } finally {
      if (previous !== undefined) process.env.REDIS_URL = previous;
    }
  });

  it('uses REDIS_URL when set', async () => {
    const previous = process.env.REDIS_URL;
    process.env.REDIS_URL = 'redis://example.invalid:6379';
    try {
      const redis = await startRedis();
      expect(redis.url).toBe('redis://example.invalid:6379');
      await redis.stop();
    } finally {
      if (previous === undefined) delete process.env.REDIS_URL;
      else process.env.REDIS_URL = previous;
    }
  });
});

describe('freePort', () => {
  it('freePort returns a port that can be bound', async () => {
    const port = await freePort();
    const server = http.createServer();
    await new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, '127.0.0.1', resolve));
    expect((server.address() as AddressInfo).port).toBe(port);
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

});

describe('startChild', () => {
  it('waits for a line of output, keeps the output and stops the child by PID', async () => {
    const child = startChild('ticker', process.execPath, ['-e', "console.log('ready on 1234'); setInterval(() => {}, 1000)"]);
    const [, port] = (await child.waitForLine(/ready on (\d+)/, 10_000)) as unknown as [string, string];
    expect(port).toBe('1234');
    expect(child.isRunning()).toBe(true);
    const { signal } = await child.stop();
    expect(signal).toBe('SIGTERM');
    expect(child.isRunning()).toBe(false);
  });

  it('rejects with the output when the child exits before printing the line', async () => {
    const child = startChild('quitter', process.execPath, ['-e', "console.error('no config'); process.exit(3)"]);
    await expect(child.waitForLine(/ready/, 10_000)).rejects.toThrow(/quitter exited \(3\)[\s\S]*no config/);
    expect((await child.exited).code).toBe(3);
  });

  it('stopAllChildren stops every child still running', async () => {
    const children = [1, 2].map((n) => startChild(`sleeper ${n}`, process.execPath, ['-e', 'setInterval(() => {}, 1000)']));
    await stopAllChildren();
    expect(children.map((child) => child.isRunning())).toEqual([false, false]);
  });
});
