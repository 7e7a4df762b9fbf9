import { afterEach, describe, expect, it } from 'vitest';
import { startChild, type Child } from './child-process.ts';
import { HONO_SERVER_V8_FLAGS, honoServerExecArgv, honoServerLaunch, missingServerV8Flags } from './hono-setups.ts';

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
