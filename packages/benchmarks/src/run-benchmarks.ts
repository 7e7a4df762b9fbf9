import { runHonoBench, type HonoBenchResult } from './hono-bench.ts';
import { HONO_SETUPS, type HonoSetup } from './hono-setups.ts';
import { runMemoryBench, type MemoryBenchResult } from './memory-bench.ts';
import { runMicroBench, type MicroBenchResult } from './micro-bench.ts';

export type BenchKind = 'hono' | 'micro' | 'memory';

export interface BenchConfig {
  hono: { setups: HonoSetup[]; rounds: number; durationSeconds: number; warmupSeconds: number; connections: number; fixedRate: number; fixedRateSeconds: number; profileDir?: string };
  micro: { rounds: number; batchMs: number; cases?: string[] };
  memory: { requests: number; chunk: number; connections: number };
  sampleRatio: number;
  /** Run only these kinds (all by default); the others are left out of the raw result. */
  only?: BenchKind[];
}

/** What one `pnpm bench` run of this package produces (the raw input of the root report). */
export interface BenchRaw {
  package: '@kira/benchmarks';
  startedAt: string;
  finishedAt: string;
  config: BenchConfig;
  hono?: HonoBenchResult;
  micro?: MicroBenchResult;
  memory?: MemoryBenchResult;
}

export const DEFAULT_CONFIG: BenchConfig = {
  hono: { setups: [...HONO_SETUPS], rounds: 11, durationSeconds: 2.5, warmupSeconds: 3, connections: 10, fixedRate: 2000, fixedRateSeconds: 2 },
  micro: { rounds: 7, batchMs: 100 },
  memory: { requests: 100_000, chunk: 10_000, connections: 10 },
  sampleRatio: 0.1,
};

/** The smallest run that still exercises every kind of measurement (the smoke test). */
export const SMOKE_CONFIG: BenchConfig = {
  hono: { setups: ['bare', 'bare-middleware', 'middleware-5us', 'kira', 'kira-unsampled', 'usual-hono-otel'], rounds: 1, durationSeconds: 1, warmupSeconds: 0.5, connections: 4, fixedRate: 200, fixedRateSeconds: 1 },
  micro: { rounds: 1, batchMs: 5, cases: ['loop-again', 'logger.info', 'traceAITool', 'tracedFetch', 'fetch-in-context', 'fetch-in-active-span', 'fetch-in-span-with-histogram', 'fetch-traced', 'tracedFetch-in-request', 'hono+otelHono', 'otelHono-back-to-back', 'otelHono-after-idle', 'otelHono-after-other-work', 'otelHono-over-loopback', 'floorMiddleware-over-loopback'] },
  memory: { requests: 400, chunk: 200, connections: 4 },
  sampleRatio: 0.1,
};

export async function runBenchmarks(config: BenchConfig, log: (line: string) => void = () => {}): Promise<BenchRaw> {
  const startedAt = new Date().toISOString();
  const wanted = (kind: BenchKind) => config.only === undefined || config.only.includes(kind);
  const hono = wanted('hono') ? await runHonoBench({ ...config.hono, sampleRatio: config.sampleRatio, log }) : undefined;
  const micro = wanted('micro') ? await runMicroBench({ ...config.micro, sampleRatio: config.sampleRatio, log }) : undefined;
  const memory = wanted('memory') ? await runMemoryBench({ ...config.memory, sampleRatio: config.sampleRatio, log }) : undefined;
  return { package: '@kira/benchmarks', startedAt, finishedAt: new Date().toISOString(), config, hono, micro, memory };
}
