// Backend down: the collector is stopped while the service keeps taking traffic, then restarted
// on the same port and data folder. The service must not notice (status codes, latency, no crash),
// memory must stay bounded by the queues, telemetry must flow again without a restart, and
// (without any spool) every span and log of the 10 s outage must arrive after recovery.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, percentile, waitUntil } from '@kira/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stopAllChildren } from '@kira/test-utils';
import { type CollectorProcess, startCollectorProcess } from './collector-process';
import { countDelivery, formatDelivery } from './delivery-count';
import { crashLines, readProcessMemory, type ServiceProcess, startServiceProcess } from './service-process';
import { runTraffic, type TrafficStats } from './traffic';

const RSS_GROWTH_LIMIT_MB = 80;

let dataDir: string;
let port: number;
let collector: CollectorProcess;
let service: ServiceProcess;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'kira-reliability-down-'));
  port = await freePort();
  collector = await startCollectorProcess({ port, dataDir });
  service = await startServiceProcess({ OTEL_EXPORTER_OTLP_ENDPOINT: collector.url, OTEL_METRIC_EXPORT_INTERVAL: '1000' });
});

afterAll(async () => {
  await stopAllChildren();
  await rm(dataDir, { recursive: true, force: true });
});

const errorRate = (stats: TrafficStats) => (stats.plannedFailures + stats.unexpected) / stats.sent;
const serverSpans = async (phase: string) =>
  Number(
    (
      await collector.query<{ n: string }>(
        `SELECT count() AS n FROM spans WHERE kind = 2 AND JSONExtractString(raw, 'attributes', 'url.path') = '/work/${phase}'`,
      )
    )[0]?.n ?? 0,
  );
const logRecords = async (phase: string) =>
  Number(
    (await collector.query<{ n: string }>(`SELECT count() AS n FROM logs WHERE JSONExtractString(raw, 'attributes', 'phase') = '${phase}'`))[0]?.n ?? 0,
  );

describe('backend down, then back', () => {
  it('keeps serving, stays bounded, and delivers again after recovery', async () => {
    const baseline = await runTraffic(service.url, { phase: 'baseline', durationMs: 3_000, ratePerSecond: 40, failEvery: 10 });
    // Let the baseline's first batches go out so the phases are separate in the store.
    await waitUntil(async () => (await serverSpans('baseline')) === baseline.sent, 10_000, 'baseline spans stored');
    const warm = await readProcessMemory(service.child.pid);

    await collector.stop();
    const outageStarted = performance.now();
    const outage = await runTraffic(service.url, { phase: 'outage', durationMs: 10_000, ratePerSecond: 100, failEvery: 10 });
    const duringOutage = await readProcessMemory(service.child.pid);
    const outageSeconds = (performance.now() - outageStarted) / 1000;

    collector = await startCollectorProcess({ port, dataDir });
    const recovery = await runTraffic(service.url, { phase: 'recovery', durationMs: 3_000, ratePerSecond: 40, failEvery: 10 });
    // New telemetry flows again without restarting the service.
    await waitUntil(async () => (await serverSpans('recovery')) === recovery.sent, 20_000, 'recovery spans stored');
    // The outage's backlog is replayed at a bounded rate; wait for it, then count by id.
    await waitUntil(
      async () => {
        const delivery = await countDelivery(collector, 'outage');
        return delivery.uniqueSpans === outage.sent && delivery.uniqueLogs === outage.sent && (await logRecords('recovery')) === recovery.sent;
      },
      60_000,
      'the outage backlog and the recovery logs delivered',
    ).catch(() => undefined);
    const outageDelivery = await countDelivery(collector, 'outage');
    const deliveredRecoveryLogs = await logRecords('recovery');
    const stderr = service.child.stderr();

    console.log(
      [
        `backend down for ${outageSeconds.toFixed(1)} s`,
        `  requests served: baseline ${baseline.asExpected}/${baseline.sent}, outage ${outage.asExpected}/${outage.sent}, recovery ${recovery.asExpected}/${recovery.sent}`,
        `  error rate (planned 10 %): baseline ${(errorRate(baseline) * 100).toFixed(1)} %, outage ${(errorRate(outage) * 100).toFixed(1)} %, recovery ${(errorRate(recovery) * 100).toFixed(1)} %; unexpected failures ${baseline.unexpected + outage.unexpected + recovery.unexpected}`,
        `  latency p50/p99 ms: baseline ${percentile(baseline.latenciesMs, 50).toFixed(1)}/${percentile(baseline.latenciesMs, 99).toFixed(1)}, outage ${percentile(outage.latenciesMs, 50).toFixed(1)}/${percentile(outage.latenciesMs, 99).toFixed(1)}`,
        `  RSS: warm ${warm.rssMb.toFixed(1)} MB, peak ${duringOutage.peakRssMb.toFixed(1)} MB (growth ${(duringOutage.peakRssMb - warm.rssMb).toFixed(1)} MB, limit ${RSS_GROWTH_LIMIT_MB} MB)`,
        `  ${formatDelivery('outage telemetry delivered after recovery', outageDelivery, outage.sent)}`,
        `  recovery: ${recovery.sent}/${recovery.sent} SERVER spans and ${deliveredRecoveryLogs}/${recovery.sent} log records stored`,
        `  service stderr lines naming the outage: ${stderr.split('\n').filter((line) => /ECONNREFUSED|ECONNRESET|socket hang up|export/i.test(line)).length}`,
      ].join('\n'),
    );

    expect(service.child.isRunning()).toBe(true);
    expect(crashLines(stderr)).toEqual([]);
    for (const phase of [baseline, outage, recovery]) {
      expect(phase.unexpected).toBe(0);
      expect(phase.asExpected).toBe(phase.sent);
    }
    expect(Math.abs(errorRate(outage) - errorRate(baseline))).toBeLessThan(0.01);
    // "Same latency": compared with the baseline of the same run, because on a shared machine
    // the absolute figure swings with the neighbours' load.
    expect(percentile(outage.latenciesMs, 99)).toBeLessThan(Math.max(1_000, 2 * percentile(baseline.latenciesMs, 99)));
    expect(duringOutage.peakRssMb - warm.rssMb).toBeLessThan(RSS_GROWTH_LIMIT_MB);
    // Every batch that failed during the outage waited in the retry queue and arrived afterwards.
    expect(outageDelivery.uniqueSpans).toBe(outage.sent);
    expect(outageDelivery.uniqueLogs).toBe(outage.sent);
    // Every request logs once (info, or warn for the planned failures).
    expect(deliveredRecoveryLogs).toBe(recovery.sent);
  });
});
