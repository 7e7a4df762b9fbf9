// `pnpm bench` (this package's script): runs every benchmark and writes the raw results to
// <repo>/bench-results/raw/benchmarks.json; the root script turns all raw files into the report.
// Knobs (environment): BENCH_ROUNDS, BENCH_DURATION (s), BENCH_FIXED_RATE (req/s), BENCH_WARMUP (s), BENCH_SETUPS (comma list
// of Hono setups), BENCH_MICRO_ROUNDS, BENCH_MICRO_CASES (comma list of micro cases; their baselines come along), BENCH_MEMORY_REQUESTS, BENCH_ONLY (comma list of hono, micro,
// memory), BENCH_PROFILE=1 (writes --cpu-prof profiles of the Hono servers to bench-results/profiles).
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { honoSetupsFrom } from './hono-setups.ts';
import { MICRO_CASES } from './micro-cases.ts';
import { DEFAULT_CONFIG, runBenchmarks, type BenchConfig, type BenchKind } from './run-benchmarks.ts';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const outputDirectory = process.env.BENCH_OUTPUT_DIR ?? `${root}bench-results`;

function numberFromEnv(name: string, fallback: number): number {
  const value = Number(process.env[name]);
  return Number.isFinite(value) && value > 0 ? value : fallback;
}

const config: BenchConfig = {
  ...DEFAULT_CONFIG,
  hono: {
    ...DEFAULT_CONFIG.hono,
    setups: honoSetupsFrom(process.env.BENCH_SETUPS),
    warmupSeconds: numberFromEnv('BENCH_WARMUP', DEFAULT_CONFIG.hono.warmupSeconds),
    rounds: numberFromEnv('BENCH_ROUNDS', DEFAULT_CONFIG.hono.rounds),
    durationSeconds: numberFromEnv('BENCH_DURATION', DEFAULT_CONFIG.hono.durationSeconds),
    fixedRate: numberFromEnv('BENCH_FIXED_RATE', DEFAULT_CONFIG.hono.fixedRate),
    ...(process.env.BENCH_PROFILE === '1' ? { profileDir: `${outputDirectory}/profiles` } : {}),
  },
  micro: {
    ...DEFAULT_CONFIG.micro,
    rounds: numberFromEnv('BENCH_MICRO_ROUNDS', DEFAULT_CONFIG.micro.rounds),
    ...(process.env.BENCH_MICRO_CASES ? { cases: microCasesFrom(process.env.BENCH_MICRO_CASES) } : {}),
  },
  memory: { ...DEFAULT_CONFIG.memory, requests: numberFromEnv('BENCH_MEMORY_REQUESTS', DEFAULT_CONFIG.memory.requests) },
  ...(process.env.BENCH_ONLY ? { only: benchKindsFrom(process.env.BENCH_ONLY) } : {}),
};

function benchKindsFrom(value: string): BenchKind[] {
  const kinds = value.split(',').map((kind) => kind.trim());
  for (const kind of kinds) if (!['hono', 'micro', 'memory'].includes(kind)) throw new Error(`BENCH_ONLY: unknown kind "${kind}" (hono, micro, memory)`);
  return kinds as BenchKind[];
}

function microCasesFrom(value: string): string[] {
  const names = value.split(',').map((name) => name.trim()).filter((name) => name !== '');
  const known = MICRO_CASES.map((info) => info.name);
  for (const name of names) if (!known.includes(name)) throw new Error(`BENCH_MICRO_CASES: unknown case "${name}" (known: ${known.join(', ')})`);
  return names;
}

const raw = await runBenchmarks(config, (line) => console.log(line));
mkdirSync(`${outputDirectory}/raw`, { recursive: true });
writeFileSync(`${outputDirectory}/raw/benchmarks.json`, `${JSON.stringify(raw, null, 2)}\n`);
console.log(`wrote ${outputDirectory}/raw/benchmarks.json`);
