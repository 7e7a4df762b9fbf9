import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { runLoad } from './load.ts';

// The load generator against a real loopback server: a refusal built on its result (the cache
// count's) must be able to say what failed, and count each failure once.
const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

async function listen(handler: Parameters<typeof createServer>[1]): Promise<string> {
  const server = createServer(handler);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
}

describe('runLoad', () => {
  it('answers every request of an amount, with no errors', async () => {
    const url = await listen((_request, response) => response.end('ok'));
    const load = await runLoad({ url, connections: 2, amount: 20 });
    expect(load.requests).toBe(20);
    expect(load.errors).toBe(0);
    expect(load.errorKinds).toEqual({});
    expect(load.non2xx).toBe(0);
  });

  it('names the errors by their code: a server that resets every connection', async () => {
    const url = await listen((request) => request.socket.resetAndDestroy());
    const load = await runLoad({ url, connections: 1, amount: 3 });
    expect(load.errors).toBeGreaterThan(0);
    expect(load.errorKinds).toEqual({ ECONNRESET: load.errors });
  });

  it('counts a timeout once, named as autocannon names it', async () => {
    // Never answers: each request waits out the 1 s timeout.
    const url = await listen(() => {});
    const load = await runLoad({ url, connections: 1, amount: 1, timeoutSeconds: 1 });
    expect(load.errors).toBe(1);
    expect(load.errorKinds).toEqual({ 'request timed out': 1 });
  });
});
