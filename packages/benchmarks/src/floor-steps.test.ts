import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startChild, type Child } from './child-process.ts';
import { BENCH_PATH } from './hono-app.ts';
import { FLOOR_STEP_SETUPS, HONO_SETUPS, honoServerExecArgv, honoServerLaunch } from './hono-setups.ts';

// The floor's steps that only the cache count runs (hono-setups.ts, FLOOR_STEP_SETUPS): each is a
// real server child launched as the cache count launches it, and must start (the sdk- steps fail
// their start when otel-core did not register) and answer the bench's request.
const children: Child[] = [];
let sinkUrl = '';
beforeAll(async () => {
  const sink = await startChild<{ url: string }>(new URL('./sink-server.ts', import.meta.url));
  children.push(sink.child);
  sinkUrl = sink.ready.url;
});
afterAll(async () => {
  await Promise.all(children.splice(0).map((child) => child.stop()));
});

describe("the floor's steps", () => {
  it('are not setups pnpm bench runs', () => {
    for (const setup of FLOOR_STEP_SETUPS) expect(HONO_SETUPS as readonly string[]).not.toContain(setup);
  });

  it('start otel-core through --import for the sdk- steps only, with the inbound side off as for kira-floor', () => {
    for (const setup of FLOOR_STEP_SETUPS) {
      const launch = honoServerLaunch(setup, 'http://127.0.0.1:4318', 0);
      expect(launch.execArgv.includes('--import'), setup).toBe(setup.startsWith('sdk-'));
      expect(launch.env.KIRA_HTTP_INBOUND, setup).toBe(setup.startsWith('sdk-') ? 'off' : undefined);
    }
    expect(honoServerLaunch('kira-floor', 'http://127.0.0.1:4318', 0).env.KIRA_HTTP_INBOUND).toBe('off');
  });

  it.each(FLOOR_STEP_SETUPS)('%s starts and answers the bench request', async (setup) => {
    const launch = honoServerLaunch(setup, sinkUrl, 0);
    const { child, ready } = await startChild<{ url: string }>(new URL('./hono-server.ts', import.meta.url), {
      args: [setup],
      env: launch.env,
      execArgv: honoServerExecArgv(launch.execArgv),
    });
    children.push(child);
    const response = await fetch(`${ready.url}${BENCH_PATH}`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ id: '42', name: 'bench' });
  });
});
