// Backend refusing part of a batch: the real collector stores what it can and answers 200 with an
// OTLP partial success naming what it refused and why (here a log record dated past the end of
// ClickHouse's DateTime, which its TTL would delete at once). The service must say so once on
// stderr, not only to OTel's silent diag logger, and keep everything else flowing.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, stopAllChildren, waitUntil } from '@kira/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CollectorProcess, startCollectorProcess } from './collector-process';
import { crashLines, type ServiceProcess, startServiceProcess } from './service-process';

let dataDir: string;
let collector: CollectorProcess;
let service: ServiceProcess;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'kira-reliability-partial-'));
  collector = await startCollectorProcess({ port: await freePort(), dataDir });
  service = await startServiceProcess({ OTEL_EXPORTER_OTLP_ENDPOINT: collector.url });
});

afterAll(async () => {
  await stopAllChildren();
  await rm(dataDir, { recursive: true, force: true });
});

const refusalLines = () => service.child.stderr().split('\n').filter((line) => line.includes('the telemetry backend rejected'));
const storedLogs = async (phase: string) =>
  Number((await collector.query<{ n: string }>(`SELECT count() AS n FROM logs WHERE JSONExtractString(raw, 'attributes', 'phase') = '${phase}'`))[0]?.n ?? 0);

describe('backend refusing part of a batch', () => {
  it('prints the log records the collector refused, with its reason, once; the rest is stored', async () => {
    for (const id of ['1', '2']) {
      expect((await fetch(`${service.url}/log-dated/2200-01-01T00:00:00Z`)).status).toBe(200);
      expect((await fetch(`${service.url}/work/accepted?id=${id}`)).status).toBe(200);
      // Two exports, so the second refusal shows the line is printed once, not per export.
      await waitUntil(async () => (await storedLogs('accepted')) === Number(id), 15_000, `export ${id} stored`);
    }
    expect(refusalLines()).toEqual([expect.stringMatching(/^@kira\/otel-core: the telemetry backend rejected 1 log record\(s\) of an export \(".*2106/)]);
    expect(await storedLogs('dated')).toBe(0);
    expect(crashLines(service.child.stderr())).toEqual([]);
  });
});
