// Long outages with the on-disk spool (KIRA_TELEMETRY_SPOOL_DIR): nothing is lost while the
// backend is away far longer than the export timeout, the spool stays under its cap (dropping
// only the oldest past it, and saying so once), a process stopped during an outage leaves its
// spool to the next one, and a corrupt spool file is skipped. The outage is the real collector's
// fault switch answering 503 (or closing the socket); delivery is counted by id in its store.
import { mkdir, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, stopAllChildren, waitUntil } from '@kira/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CollectorProcess, startCollectorProcess } from './collector-process';
import { countDelivery, formatDelivery } from './delivery-count';
import { crashLines, readProcessMemory, startServiceProcess } from './service-process';
import { runTraffic } from './traffic';

// otel-core's default shutdownTimeoutMillis and spool cap.
const SHUTDOWN_BOUND_MS = 5_000;
const DEFAULT_SPOOL_CAP_BYTES = 64 * 1024 * 1024;
const RSS_GROWTH_LIMIT_MB = 60;

let dataDir: string;
let collector: CollectorProcess;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'kira-reliability-spool-'));
  collector = await startCollectorProcess({ port: await freePort(), dataDir });
});

afterAll(async () => {
  await collector?.setFault('off').catch(() => undefined);
  await stopAllChildren();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

async function spoolDir(): Promise<string> {
  return mkdtemp(join(dataDir, 'spool-'));
}

/** Bytes and files of spool bodies (in-progress temporary files excluded). */
async function spoolSize(dir: string): Promise<{ bytes: number; files: number }> {
  // Every folder is listed before any file is measured. Listed and measured folder by folder, a
  // traces file could be counted just before the spool deleted it to make room for a metrics file
  // that the next folder's listing then counted too: a size the directory never had. The spool
  // deletes before it writes, so a file listed here that is deleted before its stat is simply
  // not counted, and the sum never exceeds what was on disk.
  const paths: string[] = [];
  for (const signal of ['traces', 'metrics', 'logs']) {
    const names = await readdir(join(dir, signal)).catch(() => [] as string[]);
    for (const name of names) if (!name.startsWith('.')) paths.push(join(dir, signal, name));
  }
  let bytes = 0;
  let files = 0;
  for (const path of paths) {
    const info = await stat(path).catch(() => undefined);
    if (!info) continue;
    bytes += info.size;
    files += 1;
  }
  return { bytes, files };
}

/** Samples the spool's size every second while `work` runs; returns the largest seen. */
async function whileSampling<T>(dir: string, work: Promise<T>): Promise<{ result: T; peakBytes: number }> {
  let peakBytes = 0;
  const sample = async () => {
    peakBytes = Math.max(peakBytes, (await spoolSize(dir)).bytes);
  };
  const timer = setInterval(() => void sample(), 1_000);
  try {
    const result = await work;
    await sample();
    return { result, peakBytes };
  } finally {
    clearInterval(timer);
  }
}

const spoolEnv = (dir: string, extra: Record<string, string> = {}) => ({
  OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
  OTEL_METRIC_EXPORT_INTERVAL: '5000',
  KIRA_TELEMETRY_SPOOL_DIR: dir,
  ...extra,
});

describe('120 s outage with a spool', () => {
  it('delivers 100 % of the outage\'s spans and logs, with memory bounded and the spool under its cap', { timeout: 420_000 }, async () => {
    const dir = await spoolDir();
    const service = await startServiceProcess(spoolEnv(dir));
    const warm = await runTraffic(service.url, { phase: 'long-warm', durationMs: 2_000, ratePerSecond: 20 });
    await waitUntil(async () => (await countDelivery(collector, 'long-warm')).uniqueSpans === warm.sent, 30_000, 'warm-up spans stored');
    expect(await spoolSize(dir)).toEqual({ bytes: 0, files: 0 });
    const before = await readProcessMemory(service.child.pid);

    await collector.setFault('status=503');
    // 20 req/s rather than 100: the same property (the outage outlives the export timeout 12
    // times over), a quarter of the load on a shared 2-core machine.
    const { result: outage, peakBytes } = await whileSampling(dir, runTraffic(service.url, { phase: 'long-outage', durationMs: 120_000, ratePerSecond: 20 }));
    const during = await readProcessMemory(service.child.pid);
    const spooled = await spoolSize(dir);
    await collector.setFault('off');
    const recoveredAt = performance.now();

    await waitUntil(
      async () => {
        const delivery = await countDelivery(collector, 'long-outage');
        return delivery.uniqueSpans === outage.sent && delivery.uniqueLogs === outage.sent;
      },
      180_000,
      'every outage span and log delivered',
    ).catch(() => undefined);
    const replayMs = performance.now() - recoveredAt;
    const delivery = await countDelivery(collector, 'long-outage');
    await waitUntil(async () => (await spoolSize(dir)).files === 0, 30_000, 'spool emptied').catch(() => undefined);
    const left = await spoolSize(dir);
    const stderr = service.child.stderr();

    console.log(
      [
        `120 s outage (503) at 20 req/s with KIRA_TELEMETRY_SPOOL_DIR`,
        `  ${formatDelivery('delivered after recovery', delivery, outage.sent)}; replay took ${(replayMs / 1000).toFixed(1)} s`,
        `  spool: peak ${(peakBytes / 1024).toFixed(0)} KiB, ${spooled.files} files at the end of the outage (cap ${DEFAULT_SPOOL_CAP_BYTES / 1024 / 1024} MiB); ${left.files} files left after replay`,
        `  RSS: before ${before.rssMb.toFixed(1)} MB, peak ${during.peakRssMb.toFixed(1)} MB (growth ${(during.peakRssMb - before.rssMb).toFixed(1)} MB, limit ${RSS_GROWTH_LIMIT_MB} MB)`,
        `  requests: ${outage.asExpected}/${outage.sent} answered as expected`,
      ].join('\n'),
    );

    expect(outage.asExpected).toBe(outage.sent);
    expect(crashLines(stderr)).toEqual([]);
    expect(delivery.uniqueSpans).toBe(outage.sent);
    expect(delivery.uniqueLogs).toBe(outage.sent);
    expect(spooled.files).toBeGreaterThan(0);
    expect(peakBytes).toBeLessThan(DEFAULT_SPOOL_CAP_BYTES);
    expect(during.peakRssMb - before.rssMb).toBeLessThan(RSS_GROWTH_LIMIT_MB);
    expect(left.files).toBe(0);
    await service.child.stop();
  });
});

describe('outage longer than the spool cap allows', () => {
  it('drops only the oldest, stays under the cap, and reports the count in one line', { timeout: 240_000 }, async () => {
    const dir = await spoolDir();
    // A 512 KiB cap (about two full span batches) fills in a few seconds of outage instead of the
    // many minutes 64 MiB would take at this rate.
    const capBytes = 512 * 1024;
    const service = await startServiceProcess(spoolEnv(dir, { KIRA_TELEMETRY_SPOOL_SIZE_LIMIT_BYTES: String(capBytes) }));
    // The socket is closed without an answer: a network failure, not an HTTP status.
    await collector.setFault('drop=1');
    const { result: outage, peakBytes } = await whileSampling(dir, runTraffic(service.url, { phase: 'cap-outage', durationMs: 20_000, ratePerSecond: 50 }));
    await collector.setFault('off');
    const line = /@kira\/otel-core: telemetry backend was unreachable; dropped the (\d+) oldest export\(s\) .* because the spool reached its cap/;
    await waitUntil(() => line.test(service.child.stderr()), 60_000, 'the line reporting the dropped exports').catch(() => undefined);
    await waitUntil(async () => (await spoolSize(dir)).files === 0, 60_000, 'spool replayed').catch(() => undefined);
    // The collector buffers writes for ~200 ms; wait until two reads agree.
    let delivery = await countDelivery(collector, 'cap-outage');
    await waitUntil(
      async () => {
        const next = await countDelivery(collector, 'cap-outage');
        const settled = next.uniqueLogs === delivery.uniqueLogs && next.uniqueSpans === delivery.uniqueSpans;
        delivery = next;
        return settled && next.uniqueLogs > 0;
      },
      30_000,
      'delivery settled',
    );
    const stderr = service.child.stderr();
    const reportLines = stderr.split('\n').filter((text) => line.test(text));
    const delivered = [...delivery.logIds].sort((a, b) => a - b);
    const missing = Array.from({ length: outage.sent }, (_, index) => index).filter((id) => !delivery.logIds.has(id));

    console.log(
      [
        `outage (socket closed) of 20 s at 50 req/s, spool cap ${capBytes / 1024} KiB`,
        `  ${formatDelivery('delivered', delivery, outage.sent)}; missing log ids ${missing.length ? `${missing[0]}…${missing.at(-1)}` : 'none'}, delivered ${delivered[0]}…${delivered.at(-1)}`,
        `  spool peak ${(peakBytes / 1024).toFixed(0)} KiB (cap ${capBytes / 1024} KiB)`,
        `  report: ${reportLines.join(' | ') || 'none'}`,
      ].join('\n'),
    );

    expect(crashLines(stderr)).toEqual([]);
    expect(peakBytes).toBeLessThanOrEqual(capBytes);
    expect(reportLines).toHaveLength(1);
    expect(Number(line.exec(reportLines[0] as string)?.[1])).toBeGreaterThan(0);
    expect(missing.length).toBeGreaterThan(0);
    expect(delivered.length).toBeGreaterThan(0);
    // Only the oldest were dropped: every lost request is older than every delivered one.
    expect(Math.max(...missing)).toBeLessThan(delivered[0] as number);
    await service.child.stop();
  });
});

describe('SIGTERM during an outage, then the next processes', () => {
  let dir: string;
  let sent = 0;

  it('exits within the shutdown bound and leaves the outage on disk', { timeout: 120_000 }, async () => {
    dir = await spoolDir();
    const first = await startServiceProcess(spoolEnv(dir));
    await collector.setFault('status=503');
    const traffic = await runTraffic(first.url, { phase: 'sigterm-outage', durationMs: 5_000, ratePerSecond: 50 });
    sent = traffic.sent;
    const sigtermAt = performance.now();
    process.kill(first.child.pid, 'SIGTERM');
    const exit = await Promise.race([first.child.exited, new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), SHUTDOWN_BOUND_MS + 5_000))]);
    const exitMs = exit ? exit.atMs - sigtermAt : Number.NaN;
    const left = await spoolSize(dir);
    console.log(`SIGTERM during a 503 outage after ${sent} requests: exited ${exit ? `after ${exitMs.toFixed(0)} ms` : 'NOT in time'} (bound ${SHUTDOWN_BOUND_MS} ms); ${left.files} spool files (${(left.bytes / 1024).toFixed(0)} KiB) left behind`);
    expect(exit).toBeDefined();
    expect(exitMs).toBeLessThan(SHUTDOWN_BOUND_MS + 1_000);
    expect(crashLines(first.child.stderr())).toEqual([]);
    expect(left.files).toBeGreaterThan(0);
    expect(await countDelivery(collector, 'sigterm-outage')).toMatchObject({ uniqueSpans: 0, uniqueLogs: 0 });
  });

  it('two next processes sharing the directory deliver all of it once, and skip a corrupt file with one line', { timeout: 120_000 }, async () => {
    expect(sent).toBeGreaterThan(0);
    // A truncated body and a file of garbage, named like spool files.
    await mkdir(join(dir, 'logs'), { recursive: true });
    await mkdir(join(dir, 'traces'), { recursive: true });
    await writeFile(join(dir, 'traces', '000000000000001-1-000000001.pb'), Buffer.from('KSP1\u0000\u0000\u0010\u0000truncated'));
    await writeFile(join(dir, 'logs', '000000000000001-1-000000002.pb'), 'not a spool file at all');
    await collector.setFault('off');
    // Both start on the same directory at once; each file must be claimed by exactly one.
    const next = await Promise.all([startServiceProcess(spoolEnv(dir)), startServiceProcess(spoolEnv(dir))]);
    await waitUntil(
      async () => {
        const delivery = await countDelivery(collector, 'sigterm-outage');
        return delivery.uniqueSpans === sent && delivery.uniqueLogs === sent;
      },
      60_000,
      'the first process\'s spool delivered',
    ).catch(() => undefined);
    await waitUntil(async () => (await spoolSize(dir)).files === 0, 30_000, 'spool emptied').catch(() => undefined);
    const delivery = await countDelivery(collector, 'sigterm-outage');
    const stderr = next.map((service) => service.child.stderr()).join('\n');
    const skipped = stderr.split('\n').filter((text) => /@kira\/otel-core: skipping a telemetry spool file/.test(text));
    console.log(
      `two next processes: ${formatDelivery('delivered from the spool', delivery, sent)}; lines about skipped files: ${skipped.length}; files left ${(await spoolSize(dir)).files}`,
    );
    for (const service of next) expect(service.child.isRunning()).toBe(true);
    expect(crashLines(stderr)).toEqual([]);
    expect(delivery.uniqueSpans).toBe(sent);
    expect(delivery.uniqueLogs).toBe(sent);
    // Nothing failed during the replay, so nothing may arrive twice.
    expect(delivery.spans).toBe(delivery.uniqueSpans);
    expect(delivery.logs).toBe(delivery.uniqueLogs);
    expect(skipped).toHaveLength(2);
    expect((await spoolSize(dir)).files).toBe(0);
    for (const service of next) await service.child.stop();
  });
});
