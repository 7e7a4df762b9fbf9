import { waitUntil } from '@kira/test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import { createBenchApp } from './hono-app.ts';
import { loopbackCaller, LOOPBACK_SERVER_OPTIONS, type LoopbackCaller } from './loopback-caller.ts';

// The micro worker's over-loopback cases open their connection when the worker starts and may
// first use it minutes later. Real servers and sockets on 127.0.0.1, with Node's connection check
// run every 20 ms instead of every 30 s, so that an idle connection meets it within the test.
const opened: LoopbackCaller[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((caller) => caller.close()));
});

async function callerWith(serverOptions: object): Promise<LoopbackCaller> {
  const caller = await loopbackCaller(createBenchApp(), { ...serverOptions, connectionsCheckingInterval: 20 });
  opened.push(caller);
  return caller;
}

describe('loopbackCaller', () => {
  it('reads each response back, call after call, on one connection', async () => {
    const caller = await callerWith(LOOPBACK_SERVER_OPTIONS);
    for (let call = 0; call < 50; call++) await caller.call();
    expect(caller.isOpen()).toBe(true);
  });

  it("keeps a connection that idles before its first call open with the worker's options, where Node's timeouts close it with a 408", async () => {
    const shortTimeouts = { headersTimeout: 50, requestTimeout: 100 };
    const withNodeTimeouts = await callerWith(shortTimeouts);
    // The worker's options laid over the same short timeouts: they must turn the check off, not
    // merely lengthen it (a test cannot wait out Node's real 60 s).
    const withWorkerOptions = await callerWith({ ...shortTimeouts, ...LOOPBACK_SERVER_OPTIONS });
    await waitUntil(() => !withNodeTimeouts.isOpen(), 10_000, "the server with Node's timeouts to close its idle connection");
    // The failure the worker met, now named by the status line the server sent.
    await expect(withNodeTimeouts.call()).rejects.toThrow('the loopback connection closed after "HTTP/1.1 408 Request Timeout"');
    expect(withWorkerOptions.isOpen()).toBe(true);
    await withWorkerOptions.call();
  });
});
