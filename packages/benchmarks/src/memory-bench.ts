import { createServer } from 'node:net';
import { startChild, type Child } from './child-process.ts';
import { BENCH_PATH } from './hono-app.ts';
import { honoServerLaunch } from './hono-setups.ts';
import { runLoad } from './load.ts';

export interface MemoryBenchOptions {
  /** Requests per server in total. */
  requests: number;
  /** Memory is sampled after every chunk of this many requests. */
  chunk: number;
  connections: number;
  sampleRatio: number;
  /** Only these servers (all three by default). */
  only?: string[];
  log?: (line: string) => void;
}

export interface MemorySample {
  requests: number;
  rssMiB: number;
  heapUsedMiB: number;
  /** Memory of Buffers/ArrayBuffers outside the JS heap (export payloads live here). */
  externalMiB: number;
}

export interface MemoryServerResult {
  /** `bare`, `kira` (sink up) or `kira-target-down`. */
  name: string;
  sampleRatio: number;
  /** Taken after a forced GC before the first request and after the last one. */
  before: MemorySample;
  after: MemorySample;
  /** After every chunk (after a forced GC, so a growing heap is retained memory, not garbage). */
  samples: MemorySample[];
  /**
   * Least-squares slope of the heap samples over the second half of the run, MiB per
   * 10,000 requests; near zero once the queues are full.
   */
  secondHalfHeapSlopeMiBPer10k: number;
}

export interface MemoryBenchResult {
  options: Omit<MemoryBenchOptions, 'log'>;
  servers: MemoryServerResult[];
  /** kira − bare RSS after the run, MiB. */
  addedRssMiB: number;
}

/**
 * Three servers fed in interleaved chunks: bare Hono, the documented @kira setup exporting to
 * the sink, and the same setup at 100 % sampling whose OTLP endpoint refuses connections (the
 * bounded span queue must fill up and stay full, not grow).
 */
export async function runMemoryBench(options: MemoryBenchOptions): Promise<MemoryBenchResult> {
  const log = options.log ?? (() => {});
  const children: Child[] = [];
  try {
    const sink = await startChild<{ url: string }>(new URL('./sink-server.ts', import.meta.url));
    children.push(sink.child);
    const downEndpoint = `http://127.0.0.1:${await closedPort()}`;
    const servers = [
      { name: 'bare', setup: 'bare' as const, endpoint: sink.ready.url, sampleRatio: options.sampleRatio },
      { name: 'kira', setup: 'kira' as const, endpoint: sink.ready.url, sampleRatio: options.sampleRatio },
      { name: 'kira-target-down', setup: 'kira' as const, endpoint: downEndpoint, sampleRatio: 1 },
    ].filter((server) => options.only === undefined || options.only.includes(server.name));
    const started: Array<{ name: string; sampleRatio: number; child: Child; url: string }> = [];
    for (const server of servers) {
      const launch = honoServerLaunch(server.setup, server.endpoint, server.sampleRatio);
      const { child, ready } = await startChild<{ url: string }>(new URL('./hono-server.ts', import.meta.url), {
        args: [server.setup],
        env: launch.env,
        execArgv: ['--expose-gc', ...launch.execArgv],
      });
      children.push(child);
      started.push({ name: server.name, sampleRatio: server.sampleRatio, child, url: `${ready.url}${BENCH_PATH}` });
    }

    const toSample = (requests: number, memory: NodeJS.MemoryUsage): MemorySample => ({
      requests,
      rssMiB: memory.rss / 2 ** 20,
      heapUsedMiB: memory.heapUsed / 2 ** 20,
      externalMiB: memory.external / 2 ** 20,
    });
    const before = new Map<string, MemorySample>();
    for (const server of started) before.set(server.name, toSample(0, await server.child.call('memory')));
    const samples = new Map<string, MemorySample[]>(started.map((server) => [server.name, []]));
    const done = new Map<string, number>(started.map((server) => [server.name, 0]));

    for (let sent = 0; sent < options.requests; sent += options.chunk) {
      const amount = Math.min(options.chunk, options.requests - sent);
      for (const server of started) {
        const load = await runLoad({ url: server.url, connections: options.connections, amount });
        done.set(server.name, done.get(server.name)! + load.requests);
        const sample = toSample(done.get(server.name)!, await server.child.call<NodeJS.MemoryUsage>('memory'));
        samples.get(server.name)!.push(sample);
        log(`memory: ${server.name} after ${sample.requests} requests: RSS ${sample.rssMiB.toFixed(1)} MiB, heap ${sample.heapUsedMiB.toFixed(1)} MiB, external ${sample.externalMiB.toFixed(1)} MiB`);
      }
    }

    const results: MemoryServerResult[] = [];
    for (const server of started) {
      const own = samples.get(server.name)!;
      results.push({
        name: server.name,
        sampleRatio: server.sampleRatio,
        before: before.get(server.name)!,
        after: toSample(done.get(server.name)!, await server.child.call('memory')),
        samples: own,
        secondHalfHeapSlopeMiBPer10k: slope(own.slice(Math.floor(own.length / 2))) * 10_000,
      });
    }
    const rss = (name: string) => results.find((result) => result.name === name)?.after.rssMiB ?? Number.NaN;
    const { log: _log, ...recorded } = options;
    return { options: recorded, servers: results, addedRssMiB: rss('kira') - rss('bare') };
  } finally {
    await Promise.allSettled(children.map((child) => child.stop()));
  }
}

/** Heap MiB per request, least squares. */
function slope(samples: MemorySample[]): number {
  if (samples.length < 2) return 0;
  const meanX = samples.reduce((sum, s) => sum + s.requests, 0) / samples.length;
  const meanY = samples.reduce((sum, s) => sum + s.heapUsedMiB, 0) / samples.length;
  let numerator = 0;
  let denominator = 0;
  for (const s of samples) {
    numerator += (s.requests - meanX) * (s.heapUsedMiB - meanY);
    denominator += (s.requests - meanX) ** 2;
  }
  return denominator === 0 ? 0 : numerator / denominator;
}

/** A port nobody listens on (bound once, then released): connections to it are refused. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
