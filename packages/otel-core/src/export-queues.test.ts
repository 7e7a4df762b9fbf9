import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { type ExportResult, ExportResultCode } from '@opentelemetry/core';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { closeServer, flattenSpans, freePort, listenOnLoopback, waitUntil } from '@kira/test-utils';
import { describe, expect, it } from 'vitest';
import { DroppedExports } from './dropped-exports';
import { DEFAULT_SPOOL_SIZE_LIMIT_BYTES, ExportQueues, resolveSpoolSettings } from './export-queues';
import { MemoryBacklog, QueueingTransport } from './queueing-transport';
import { SlicedProtobufExporter } from './sliced-protobuf-exporter';
import { SpoolDirectory } from './spool-directory';
import { afterTest, captureConsoleWarnings, captureOtlp, tempDir } from './fixtures/test-cleanups';

// The real OTLP/protobuf trace exporter against a real OTLP receiver on loopback; the outage is
// either a 503 answer or nothing listening on the port (ECONNREFUSED).

function tracing(url: string, queues: ExportQueues) {
  const exporter = queues.wrap(new OTLPTraceExporter({ url: `${url}/v1/traces`, timeoutMillis: 2_000 }), 'traces');
  const transport = () => (exporter as unknown as { _delegate: { _transport: QueueingTransport } })._delegate._transport;
  const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
  const tracer = provider.getTracer('queue-test');
  afterTest(() => provider.shutdown());
  return {
    provider,
    /** The queue under the exporter. */
    transport,
    /** One span per call, exported on end; returns its id. */
    span: (name: string): string => {
      const span = tracer.startSpan(name);
      span.end();
      return span.spanContext().spanId;
    },
  };
}

/**
 * A loopback OTLP endpoint that answers 200 with an empty body (which the exporter takes), but
 * resets the connection, after reading the body, when `resets(n)` says so for the connection's
 * n-th request (1 = its first). Records the bodies of both kinds of request.
 */
async function resettingBackend(resets: (requestOnConnection: number) => boolean) {
  const answered: Buffer[] = [];
  const reset: Buffer[] = [];
  const requestsOnConnection = new WeakMap<object, number>();
  const { server, url } = await listenOnLoopback(async (request, response) => {
    const requestOnConnection = (requestsOnConnection.get(request.socket) ?? 0) + 1;
    requestsOnConnection.set(request.socket, requestOnConnection);
    const body = Buffer.concat((await request.toArray()) as Buffer[]);
    if (resets(requestOnConnection)) {
      reset.push(body);
      request.socket.resetAndDestroy();
      return;
    }
    answered.push(body);
    response.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
  });
  afterTest(() => closeServer(server));
  return { url, answered, reset };
}

const spoolFiles = async (dir: string) => (await readdir(join(dir, 'traces')).catch(() => [] as string[])).filter((name) => !name.startsWith('.'));

/** "A process" whose backend at `url` is down: `count` spans, each spooled in `dir` as one file; returns their ids. */
async function spoolWhileDown(dir: string, url: string, count: number): Promise<string[]> {
  const queues = new ExportQueues({ spoolDir: dir, spoolSizeLimitBytes: DEFAULT_SPOOL_SIZE_LIMIT_BYTES }, 'http/protobuf');
  const { provider, span } = tracing(url, queues);
  const ids = Array.from({ length: count }, (_, index) => span(`down-${index}`));
  await provider.forceFlush();
  await waitUntil(async () => (await spoolFiles(dir)).length === count, 10_000, 'one spool file per export');
  await provider.shutdown();
  await queues.close();
  return ids;
}

describe('retry queue (no spool)', () => {
  it('keeps batches that got 503 and delivers every one, in order, once the backend answers', async () => {
    let down = true;
    const accepted: unknown[] = [];
    const acceptedAt: number[] = [];
    const backend = await captureOtlp({
      respond: (request) => {
        if (down) return { status: 503 };
        accepted.push(request.body);
        acceptedAt.push(performance.now());
        return undefined;
      },
    });
    const delivered = () => accepted.flatMap((body) => flattenSpans(body as never).map((s) => s.spanId));
    const queues = new ExportQueues({ spoolDir: undefined, spoolSizeLimitBytes: DEFAULT_SPOOL_SIZE_LIMIT_BYTES }, 'http/protobuf');
    const { provider, span } = tracing(backend.url, queues);

    // One export at a time, as otel-core's batch processors export: concurrent exports (12 spans
    // through a SimpleSpanProcessor at once) are queued in the order their attempts fail, which on
    // a busy machine is not the order they started in.
    const ids: string[] = [];
    for (let index = 0; index < 12; index++) {
      ids.push(span(`outage-${index}`));
      await provider.forceFlush();
    }
    await waitUntil(() => backend.requests.length >= 1, 10_000, 'the first (refused) attempt');
    expect(delivered()).toEqual([]);

    down = false;
    await waitUntil(() => new Set(delivered()).size === ids.length, 20_000, 'every queued span delivered');
    // Oldest first: the order of first delivery is the order of creation.
    expect([...new Set(delivered())]).toEqual(ids);
    // Replayed at no more than 20 requests per second: 12 bodies span at least 11 intervals of 50 ms.
    expect((acceptedAt.at(-1) as number) - (acceptedAt[0] as number)).toBeGreaterThanOrEqual(11 * 50 - 20);
    await queues.close();
  });

  it('does not retry a 400: the export fails with it and nothing is queued', async () => {
    const backend = await captureOtlp({ respond: () => ({ status: 400 }) });
    const queues = new ExportQueues({ spoolDir: undefined, spoolSizeLimitBytes: DEFAULT_SPOOL_SIZE_LIMIT_BYTES }, 'http/protobuf');
    const exporter = queues.wrap(new OTLPTraceExporter({ url: `${backend.url}/v1/traces`, timeoutMillis: 2_000 }), 'traces');
    const memory = new InMemorySpanExporter();
    const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter: memory })] });
    provider.getTracer('queue-test').startSpan('rejected').end();
    const result = await new Promise<ExportResult>((resolve) => exporter.export(memory.getFinishedSpans(), resolve));
    expect(result.code).toBe(ExportResultCode.FAILED);
    expect(String(result.error)).toMatch(/Bad Request/);
    await queues.flush();
    expect(backend.requests.length).toBe(1);
    await queues.close();
  });

  it('sends an export that meets a reset on a kept-alive connection again at once: no warning, nothing queued', async () => {
    // The keep-alive race: the server closes a connection the agent has just reused (here every
    // connection's second request, its first reuse). The agent reuses the connection because the
    // first export was answered on it.
    const backend = await resettingBackend((requestOnConnection) => requestOnConnection === 2);
    const warnings = captureConsoleWarnings();
    const queues = new ExportQueues({ spoolDir: undefined, spoolSizeLimitBytes: DEFAULT_SPOOL_SIZE_LIMIT_BYTES }, 'http/protobuf');
    const { provider, span, transport } = tracing(backend.url, queues);

    span('first');
    await provider.forceFlush();
    span('second');
    await provider.forceFlush();

    expect(backend.reset).toHaveLength(1);
    // The same body answered on another connection, and the backend still counted as reachable.
    expect(backend.answered).toHaveLength(2);
    expect(backend.answered[1]).toEqual(backend.reset[0]);
    expect(transport().backendReachable).toBe(true);
    expect(warnings).toEqual([]);
    await queues.close();
  });

  it('counts a backend that resets every connection as away: two attempts, a warning, the body queued and delivered later', async () => {
    let resetting = true;
    const backend = await resettingBackend(() => resetting);
    const warnings = captureConsoleWarnings();
    const queues = new ExportQueues({ spoolDir: undefined, spoolSizeLimitBytes: DEFAULT_SPOOL_SIZE_LIMIT_BYTES }, 'http/protobuf');
    const { provider, span, transport } = tracing(backend.url, queues);

    span('while-resetting');
    await provider.forceFlush();
    // The export and one more at once; the queue's probes come a second or more later.
    expect(backend.reset).toHaveLength(2);
    expect(transport().backendReachable).toBe(false);
    expect(warnings).toEqual([expect.stringMatching(/^@kira\/otel-core: telemetry export failed \(ECONNRESET: /)]);

    resetting = false;
    await waitUntil(() => backend.answered.length === 1, 10_000, 'the queued body delivered');
    expect(backend.answered[0]).toEqual(backend.reset[0]);
    await queues.close();
  });

  it('drops the oldest bodies past its byte cap and counts them', async () => {
    const lines: string[] = [];
    const dropped = new DroppedExports({ queueBytes: 10, spoolBytes: undefined }, (line) => lines.push(line));
    const backlog = new MemoryBacklog(10, dropped);
    for (const value of [1, 2, 3, 4]) await backlog.add(new Uint8Array(4).fill(value));
    expect(backlog.size).toEqual({ bodies: 2, bytes: 8 });
    expect((await backlog.take())?.body[0]).toBe(3);
    dropped.report();
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^@kira\/otel-core: .*dropped the 2 oldest export\(s\).*in-memory retry queue/);
  });
});

describe('ExportQueues.wrap', () => {
  it('leaves an exporter without the known transport field as it is, with a warning', () => {
    const lines = captureConsoleWarnings();
    const exporter = { export: () => {}, shutdown: async () => {} };
    const queues = new ExportQueues({ spoolDir: undefined, spoolSizeLimitBytes: DEFAULT_SPOOL_SIZE_LIMIT_BYTES }, 'http/protobuf');
    expect(queues.wrap(exporter, 'traces')).toBe(exporter);
    expect(exporter).toEqual({ export: expect.any(Function), shutdown: expect.any(Function) });
    expect(lines).toEqual([expect.stringMatching(/^@kira\/otel-core: this OTLP exporter version keeps its transport elsewhere/)]);
  });

  it('finds the transport in each of the three OTLP exporters this package uses', async () => {
    const { OTLPLogExporter } = await import('@opentelemetry/exporter-logs-otlp-proto');
    const { OTLPMetricExporter } = await import('@opentelemetry/exporter-metrics-otlp-http');
    const queues = new ExportQueues({ spoolDir: undefined, spoolSizeLimitBytes: DEFAULT_SPOOL_SIZE_LIMIT_BYTES }, 'http/protobuf');
    for (const [exporter, signal] of [
      [new OTLPTraceExporter({ url: 'http://127.0.0.1:1/v1/traces' }), 'traces'],
      [new OTLPMetricExporter({ url: 'http://127.0.0.1:1/v1/metrics' }), 'metrics'],
      [new OTLPLogExporter({ url: 'http://127.0.0.1:1/v1/logs' }), 'logs'],
    ] as const) {
      queues.wrap(exporter, signal);
      expect((exporter as unknown as { _delegate: { _transport: unknown } })._delegate._transport).toBeInstanceOf(QueueingTransport);
    }
    // The default protobuf path: the sliced exporters send through an SDK exporter of their own.
    const slicedSpans = queues.wrapSliced(SlicedProtobufExporter.forSpans({ url: 'http://127.0.0.1:1/v1/traces' }), 'traces');
    const slicedLogs = queues.wrapSliced(SlicedProtobufExporter.forLogs({ url: 'http://127.0.0.1:1/v1/logs' }), 'logs');
    for (const sender of [slicedSpans.sender, slicedLogs.sender]) {
      expect((sender as unknown as { _delegate: { _transport: unknown } })._delegate._transport).toBeInstanceOf(QueueingTransport);
    }
    await queues.close();
  });
});

describe('spool', () => {
  it('writes nothing while the backend is healthy', async () => {
    const dir = await tempDir();
    const backend = await captureOtlp();
    const queues = new ExportQueues({ spoolDir: dir, spoolSizeLimitBytes: DEFAULT_SPOOL_SIZE_LIMIT_BYTES }, 'http/protobuf');
    const { provider, span } = tracing(backend.url, queues);
    const id = span('healthy');
    await provider.forceFlush();
    await waitUntil(() => backend.spans().some((s) => s.spanId === id), 10_000, 'the span');
    expect(await readdir(dir)).toEqual([]);
    await queues.close();
  });

  it('keeps bodies on disk while nothing listens, and a second instance delivers them', async () => {
    const dir = await tempDir();
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const ids = await spoolWhileDown(dir, url, 5);
    expect(await spoolFiles(dir)).toHaveLength(ids.length);

    // "The next process": a fresh set of queues on the same directory, with the backend back.
    const backend = await captureOtlp({ port });
    const second = new ExportQueues({ spoolDir: dir, spoolSizeLimitBytes: DEFAULT_SPOOL_SIZE_LIMIT_BYTES }, 'http/protobuf');
    tracing(url, second);
    await waitUntil(() => new Set(backend.spans().map((s) => s.spanId)).size === ids.length, 20_000, 'the spooled spans');
    expect([...new Set(backend.spans().map((s) => s.spanId))]).toEqual(ids);
    await waitUntil(async () => (await spoolFiles(dir)).length === 0, 10_000, 'delivered files deleted');
    await second.close();
  });

  it("replays a spool at start-up with the exporter's timeout, not a fixed 10 s", async () => {
    const dir = await tempDir();
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    await spoolWhileDown(dir, url, 1);

    // A backend that takes requests and never answers: each replay attempt ends by its timeout.
    const attempts: number[] = [];
    const { server } = await listenOnLoopback(() => void attempts.push(Date.now()), port);
    afterTest(() => closeServer(server));
    const second = new ExportQueues({ spoolDir: dir, spoolSizeLimitBytes: DEFAULT_SPOOL_SIZE_LIMIT_BYTES }, 'http/protobuf');
    tracing(url, second); // timeoutMillis 2,000, and nothing sent yet: only the replay runs
    afterTest(() => second.close());
    // With 2 s per attempt and 1 s of backoff the second attempt comes about 3 s after the first;
    // with the old fixed 10 s it could not come before 11 s.
    await waitUntil(() => attempts.length >= 2, 8_000, 'a second replay attempt');
    expect(attempts[1]! - attempts[0]!).toBeLessThan(8_000);
    expect(await spoolFiles(dir)).toHaveLength(1);
  });

  it('fails the export (and does not throw) when the spool cannot be written', async () => {
    const dir = await tempDir();
    const notADirectory = join(dir, 'file');
    await writeFile(notADirectory, 'x');
    const queues = new ExportQueues({ spoolDir: notADirectory, spoolSizeLimitBytes: DEFAULT_SPOOL_SIZE_LIMIT_BYTES }, 'http/protobuf');
    const exporter = queues.wrap(new OTLPTraceExporter({ url: `http://127.0.0.1:${await freePort()}/v1/traces`, timeoutMillis: 2_000 }), 'traces');
    const memory = new InMemorySpanExporter();
    const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter: memory })] });
    provider.getTracer('queue-test').startSpan('unspoolable').end();
    const result = await new Promise<ExportResult>((resolve) => exporter.export(memory.getFinishedSpans(), resolve));
    expect(result.code).toBe(ExportResultCode.FAILED);
    expect((result.error as NodeJS.ErrnoException).code).toMatch(/ENOTDIR|EEXIST/);
    await queues.close();
  });

  it('deletes the oldest files past its cap, counts them, and stays under the cap', async () => {
    const dir = await tempDir();
    const lines: string[] = [];
    const dropped = new DroppedExports({ queueBytes: 0, spoolBytes: 1_000 }, (line) => lines.push(line));
    const spool = new SpoolDirectory(dir, 1_000, dropped);
    for (let index = 0; index < 10; index += 1) await spool.write('traces', 'pb', new Uint8Array(200).fill(index));
    const files = await readdir(join(dir, 'traces'));
    // 40-byte header + 200-byte body per file: 4 fit in 1000 bytes.
    expect(files).toHaveLength(4);
    expect(dropped.total).toBe(6);
    const kept: number[] = [];
    for (let entry = await spool.claimOldest('traces', 'pb'); entry; entry = await spool.claimOldest('traces', 'pb')) {
      kept.push(entry.body[0] as number);
      await entry.remove();
    }
    expect(kept).toEqual([6, 7, 8, 9]);
    dropped.report();
    expect(lines).toEqual([expect.stringMatching(/dropped the 6 oldest export\(s\) .* because the spool reached its cap/)]);
  });

  it('stays under its cap when the three signals write at the same time', async () => {
    const dir = await tempDir();
    const dropped = new DroppedExports({ queueBytes: 0, spoolBytes: 2_000 });
    const spool = new SpoolDirectory(dir, 2_000, dropped);
    const signals = ['traces', 'metrics', 'logs'] as const;
    await Promise.all(Array.from({ length: 30 }, (_, index) => spool.write(signals[index % 3] as (typeof signals)[number], 'pb', new Uint8Array(160))));
    let bytes = 0;
    for (const signal of signals) {
      for (const name of await readdir(join(dir, signal))) bytes += (await import('node:fs/promises').then((fs) => fs.stat(join(dir, signal, name)))).size;
    }
    expect(bytes).toBeLessThanOrEqual(2_000);
    // 200 bytes per file: 10 fit, the 20 oldest went.
    expect(dropped.total).toBe(20);
  });

  it('skips a corrupt or truncated file with one line and delivers the rest', async () => {
    const dir = await tempDir();
    const dropped = new DroppedExports({ queueBytes: 0, spoolBytes: 1_000_000 });
    const spool = new SpoolDirectory(dir, 1_000_000, dropped);
    await spool.write('traces', 'pb', new Uint8Array([1, 2, 3]));
    const [good] = await readdir(join(dir, 'traces'));
    await writeFile(join(dir, 'traces', '000000000000001-1-000000000.pb'), 'garbage');
    await writeFile(join(dir, 'traces', '000000000000002-1-000000000.pb'), Buffer.concat([Buffer.from('KSP1'), Buffer.alloc(4, 0xff)]));
    const stderr = captureConsoleWarnings();
    const entry = await spool.claimOldest('traces', 'pb');
    expect([...(entry?.body ?? [])]).toEqual([1, 2, 3]);
    await entry?.remove();
    expect(stderr).toHaveLength(2);
    for (const line of stderr) expect(line).toMatch(/^@kira\/otel-core: skipping a telemetry spool file .*(not a spool file or truncated|truncated)/);
    expect(good).toMatch(/\.pb$/);
    expect(await readdir(join(dir, 'traces'))).toEqual([]);
  });

  it('never hands the same file to two consumers of one directory', async () => {
    const dir = await tempDir();
    const dropped = new DroppedExports({ queueBytes: 0, spoolBytes: 10_000_000 });
    const writer = new SpoolDirectory(dir, 10_000_000, dropped);
    for (let index = 0; index < 40; index += 1) await writer.write('logs', 'pb', new Uint8Array([index]));
    const consumers = [new SpoolDirectory(dir, 10_000_000, dropped), new SpoolDirectory(dir, 10_000_000, dropped)];
    const seen = consumers.map(() => [] as number[]);
    await Promise.all(
      consumers.map(async (consumer, index) => {
        for (let entry = await consumer.claimOldest('logs', 'pb'); entry; entry = await consumer.claimOldest('logs', 'pb')) {
          seen[index]?.push(entry.body[0] as number);
          await entry.remove();
        }
      }),
    );
    const all = seen.flat();
    expect(all.sort((a, b) => a - b)).toEqual(Array.from({ length: 40 }, (_, index) => index));
  });

  it('takes back a file claimed by a process that died', async () => {
    const dir = await tempDir();
    const dropped = new DroppedExports({ queueBytes: 0, spoolBytes: 1_000_000 });
    const spool = new SpoolDirectory(dir, 1_000_000, dropped);
    await spool.write('metrics', 'pb', new Uint8Array([7]));
    const [name] = await readdir(join(dir, 'metrics'));
    const { rename } = await import('node:fs/promises');
    // Far above any live pid on Linux (pid_max is at most 2^22).
    await rename(join(dir, 'metrics', name as string), join(dir, 'metrics', `${name}.claimed-99999999`));
    const entry = await spool.claimOldest('metrics', 'pb');
    expect([...(entry?.body ?? [])]).toEqual([7]);
  });
});

describe('spool file names', () => {
  it('never collide between two instances of one process writing at the same time', async () => {
    const dir = await tempDir();
    const dropped = new DroppedExports({ queueBytes: 0, spoolBytes: 10_000_000 });
    const writers = [new SpoolDirectory(dir, 10_000_000, dropped), new SpoolDirectory(dir, 10_000_000, dropped)];
    await Promise.all(writers.map(async (writer) => {
      for (let index = 0; index < 20; index += 1) await writer.write('logs', 'pb', new Uint8Array([index]));
    }));
    expect((await readdir(join(dir, 'logs'))).filter((name) => name.endsWith('.pb'))).toHaveLength(40);
  });
});

describe('spool temporary files', () => {
  it('deletes a temporary file left by a process that died mid-write, and keeps a live writer\'s', async () => {
    const dir = await tempDir();
    const dropped = new DroppedExports({ queueBytes: 0, spoolBytes: 1_000_000 });
    const spool = new SpoolDirectory(dir, 1_000_000, dropped);
    await spool.write('traces', 'pb', new Uint8Array([1]));
    // Far above any live pid on Linux (pid_max is at most 2^22); the parent of this worker is alive.
    const deadWriter = '.000001700000000-99999999-000000001.pb.tmp';
    const liveWriter = `.000001700000000-${process.ppid}-000000001.pb.tmp`;
    await writeFile(join(dir, 'traces', deadWriter), 'partial');
    await writeFile(join(dir, 'traces', liveWriter), 'being written');
    // A fresh instance measures the directory before its first write.
    await new SpoolDirectory(dir, 1_000_000, dropped).write('traces', 'pb', new Uint8Array([2]));
    const names = await readdir(join(dir, 'traces'));
    expect(names).not.toContain(deadWriter);
    expect(names).toContain(liveWriter);
    expect(names.filter((name) => name.endsWith('.pb'))).toHaveLength(2);
  });
});

describe('resolveSpoolSettings', () => {
  it('is off by default, reads the environment, and prefers options', () => {
    const warnings: string[] = [];
    expect(resolveSpoolSettings({}, {}, warnings)).toEqual({ spoolDir: undefined, spoolSizeLimitBytes: 64 * 1024 * 1024 });
    expect(resolveSpoolSettings({ KIRA_TELEMETRY_SPOOL_DIR: '/var/spool/x', KIRA_TELEMETRY_SPOOL_SIZE_LIMIT_BYTES: '1000' }, {}, warnings)).toEqual({
      spoolDir: '/var/spool/x',
      spoolSizeLimitBytes: 1000,
    });
    expect(resolveSpoolSettings({ KIRA_TELEMETRY_SPOOL_DIR: '/var/spool/x' }, { spoolDir: '/tmp/y', spoolSizeLimitBytes: 5 }, warnings)).toEqual({
      spoolDir: '/tmp/y',
      spoolSizeLimitBytes: 5,
    });
    expect(warnings).toEqual([]);
  });

  it('warns about a spoolDir that is not a path and keeps the queue in memory', () => {
    const warnings: string[] = [];
    expect(resolveSpoolSettings({}, { spoolDir: 42 as unknown as string }, warnings).spoolDir).toBeUndefined();
    expect(warnings).toEqual([expect.stringMatching(/^@kira\/otel-core: option spoolDir must be a directory path/)]);
  });

  it('warns about a bad cap and uses the default', () => {
    const warnings: string[] = [];
    expect(resolveSpoolSettings({ KIRA_TELEMETRY_SPOOL_SIZE_LIMIT_BYTES: '64MB' }, {}, warnings).spoolSizeLimitBytes).toBe(DEFAULT_SPOOL_SIZE_LIMIT_BYTES);
    expect(warnings).toEqual([expect.stringMatching(/^@kira\/otel-core: KIRA_TELEMETRY_SPOOL_SIZE_LIMIT_BYTES=64MB is not a positive whole number/)]);
  });
});
