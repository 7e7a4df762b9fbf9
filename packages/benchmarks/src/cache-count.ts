// The cache count: each Hono server of the benchmark, with its setup's flags and environment, run
// under valgrind's callgrind with a simulated cache, so that what a request costs can be read as
// instructions and cache misses instead of noisy CPU time (docs/hono-request-cost.md, "Cache
// misses, counted"). A simulated cache needs no hardware counters, which these VMs lack, and gives
// the same count for the same work however busy the machine is.
import { execFile, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { promisify } from 'node:util';
import { waitUntil } from '@kira/test-utils';
import { parseCallgrind, perRequest, ranMarkCompact, splitV8Work, type CachePerRequest } from './callgrind.ts';
import { startChild, type Child } from './child-process.ts';
import { firstUsable, type TryOutcome } from './first-usable.ts';
import { BENCH_PATH } from './hono-app.ts';
import { honoServerExecArgv, honoServerLaunch, KEEP_ALIVE_TIMEOUT_ENV, missingServerV8Flags, type ServerSetup } from './hono-setups.ts';
import { runLoad } from './load.ts';

const execFileAsync = promisify(execFile);

export interface CacheCountOptions {
  /** The first is the baseline the others are compared with. */
  setups: ServerSetup[];
  /** Requests sent before the counters are zeroed. */
  warmupRequests: number;
  /** Requests counted. */
  countedRequests: number;
  /**
   * Server processes counted per setup, one of each setup in turn. Two processes of one setup
   * differ by up to about 15 % in last-level misses (where their code and heap land decides
   * which lines share a set), so one process each resolves only large differences.
   */
  processes: number;
  /** Size of the simulated last-level cache in bytes (8-way, 64-byte lines). */
  lastLevelBytes: number;
  sampleRatio: number;
  /** autocannon's connections, as in `pnpm bench`. */
  connections: number;
  /** Where the callgrind profiles and valgrind's logs go. */
  outputDirectory: string;
  log?: (line: string) => void;
}

export interface CacheCountProcess {
  perRequest: CachePerRequest;
  /** The profile of the stretch that gave the figures (one dump of callgrind's per stretch). */
  profile: string;
  /** Processes started for this count: more than 1 when requests failed in a warm-up. */
  attempts: number;
  /** Stretches counted in the process that gave the figures: more than 1 when a mark-compact or a failed request fell in one. */
  stretches: number;
}

export interface CacheCountSetupResult {
  setup: ServerSetup;
  /** One count per server process, in the order they ran. */
  processes: CacheCountProcess[];
}

export interface CacheCountResult {
  options: Omit<CacheCountOptions, 'log'> & { l1Bytes: number; valgrind: string };
  setups: CacheCountSetupResult[];
}

/**
 * The L1 caches simulated: 32 KB each, 8-way, as the cores of the VMs these figures come from
 * (AMD family 25 model 1). The last level is an option, because the figure that matters is
 * where the request's own footprint stops fitting (between 512 KB and 1 MB on that VM).
 */
export const L1_BYTES = 32 * 1024;

/**
 * V8 tiers a function up by how often it runs, not by time, so valgrind's slowness does not move
 * the point. Counted in requests 6,001 to 10,000, the telemetry's request functions (otel-hono's,
 * otel-core's `startSpan`, the metrics' recorder) ran as Maglev code, 8,730 instructions per
 * request against 6,420 after 30,000 requests. Natively, with `--trace-opt`,
 * TurboFan compiled otel-hono's functions between requests 10,000 and 20,000, and in requests
 * 30,000 to 34,000 it compiled two functions only, Node's and @hono/node-server's, in both setups.
 * `pnpm bench`'s 3 s warm-up serves about 40,000 to 55,000 requests (docs/hono-request-cost.md,
 * "The count at TurboFan's tier").
 */
export const STEADY_WARMUP_REQUESTS = 30_000;

/** valgrind's version line, or an error that says how to get it (it is not part of the install). */
export function valgrindVersion(): string {
  const result = spawnSync('valgrind', ['--version'], { encoding: 'utf8' });
  if (result.error !== undefined || result.status !== 0) {
    throw new Error('valgrind is not installed: the cache count runs each server under valgrind\'s callgrind (Debian: apt-get install valgrind)');
  }
  return result.stdout.trim();
}

export async function runCacheCount(options: CacheCountOptions): Promise<CacheCountResult> {
  const log = options.log ?? (() => {});
  const valgrind = valgrindVersion();
  mkdirSync(options.outputDirectory, { recursive: true });
  const children: Child[] = [];
  const { log: _log, ...rest } = options;
  try {
    // The sampled setups export their spans here, as in `pnpm bench`.
    const sink = await startChild<{ url: string }>(new URL('./sink-server.ts', import.meta.url));
    children.push(sink.child);
    const results = options.setups.map((setup): CacheCountSetupResult => ({ setup, processes: [] }));
    for (let round = 1; round <= options.processes; round++) {
      for (const result of results) result.processes.push(await countInNewProcesses(result.setup, `${round}`, sink.ready.url, options, children, log));
    }
    return { options: { ...rest, l1Bytes: L1_BYTES, valgrind }, setups: results };
  } finally {
    await Promise.allSettled(children.map((child) => child.stop()));
  }
}

/** Counts `setup` in new processes until every request of one's warm-up was answered. */
async function countInNewProcesses(
  setup: ServerSetup,
  round: string,
  sinkUrl: string,
  options: CacheCountOptions,
  children: Child[],
  log: (line: string) => void,
): Promise<CacheCountProcess> {
  const { value: counted, tries } = await firstUsable(
    MAX_ATTEMPTS,
    async (attempt): Promise<TryOutcome<Omit<CacheCountProcess, 'attempts'>>> => {
      try {
        return { usable: true, value: await countOnce(setup, `${round}.${attempt}`, sinkUrl, options, children, log) };
      } catch (error) {
        // Requests failed in the warm-up: the process may be in a bad state; another may not be.
        if (!(error instanceof FailedRequestsError)) throw error;
        return { usable: false, reason: error.message };
      }
    },
    (reason) => log(`cache count: ${reason}; counting again in a new process`),
    (lastReason) => new FailedRequestsError(lastReason),
  );
  log(`cache count: ${setup} (${round}): ${Math.round(counted.perRequest.instructions)} instructions, ${Math.round(counted.perRequest.lastLevelMisses)} last-level misses per request`);
  return { ...counted, attempts: tries };
}

/** What a server child reports when it is ready (hono-server.ts). */
interface CountedServerReady {
  url: string;
  execArgv: string[];
  keepAliveTimeoutMs: number | undefined;
}

/** Longer than any pause of a server under valgrind; the connections are busy or closed otherwise. */
export const COUNT_KEEP_ALIVE_TIMEOUT_MS = 600_000;

/** Server processes started per setup at most, until one fails no request of its warm-up. */
const MAX_ATTEMPTS = 3;

/**
 * Stretches counted in one process at most, until one has no whole-heap collection (mark-compact)
 * and no failed request.
 * - While V8 marks, every store the request's own code makes takes the write barrier's slow path,
 *   which no function name sets apart: such a stretch is not comparable. The collection comes when
 *   the old generation reaches a size, at about the same request in every process of a setup
 *   (`als-only` had one in the count of each of three processes after 30,000 requests), so the
 *   next stretch of the same process is counted rather than a new process. A collection forced
 *   before the count would avoid it, but after one the count measured code still warming up
 *   (179,600 instructions per request instead of 97,000), so none is forced.
 * - A failed request makes the stretch's figures not per request. Twice, both in `als-only`'s
 *   count, the stretch of that collection, 8 and 9 requests of 4,000 failed with ECONNRESET: the
 *   collection's pause under valgrind outlasted Node's keep-alive timeout (hono-setups.ts,
 *   {@link KEEP_ALIVE_TIMEOUT_ENV}). The servers now keep connections open far longer, and any
 *   other failure is over by the next stretch as well.
 */
const MAX_STRETCHES = 3;

/**
 * One server process of `setup` under callgrind: the warm-up, then zero, count, dump and read until
 * a stretch has no mark-compact and no failed request, then stop.
 */
async function countOnce(
  setup: ServerSetup,
  label: string,
  sinkUrl: string,
  options: CacheCountOptions,
  children: Child[],
  log: (line: string) => void,
): Promise<Omit<CacheCountProcess, 'attempts'>> {
  const launch = honoServerLaunch(setup, sinkUrl, options.sampleRatio);
  // One file per process: the pid in the name (callgrind's %p), the round and attempt in the log.
  const profileBase = `${options.outputDirectory}/${setup}.callgrind`;
  const cache = (bytes: number) => `${bytes},8,64`;
  log(`cache count: starting ${setup} under callgrind (${label})`);
  const server = await startChild<CountedServerReady>(new URL('./hono-server.ts', import.meta.url), {
    args: [setup],
    // No metric export during the count: one export would land in one setup's count only. No
    // connection closed by the keep-alive timer while a collection holds the server (hono-setups.ts).
    env: { ...launch.env, OTEL_METRIC_EXPORT_INTERVAL: '3600000', [KEEP_ALIVE_TIMEOUT_ENV]: String(COUNT_KEEP_ALIVE_TIMEOUT_MS) },
    // One thread: V8's compiler jobs then run where callgrind can set them apart by name.
    execArgv: [...honoServerExecArgv(launch.execArgv), '--single-threaded'],
    wrapper: {
      command: 'valgrind',
      args: [
        '--tool=callgrind',
        `--callgrind-out-file=${profileBase}.%p`,
        `--log-file=${options.outputDirectory}/${setup}.valgrind.%p.log`,
        // V8 writes and rewrites machine code on the heap; valgrind must see those writes.
        '--smc-check=all-non-file',
        '--cache-sim=yes',
        `--I1=${cache(L1_BYTES)}`,
        `--D1=${cache(L1_BYTES)}`,
        `--LL=${cache(options.lastLevelBytes)}`,
      ],
    },
    // Node under valgrind starts 20 to 50 times slower.
    readyTimeoutMs: 600_000,
  });
  children.push(server.child);
  try {
    return await warmUpAndCount(setup, label, server, options, profileBase, log);
  } finally {
    // Stopped here on a failure too, so that a new attempt's server does not share the machine.
    await server.child.stop();
  }
}

async function warmUpAndCount(
  setup: ServerSetup,
  label: string,
  server: { child: Child; ready: CountedServerReady },
  options: CacheCountOptions,
  profileBase: string,
  log: (line: string) => void,
): Promise<Omit<CacheCountProcess, 'attempts'>> {
  // As in `pnpm bench`: a server without the shared V8 flags would not be the one the bench measures.
  const missing = missingServerV8Flags(server.ready.execArgv);
  if (missing.length > 0) throw new Error(`the ${setup} server runs without ${missing.join(' ')}`);
  if (server.ready.keepAliveTimeoutMs !== COUNT_KEEP_ALIVE_TIMEOUT_MS) {
    throw new Error(`the ${setup} server's keep-alive timeout is ${server.ready.keepAliveTimeoutMs} ms, not ${COUNT_KEEP_ALIVE_TIMEOUT_MS}`);
  }
  const url = `${server.ready.url}${BENCH_PATH}`;
  log(`cache count: ${setup} (${label}): ${options.warmupRequests} requests of warm-up`);
  await loadWithoutErrors(setup, label, url, options.warmupRequests, options.connections);
  const { value, tries } = await firstUsable(
    MAX_STRETCHES,
    async (stretch): Promise<TryOutcome<{ perRequest: CachePerRequest; profile: string }>> => {
      await callgrindControl('-z', server.child.pid);
      log(`cache count: ${setup} (${label}): ${options.countedRequests} requests counted${stretch > 1 ? ` (stretch ${stretch})` : ''}`);
      let failure: FailedRequestsError | undefined;
      try {
        await loadWithoutErrors(setup, label, url, options.countedRequests, options.connections);
      } catch (error) {
        if (!(error instanceof FailedRequestsError)) throw error;
        failure = error;
      }
      // Dumped whatever happened, so that dump N is stretch N.
      await callgrindControl('-d', server.child.pid);
      // callgrind numbers a process's dumps from 1.
      const profile = `${profileBase}.${server.child.pid}.${stretch}`;
      await waitForCompleteDump(profile);
      const parsed = parseCallgrind(readFileSync(profile, 'utf8'));
      if (failure === undefined && !ranMarkCompact(parsed)) return { usable: true, value: { perRequest: perRequest(splitV8Work(parsed), options.countedRequests), profile } };
      return { usable: false, reason: failure?.message ?? `${setup} (${label}): a mark-compact fell in the count` };
    },
    (reason) => log(`cache count: ${reason}; counting the next ${options.countedRequests} requests of the same process`),
    () => new Error(`${setup}: a mark-compact or a failed request in each of ${MAX_STRETCHES} counts of one process; try fewer --requests`),
  );
  return { ...value, stretches: tries };
}

/**
 * Under valgrind a server answers 20 to 50 times slower, and slower still while V8 compiles the
 * first requests' code (beyond autocannon's 10 s on a busy machine): a request given up would
 * still be served, perhaps within the count, so none may be.
 */
const REQUEST_TIMEOUT_SECONDS = 300;

/** Some requests of a warm-up or a count failed or were not answered with a 2xx. */
class FailedRequestsError extends Error {
  override name = 'FailedRequestsError';
}

async function loadWithoutErrors(setup: ServerSetup, label: string, url: string, amount: number, connections: number): Promise<void> {
  const load = await runLoad({ url, connections, amount, timeoutSeconds: REQUEST_TIMEOUT_SECONDS });
  if (load.errors > 0 || load.non2xx > 0 || load.requests !== amount) {
    const kinds = Object.entries(load.errorKinds).map(([kind, count]) => `${count} ${kind}`);
    throw new FailedRequestsError(
      `${setup} (${label}): ${load.requests} of ${amount} requests answered, ${load.errors} errors${kinds.length > 0 ? ` (${kinds.join(', ')})` : ''}, ${load.non2xx} not 2xx: the count would not be per request`,
    );
  }
}

/**
 * `callgrind_control -z` zeroes the counters, `-d` dumps them; it ships with valgrind. It prints
 * `PID <pid>: <command line>` and `OK.` once the process has taken the command, and an error line
 * when no callgrind process has that pid.
 */
async function callgrindControl(command: '-z' | '-d', pid: number): Promise<void> {
  const { stdout, stderr } = await execFileAsync('callgrind_control', [command, String(pid)], { timeout: 120_000 });
  if (!stdout.includes(`PID ${pid}:`) || !/^\s*OK\.$/m.test(stdout)) {
    throw new Error(`callgrind_control ${command} ${pid} did not reach the server: ${`${stdout}${stderr}`.trim()}`);
  }
}

/**
 * The server process writes the dump while callgrind_control returns. A complete dump ends with
 * its `totals:` line, so wait for that.
 */
async function waitForCompleteDump(path: string): Promise<void> {
  await waitUntil(
    () => {
      if (!existsSync(path)) return false;
      const size = statSync(path).size;
      const tail = Buffer.alloc(Math.min(size, 4096));
      const descriptor = openSync(path, 'r');
      try {
        readSync(descriptor, tail, 0, tail.length, size - tail.length);
      } finally {
        closeSync(descriptor);
      }
      return /\ntotals:[^\n]*\n?$/.test(tail.toString('utf8'));
    },
    120_000,
    `callgrind's dump ${path}`,
  );
}

/**
 * One row per setup, each figure as the range over its processes, and its difference to the first
 * setup (the baseline): process i of a setup against process i of the baseline, as a range.
 */
export function formatCacheCount(result: CacheCountResult): string {
  const [baseline] = result.setups;
  if (baseline === undefined) return 'no setup counted';
  const { options } = result;
  const kb = (bytes: number) => `${bytes / 1024} KB`;
  const whole = (value: number) => Math.round(value).toLocaleString('en-US');
  const signed = (value: number) => `${value >= 0 ? '+' : '−'}${whole(Math.abs(value))}`;
  const range = (values: number[], format: (value: number) => string) => {
    const low = Math.min(...values);
    const high = Math.max(...values);
    return format(low) === format(high) ? format(low) : `${format(low)} to ${format(high)}`;
  };
  const lines = [
    `Per request, ${options.countedRequests} requests counted after ${options.warmupRequests} of warm-up (${options.connections} connections), ` +
      `${options.processes} process${options.processes === 1 ? '' : 'es'} per setup, simulated L1s of ${kb(options.l1Bytes)} and last level of ${kb(options.lastLevelBytes)}, ` +
      `V8's collector and compiler counted apart (${options.valgrind}):`,
    '',
    `| setup | instructions | L1 misses | last-level misses | of them code | over ${baseline.setup}: instructions | L1 misses | last-level misses | collector / compiler instructions |`,
    '|---|---|---|---|---|---|---|---|---|',
  ];
  for (const { setup, processes } of result.setups) {
    const figures = (pick: (value: CachePerRequest) => number) => range(processes.map((entry) => pick(entry.perRequest)), whole);
    const over = (pick: (value: CachePerRequest) => number) =>
      setup === baseline.setup
        ? ''
        : range(
            processes.flatMap((entry, index) => {
              const base = baseline.processes[index];
              return base === undefined ? [] : [pick(entry.perRequest) - pick(base.perRequest)];
            }),
            signed,
          );
    lines.push(
      `| ${setup} | ${figures((value) => value.instructions)} | ${figures((value) => value.l1Misses)} | ${figures((value) => value.lastLevelMisses)} | ${figures((value) => value.lastLevelCodeMisses)} ` +
        `| ${over((value) => value.instructions)} | ${over((value) => value.l1Misses)} | ${over((value) => value.lastLevelMisses)} ` +
        `| ${figures((value) => value.collectorInstructions)} / ${figures((value) => value.compilerInstructions)} |`,
    );
  }
  return lines.join('\n');
}
