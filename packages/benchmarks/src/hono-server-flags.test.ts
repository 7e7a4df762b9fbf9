import { Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
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
