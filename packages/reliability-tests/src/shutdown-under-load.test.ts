// SIGTERM while requests are in flight: the requests finish, the telemetry queued before and
// produced by them reaches the collector within the shutdown bound, and the process exits by itself.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, waitUntil } from '@kira/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stopAllChildren } from '@kira/test-utils';
import { type CollectorProcess, startCollectorProcess } from './collector-process';
import { crashLines, type ServiceProcess, startServiceProcess } from './service-process';
import { runTraffic } from './traffic';

// otel-core's default shutdownTimeoutMillis.
const SHUTDOWN_BOUND_MS = 5_000;
const SLOW_MS = 1_500;
const IN_FLIGHT = 20;

let dataDir: string;
let collector: CollectorProcess;
let service: ServiceProcess;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'kira-reliability-shutdown-'));
  collector = await startCollectorProcess({ port: await freePort(), dataDir });
  service = await startServiceProcess({ OTEL_EXPORTER_OTLP_ENDPOINT: collector.url, OTEL_METRIC_EXPORT_INTERVAL: '60000' });
});

afterAll(async () => {
  await stopAllChildren();
  await rm(dataDir, { recursive: true, force: true });
});

const count = async (sql: string) => Number((await collector.query<{ n: string }>(sql))[0]?.n ?? 0);

describe('SIGTERM under load', () => {
  it('finishes in-flight requests, flushes queued telemetry within the bound and exits by itself', async () => {
    // Finished just before SIGTERM: their spans and logs wait in the batch queues (5 s / 1 s delay).
    const before = await runTraffic(service.url, { phase: 'before-sigterm', durationMs: 1_000, ratePerSecond: 30 });
    const inFlight = Array.from({ length: IN_FLIGHT }, () =>
      fetch(`${service.url}/slow/${SLOW_MS}`).then(
        async (response) => ({ status: response.status, body: await response.text() }),
        (error: Error) => ({ status: 0, body: error.message }),
      ),
    );
    await waitUntil(() => service.child.stdout().split('"event":"slow-start"').length - 1 === IN_FLIGHT, 10_000, 'all slow requests in flight');
    const sigtermAt = performance.now();
    process.kill(service.child.pid, 'SIGTERM');
    const answers = await Promise.all(inFlight);
    const exit = await Promise.race([
      service.child.exited,
      new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), SLOW_MS + SHUTDOWN_BOUND_MS + 3_000)),
    ]);
    const exitMs = exit ? exit.atMs - sigtermAt : Number.NaN;

    // The collector writes what it received in batches: wait until all the expected telemetry is
    // queryable (or the wait ends and the assertions below show what is missing).
    let beforeSpans = 0;
    let beforeLogs = 0;
    let inFlightServerSpans = 0;
    let inFlightToolSpans = 0;
    let inFlightLogs = 0;
    const allStored = async () => {
      [beforeSpans, beforeLogs, inFlightServerSpans, inFlightToolSpans, inFlightLogs] = await Promise.all([
        count(`SELECT count() AS n FROM spans WHERE kind = 2 AND JSONExtractString(raw, 'attributes', 'url.path') = '/work/before-sigterm'`),
        count(`SELECT count() AS n FROM logs WHERE JSONExtractString(raw, 'attributes', 'phase') = 'before-sigterm'`),
        count(`SELECT count() AS n FROM spans WHERE kind = 2 AND JSONExtractString(raw, 'attributes', 'url.path') = '/slow/${SLOW_MS}'`),
        count(`SELECT count() AS n FROM spans WHERE name = 'execute_tool slowTool'`),
        count(`SELECT count() AS n FROM logs WHERE JSONExtractString(raw, 'body') = 'slow done'`),
      ]);
      return beforeSpans >= before.sent && beforeLogs >= before.sent && inFlightServerSpans >= IN_FLIGHT && inFlightToolSpans >= IN_FLIGHT && inFlightLogs >= IN_FLIGHT;
    };
    await waitUntil(allStored, 10_000, 'the telemetry of every request in the store').catch(() => undefined);
    const ok = answers.filter((answer) => answer.status === 200).length;

    console.log(
      [
        `SIGTERM with ${IN_FLIGHT} requests of ${SLOW_MS} ms in flight`,
        `  in-flight requests answered 200: ${ok}/${IN_FLIGHT}${ok < IN_FLIGHT ? ` (others: ${JSON.stringify([...new Set(answers.filter((answer) => answer.status !== 200).map((answer) => `${answer.status} ${answer.body}`))])})` : ""}`,
        `  process exited by itself ${exit ? `after ${exitMs.toFixed(0)} ms (code ${exit.code}, signal ${exit.signal})` : 'NOT within the bound'}; bound ${SLOW_MS} + ${SHUTDOWN_BOUND_MS} ms`,
        `  queued before SIGTERM, delivered: ${beforeSpans}/${before.sent} SERVER spans, ${beforeLogs}/${before.sent} log records`,
        `  produced by the in-flight requests, delivered: ${inFlightServerSpans}/${IN_FLIGHT} SERVER spans, ${inFlightToolSpans}/${IN_FLIGHT} execute_tool spans, ${inFlightLogs}/${IN_FLIGHT} log records`,
      ].join('\n'),
    );

    expect(ok).toBe(IN_FLIGHT);
    expect(exit).toBeDefined();
    expect(exitMs).toBeLessThan(SLOW_MS + SHUTDOWN_BOUND_MS + 1_000);
    expect(crashLines(service.child.stderr())).toEqual([]);
    expect(beforeSpans).toBe(before.sent);
    expect(beforeLogs).toBe(before.sent);
    // The telemetry of the requests that were in flight at SIGTERM must not be lost either.
    expect(inFlightServerSpans).toBe(IN_FLIGHT);
    expect(inFlightToolSpans).toBe(IN_FLIGHT);
    expect(inFlightLogs).toBe(IN_FLIGHT);
  });
});
