import { Agent, get, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { COUNT_KEEP_ALIVE_TIMEOUT_MS } from './cache-count.ts';
import { startChild, type Child } from './child-process.ts';
import { HONO_SERVER_V8_FLAGS, honoServerExecArgv, honoServerLaunch, KEEP_ALIVE_TIMEOUT_ENV, keepAliveTimeoutFrom, missingServerV8Flags } from './hono-setups.ts';

// The guard `pnpm bench` applies to every Hono server: a server started without the shared V8
// flags would be measured at another level of CPU per request than the others
// (docs/hono-request-cost.md, "Two speeds per server process"), so the run must notice it. Real
// server children.
const started: Child[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((child) => child.stop()));
});

async function bareServer(execArgv: string[]): Promise<readonly string[]> {
  const { child, ready } = await startChild<{ execArgv: string[] }>(new URL('./hono-server.ts', import.meta.url), { args: ['bare'], execArgv });
  started.push(child);
  return ready.execArgv;
}

describe("the Hono servers' V8 flags guard", () => {
  it('finds every shared flag missing from a server started without them', async () => {
    const reported = await bareServer([]);
    expect(HONO_SERVER_V8_FLAGS.length).toBeGreaterThan(0);
    expect(missingServerV8Flags(reported)).toEqual([...HONO_SERVER_V8_FLAGS]);
  });

  it('finds none missing from a server started as pnpm bench starts it', async () => {
    const reported = await bareServer(honoServerExecArgv(honoServerLaunch('bare', 'http://127.0.0.1:4318', 0.1).execArgv));
    expect(reported).toEqual(expect.arrayContaining([...HONO_SERVER_V8_FLAGS]));
    expect(missingServerV8Flags(reported)).toEqual([]);
  });
});

// The cache count's servers keep idle connections open through valgrind's long collection pauses
// (hono-setups.ts, KEEP_ALIVE_TIMEOUT_ENV); `pnpm bench`'s keep Node's default. Real server children.
describe("the Hono servers' keep-alive timeout", () => {
  async function reportedKeepAlive(env: Record<string, string>): Promise<number | undefined> {
    const { child, ready } = await startChild<{ keepAliveTimeoutMs: number | undefined }>(new URL('./hono-server.ts', import.meta.url), { args: ['bare'], env });
    started.push(child);
    return ready.keepAliveTimeoutMs;
  }

  it("is Node's default unless set", async () => {
    expect(await reportedKeepAlive({})).toBe(new Server().keepAliveTimeout);
  });

  it('is what the environment sets', async () => {
    const longer = new Server().keepAliveTimeout * 7 + 1;
    expect(await reportedKeepAlive({ [KEEP_ALIVE_TIMEOUT_ENV]: String(longer) })).toBe(longer);
  });

  it('refuses anything but a positive whole number of ms, naming the variable', () => {
    for (const bad of ['0', '-5', '1.5', 'soon', '1e400']) {
      expect(() => keepAliveTimeoutFrom(bad)).toThrow(new RegExp(`${KEEP_ALIVE_TIMEOUT_ENV}.*"${bad.replace('.', '\\.')}"`));
    }
    expect(keepAliveTimeoutFrom(undefined)).toBeUndefined();
    expect(keepAliveTimeoutFrom('')).toBeUndefined();
  });

  it('keeps a server that is given a bad value from starting', async () => {
    await expect(reportedKeepAlive({ [KEEP_ALIVE_TIMEOUT_ENV]: 'soon' })).rejects.toThrow(/exited with 1 before it was ready/);
  });
});

// Why the count sets it: a server whose event loop is held (a collection under valgrind) past its
// keep-alive timeout runs that timer before it reads, and resets every kept-alive connection whose
// next request is waiting. A real node:http server and client in this process; the hold is a busy
// loop, as a collection's pause is.
describe('a keep-alive timeout shorter than a pause of the server', () => {
  async function waitingRequestsAfterAHold(keepAliveTimeoutMs: number): Promise<{ answered: number; errors: string[] }> {
    const server = new Server((_request, response) => response.end('ok'));
    server.keepAliveTimeout = keepAliveTimeoutMs;
    // Node 24's server waits this much longer than the timeout before it closes (1 s by default),
    // so a held loop must outlast both; at 0 the test's hold stays shorter.
    (server as Server & { keepAliveTimeoutBuffer?: number }).keepAliveTimeoutBuffer = 0;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const agent = new Agent({ keepAlive: true, maxSockets: 4 });
    const errors: string[] = [];
    let answered = 0;
    const request = () =>
      new Promise<void>((resolve) => {
        get({ host: '127.0.0.1', port, agent }, (response) => {
          response.resume();
          response.on('end', () => {
            answered++;
            resolve();
          });
        }).on('error', (error: NodeJS.ErrnoException) => {
          errors.push(error.code ?? error.message);
          resolve();
        });
      });
    try {
      // Four kept-alive connections, then four requests waiting on them while the loop is held.
      await Promise.all(Array.from({ length: 4 }, request));
      const waiting = Array.from({ length: 4 }, request);
      setImmediate(() => {
        const until = performance.now() + HOLD_MS;
        while (performance.now() < until) {
          // held, as by a collection's pause
        }
      });
      await Promise.all(waiting);
      return { answered: answered - 4, errors };
    } finally {
      agent.destroy();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  }
  // Not shorter: the client's agent reads the server's `Keep-Alive: timeout=` hint and does not
  // reuse a connection within its own 1 s of it, so below about 2 s no request waits on one.
  const SHORT_KEEP_ALIVE_MS = 2000;
  const HOLD_MS = SHORT_KEEP_ALIVE_MS + 600;

  it('resets the waiting requests when the pause outlasts the timeout', async () => {
    const result = await waitingRequestsAfterAHold(SHORT_KEEP_ALIVE_MS);
    expect(result.errors.length).toBeGreaterThan(0);
    expect(result.errors).toContain('ECONNRESET');
  });

  it("answers every waiting request with the count's timeout", async () => {
    expect(await waitingRequestsAfterAHold(COUNT_KEEP_ALIVE_TIMEOUT_MS)).toEqual({ answered: 4, errors: [] });
  });
});
