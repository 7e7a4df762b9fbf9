// `pnpm --filter @kira/benchmarks cache-count [setup…]`: each Hono server of the benchmark run
// under valgrind's callgrind with a simulated cache, its instructions and cache misses per request
// counted, and each setup compared with the first (docs/hono-request-cost.md, "Cache misses,
// counted"). Needs valgrind (Debian: `apt-get install valgrind`), which the install leaves out:
// only this command uses it. The setups and options are in USAGE below (`cache-count --help`).
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { formatCacheCount, runCacheCount, STEADY_WARMUP_REQUESTS, valgrindVersion } from './cache-count.ts';
import { positiveNumber, printUsageIfAsked, ratio } from './cli-options.ts';
import { FLOOR_STEP_SETUPS, SERVER_SETUPS, setupsFrom, type ServerSetup } from './hono-setups.ts';
import { DEFAULT_CONFIG } from './run-benchmarks.ts';

const DEFAULT_COUNTED_REQUESTS = 4000;
// The third VM's L2 per core.
const DEFAULT_LAST_LEVEL_KB = 512;
const DEFAULT_SETUPS: readonly ServerSetup[] = ['bare-middleware', 'bare', 'kira-off', 'kira-unsampled', 'kira-floor', 'kira'];

const USAGE = `Usage: pnpm --filter @kira/benchmarks cache-count [setup…] [options]

Counts each Hono server of the benchmark under valgrind's callgrind with a simulated cache: its
instructions and cache misses per request, and each setup against the first. About 4 to 5
minutes per setup. Needs valgrind (Debian: apt-get install valgrind).

Setups: by default ${DEFAULT_SETUPS.join(', ')}.
  Also the floor's steps, which pnpm bench does not run: ${FLOOR_STEP_SETUPS.join(', ')}.

Options:
  --warmup N         requests before the count (default ${STEADY_WARMUP_REQUESTS}: by then V8 runs the
                     request path as TurboFan code, as after pnpm bench's warm-up)
  --requests N       requests counted (default ${DEFAULT_COUNTED_REQUESTS})
  --processes N      server processes counted per setup, one of each in turn (default 1)
  --ratio R          sampling ratio of the setups with an SDK (default pnpm bench's ${DEFAULT_CONFIG.sampleRatio});
                     kira-unsampled is always 0
  --last-level-kb N  the simulated last-level cache, a power of two (default ${DEFAULT_LAST_LEVEL_KB}: the third
                     VM's L2 per core)
  --help, -h         this text

Writes <repo>/bench-results/cache-count.json and the profiles under
bench-results/cache-count/ (BENCH_OUTPUT_DIR overrides the directory).`;
printUsageIfAsked(process.argv.slice(2), USAGE);

const root = fileURLToPath(new URL('../../../', import.meta.url));
const outputDirectory = process.env.BENCH_OUTPUT_DIR ?? `${root}bench-results`;
const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    warmup: { type: 'string', default: String(STEADY_WARMUP_REQUESTS) },
    requests: { type: 'string', default: String(DEFAULT_COUNTED_REQUESTS) },
    processes: { type: 'string', default: '1' },
    ratio: { type: 'string', default: String(DEFAULT_CONFIG.sampleRatio) },
    'last-level-kb': { type: 'string', default: String(DEFAULT_LAST_LEVEL_KB) },
  },
});

const setups = positionals.length > 0 ? setupsFrom(positionals.join(','), SERVER_SETUPS, 'cache-count') : [...DEFAULT_SETUPS];
const warmupRequests = positiveNumber('warmup', values.warmup, { integer: true });
const countedRequests = positiveNumber('requests', values.requests, { integer: true });
const processes = positiveNumber('processes', values.processes, { integer: true });
const sampleRatio = ratio('ratio', values.ratio);
const lastLevelKb = positiveNumber('last-level-kb', values['last-level-kb'], { integer: true });
// valgrind's cache simulation needs a power-of-two number of sets (8 ways of 64-byte lines).
if ((lastLevelKb & (lastLevelKb - 1)) !== 0) throw new Error(`--last-level-kb must be a power of two (valgrind simulates whole sets), not "${values['last-level-kb']}"`);
// Before any server starts: without valgrind there is nothing to count.
valgrindVersion();

const result = await runCacheCount({
  setups,
  warmupRequests,
  countedRequests,
  processes,
  lastLevelBytes: lastLevelKb * 1024,
  sampleRatio,
  connections: DEFAULT_CONFIG.hono.connections,
  outputDirectory: `${outputDirectory}/cache-count`,
  log: (line) => console.log(line),
});
mkdirSync(outputDirectory, { recursive: true });
writeFileSync(`${outputDirectory}/cache-count.json`, `${JSON.stringify(result, null, 2)}\n`);
console.log(`\n${formatCacheCount(result)}\n\nwrote ${outputDirectory}/cache-count.json`);
