import { createServer as createTcpServer, type Server as TcpServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { type OtlpCaptureServer, startOtlpCaptureServer } from '@kira/test-utils';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runFixture } from './fixtures/run-fixture';

let capture: OtlpCaptureServer;
beforeAll(async () => {
  capture = await startOtlpCaptureServer();
});
afterAll(() => capture.close());
beforeEach(() => capture.reset());

// A 60 s metric interval and the span processor's 5 s delay keep the fixture's span pending until
// the signal arrives.
const env = (extra: Record<string, string> = {}) => ({
  KIRA_TELEMETRY: 'on',
  OTEL_EXPORTER_OTLP_ENDPOINT: capture.url,
  OTEL_TRACES_SAMPLER_ARG: '1',
  OTEL_METRIC_EXPORT_INTERVAL: '60000',
  ...extra,
});

describe('shutdown on signals', () => {
  it.each(['SIGTERM', 'SIGINT'] as const)(
    '%s with no host listener: pending spans and logs are delivered, then the process ends by that signal',
    async (signal) => {
      const run = runFixture('app.mjs', { args: ['signals'], env: env() });
      await run.waitForLine(/^READY$/);
      expect(capture.requests.filter((request) => request.signal === 'traces')).toHaveLength(0);
      run.child.kill(signal);
      // The fixture holds a listening server: without the re-raise it would never exit.
      expect(await run.exited).toEqual({ code: null, signal });
      expect(capture.spans().map((span) => span.name)).toContain('pending-span');
      expect(capture.logs().map((record) => record.body)).toContain('pending log');
    },
  );

  it("SIGTERM with the host's own listener: flushes, runs the host's listener, and the host decides the exit", async () => {
    const run = runFixture('app.mjs', { args: ['signals'], env: { ...env(), FIXTURE_HOST_HANDLER: '1' } });
    await run.waitForLine(/^READY$/);
    run.child.kill('SIGTERM');
    // The host closes its server; with our timers unref'd the process then exits on its own, 0.
    expect(await run.exited).toEqual({ code: 0, signal: null });
    expect(run.stdout()).toContain('HOST_HANDLER_RAN');
    expect(capture.spans().map((span) => span.name)).toContain('pending-span');
    expect(capture.logs().map((record) => record.body)).toContain('pending log');
  });

  it('the flush is bounded by shutdownTimeoutMillis when the collector never answers', async () => {
    // Accepts connections and never responds: the exporter alone would wait its 10 s timeout.
    const sockets = new Set<Socket>();
    const blackhole: TcpServer = createTcpServer((socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    });
    await new Promise<void>((resolve) => blackhole.listen(0, '127.0.0.1', resolve));
    try {
      const run = runFixture('app.mjs', {
        args: ['signals'],
        env: {
          ...env({ OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${(blackhole.address() as AddressInfo).port}` }),
          FIXTURE_OPTIONS: JSON.stringify({ shutdownTimeoutMillis: 1000 }),
        },
      });
      await run.waitForLine(/^READY$/);
      const signalledAt = Date.now();
      run.child.kill('SIGTERM');
      expect(await run.exited).toEqual({ code: null, signal: 'SIGTERM' });
      const elapsed = Date.now() - signalledAt;
      expect(elapsed).toBeGreaterThanOrEqual(900);
      expect(elapsed).toBeLessThan(5000);
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => blackhole.close(resolve));
    }
  });

  it('installs its listeners while running and removes them on shutdown()', async () => {
    const run = runFixture('app.mjs', { args: ['basic'], env: env() });
    expect(await run.exited).toEqual({ code: 0, signal: null });
    const { listenersWhileRunning, listenersAfterShutdown } = run.result();
    expect(listenersWhileRunning).toEqual([1, 1, 1]); // SIGTERM, SIGINT, beforeExit
    expect(listenersAfterShutdown).toEqual([0, 0, 0]);
  });

  it('shutdownOnExit: false installs nothing', async () => {
    const run = runFixture('app.mjs', { args: ['basic'], env: { ...env(), FIXTURE_OPTIONS: JSON.stringify({ shutdownOnExit: false }) } });
    expect(await run.exited).toEqual({ code: 0, signal: null });
    expect(run.result().listenersWhileRunning).toEqual([0, 0, 0]);
  });
});
