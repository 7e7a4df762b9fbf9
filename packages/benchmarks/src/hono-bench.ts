import { mkdirSync, writeFileSync } from 'node:fs';
import { startChild, type Child } from './child-process.ts';
import { BENCH_PATH } from './hono-app.ts';
import { HONO_SERVER_V8_FLAGS, honoServerExecArgv, honoServerLaunch, inMeasurementOrder, KNOWN_WORK_MICROS, missingServerV8Flags, type HonoSetup } from './hono-setups.ts';
import { runInterleaved } from './interleave.ts';
import { runLoad, runPacedLoad, type LoadResult } from './load.ts';
import { roundDifferences, roundRatios, summarize, type Summary } from './stats.ts';

export interface HonoBenchOptions {
  setups: HonoSetup[];
  rounds: number;
  durationSeconds: number;
  warmupSeconds: number;
  connections: number;
  /**
   * Requests per second of the fixed-pace latency pass (every setup gets the same load, below
   * the slowest one's capacity), and its seconds per measurement.
   */
  fixedRate: number;
  fixedRateSeconds: number;
  sampleRatio: number;
  /** Write a `--cpu-prof` profile of every server child into this directory. */
  profileDir?: string;
  log?: (line: string) => void;
}

export interface HonoRound extends LoadResult {
  cpuMicrosPerRequest: number;
  /**
   * CPU time of the load generator (autocannon, single-threaded, in this process) ÷ wall time of
   * the measurement: near 1 means it, not the server, set the pace.
   */
  loadGeneratorCpuShare: number;
}

/** A load generator share at or above this means the round was load-generator-bound. */
export const LOAD_GENERATOR_BOUND_SHARE = 0.85;

export interface HonoSetupResult {
  setup: HonoSetup;
  rounds: HonoRound[];
  requestsPerSecond: Summary;
  p99Ms: Summary;
  cpuMicrosPerRequest: Summary;
  /** Ratios to `bare`, computed round by round. */
  ratio: { requestsPerSecond: Summary; p99: Summary; cpuMicrosPerRequest: Summary } | undefined;
  /** CPU µs per request over `bare` (round by round): the main figure, steady under contention. */
  extraCpuMicrosPerRequest: Summary | undefined;
  /** Over `bare-middleware` (one empty async middleware): what the telemetry adds beyond any middleware. */
  extraCpuMicrosOverMiddleware: Summary | undefined;
  loadGeneratorCpuShare: Summary;
  /** The median round had the load generator's core saturated (the server was not the bottleneck). */
  loadGeneratorBound: boolean;
  /**
   * Rounds whose load generator's core was saturated: in those the setup's req/s and saturated p99
   * are autocannon's pace, not the server's. On a fast machine `bare` gets there in some rounds
   * while its median stays under the line, and the median alone would not say so.
   */
  loadGeneratorBoundRounds: number;
  /** Spans the sink received from this server during the measured rounds, per request. */
  exportedSpansPerRequest: number;
  rssMiB: number;
  /**
   * At a fixed pace (`fixedRate` req/s for every setup): latency without the queueing of a
   * saturated server, whose p99 mostly tracks CPU per request. Ratios to `bare`, round by round.
   */
  fixedRate: { requestsPerSecond: Summary; p99Ms: Summary; p99Ratio: Summary | undefined };
}

export interface HonoBenchResult {
  options: Omit<HonoBenchOptions, 'log'>;
  /** The V8 flags every server child ran with (`HONO_SERVER_V8_FLAGS`). */
  serverV8Flags: readonly string[];
  setups: HonoSetupResult[];
  bar: typeof HONO_BAR & { met: boolean | undefined };
  /**
   * How this harness scales a cost known in advance: `middleware-5us` spins `micros` per request,
   * and `scale` is its figure over `bare-middleware` divided by them, round by round (1 would be
   * exact). Undefined unless both ran.
   */
  knownWork: { micros: number; scale: Summary } | undefined;
  /**
   * What the sampled requests add to `kira`, in CPU µs per request over all requests, round by
   * round: `kira` − `kira-unsampled` (the same setup at sampling ratio 0). Undefined unless both ran.
   */
  sampledRequestsCpuMicros: Summary | undefined;
}

/**
 * The documented setup's target (medians of the rounds): at most this many CPU µs per request
 * over the empty-async-middleware baseline (over `bare` when that baseline is not in the run) and
 * within this p99 factor of bare.
 */
export const HONO_BAR = { extraCpuMicrosOverMiddleware: 4, extraCpuMicrosOverBare: 6, p99Ratio: 1.3 } as const;

type CpuUsage = { user: number; system: number };

/**
 * Every setup runs in its own server child; autocannon runs here. All servers stay up for the
 * whole run and are measured in rotated order each round, so every ratio compares measurements
 * taken seconds apart on the same (shared, noisy) machine.
 */
export async function runHonoBench(options: HonoBenchOptions): Promise<HonoBenchResult> {
  const log = options.log ?? (() => {});
  const children: Child[] = [];
  try {
    const sink = await startChild<{ url: string }>(new URL('./sink-server.ts', import.meta.url));
    children.push(sink.child);
    const servers = new Map<HonoSetup, { child: Child; url: string }>();
    for (const setup of options.setups) {
      const launch = honoServerLaunch(setup, sink.ready.url, options.sampleRatio);
      const execArgv = honoServerExecArgv(launch.execArgv);
      // One directory per server: with the register hook a server has a second (loader) thread,
      // which writes a profile of its own.
      if (options.profileDir !== undefined) execArgv.push('--cpu-prof', `--cpu-prof-dir=${options.profileDir}/hono-${setup}`);
      const started = await startChild<{ url: string; execArgv: string[] }>(new URL('./hono-server.ts', import.meta.url), {
        args: [setup],
        env: launch.env,
        execArgv,
      });
      children.push(started.child);
      // Fail the run rather than compare servers of which some run without the shared flags.
      const missing = missingServerV8Flags(started.ready.execArgv);
      if (missing.length > 0) throw new Error(`the ${setup} server runs without ${missing.join(' ')}`);
      servers.set(setup, { child: started.child, url: `${started.ready.url}${BENCH_PATH}` });
    }

    // Every request a server answered, warm-up included: what a whole-life profile divides by.
    const served = new Map<HonoSetup, number>();
    for (const [setup, server] of servers) {
      log(`hono: warm-up ${setup}`);
      const warmup = await runLoad({ url: server.url, connections: options.connections, durationSeconds: options.warmupSeconds });
      served.set(setup, warmup.requests);
    }
    // Spans of the warm-up still sit in the batch processors; send them before counting starts.
    for (const server of servers.values()) await server.child.call('flush');
    await sink.child.call('reset');

    // Subjects in measurement order (neighbours compared back to back); results keep the setups' order.
    const serversInOrder = inMeasurementOrder([...servers.keys()]).map((setup) => [setup, servers.get(setup)!] as const);
    const rounds = await runInterleaved<HonoRound>(
      serversInOrder.map(([setup, server]) => ({
        name: setup,
        async measure() {
          const before = (await server.child.call<{ cpu: CpuUsage }>('stats')).cpu;
          const generatorBefore = process.cpuUsage();
          const wallBefore = performance.now();
          const load = await runLoad({ url: server.url, connections: options.connections, durationSeconds: options.durationSeconds });
          const generator = process.cpuUsage(generatorBefore);
          const wallMicros = (performance.now() - wallBefore) * 1000;
          const after = (await server.child.call<{ cpu: CpuUsage }>('stats')).cpu;
          const cpuMicros = after.user - before.user + (after.system - before.system);
          return {
            ...load,
            cpuMicrosPerRequest: cpuMicros / Math.max(1, load.requests),
            loadGeneratorCpuShare: (generator.user + generator.system) / Math.max(1, wallMicros),
          };
        },
      })),
      {
        rounds: options.rounds,
        onMeasured: (setup, round, value) => {
          const result = value as HonoRound;
          log(
            `hono: round ${round} ${setup}: ${result.requestsPerSecond.toFixed(0)} req/s, p99 ${result.p99Ms.toFixed(2)} ms, ${result.cpuMicrosPerRequest.toFixed(1)} µs CPU/req, load generator ${(result.loadGeneratorCpuShare * 100).toFixed(0)} % CPU`,
          );
        },
      },
    );

    // The same servers at one fixed pace, interleaved the same way.
    const paced = await runInterleaved<LoadResult>(
      serversInOrder.map(([setup, server]) => ({
        name: setup,
        measure: () => runPacedLoad({ url: server.url, connections: options.connections, durationSeconds: options.fixedRateSeconds, rate: options.fixedRate }),
      })),
      {
        rounds: options.rounds,
        onMeasured: (setup, round, value) => {
          const result = value as LoadResult;
          log(`hono: fixed ${options.fixedRate} req/s round ${round} ${setup}: ${result.requestsPerSecond.toFixed(0)} req/s, p99 ${result.p99Ms.toFixed(3)} ms`);
        },
      },
    );

    for (const server of servers.values()) await server.child.call('flush');
    if (options.profileDir !== undefined) {
      for (const [setup, measured] of rounds) served.set(setup as HonoSetup, (served.get(setup as HonoSetup) ?? 0) + measured.reduce((sum, round) => sum + round.requests, 0));
      mkdirSync(options.profileDir, { recursive: true });
      writeFileSync(`${options.profileDir}/requests.json`, `${JSON.stringify(Object.fromEntries(served), null, 2)}\n`);
    }
    const counts = await sink.child.call<{ spans: Record<string, number> }>('counts');

    const bare = rounds.get('bare');
    const bareMiddleware = rounds.get('bare-middleware');
    const pacedBare = paced.get('bare');
    const setups: HonoSetupResult[] = [];
    for (const [setup, server] of servers) {
      const measured = rounds.get(setup)!;
      const series = (pick: (round: HonoRound) => number) => measured.map(pick);
      const requests = measured.reduce((sum, round) => sum + round.requests, 0);
      const memory = await server.child.call<NodeJS.MemoryUsage>('memory');
      const cpu = series((r) => r.cpuMicrosPerRequest);
      const loadGeneratorCpuShare = summarize(series((r) => r.loadGeneratorCpuShare));
      setups.push({
        setup,
        rounds: measured,
        requestsPerSecond: summarize(series((r) => r.requestsPerSecond)),
        p99Ms: summarize(series((r) => r.p99Ms)),
        cpuMicrosPerRequest: summarize(series((r) => r.cpuMicrosPerRequest)),
        ratio:
          bare === undefined
            ? undefined
            : {
                requestsPerSecond: roundRatios(series((r) => r.requestsPerSecond), bare.map((r) => r.requestsPerSecond)),
                p99: roundRatios(series((r) => r.p99Ms), bare.map((r) => r.p99Ms)),
                cpuMicrosPerRequest: roundRatios(series((r) => r.cpuMicrosPerRequest), bare.map((r) => r.cpuMicrosPerRequest)),
              },
        extraCpuMicrosPerRequest: bare === undefined ? undefined : roundDifferences(cpu, bare.map((r) => r.cpuMicrosPerRequest)),
        extraCpuMicrosOverMiddleware:
          bareMiddleware === undefined ? undefined : roundDifferences(cpu, bareMiddleware.map((r) => r.cpuMicrosPerRequest)),
        loadGeneratorCpuShare,
        loadGeneratorBound: loadGeneratorCpuShare.median >= LOAD_GENERATOR_BOUND_SHARE,
        loadGeneratorBoundRounds: measured.filter((round) => round.loadGeneratorCpuShare >= LOAD_GENERATOR_BOUND_SHARE).length,
        exportedSpansPerRequest: (counts.spans[`bench-${setup}`] ?? 0) / Math.max(1, requests),
        rssMiB: memory.rss / 2 ** 20,
        fixedRate: {
          requestsPerSecond: summarize(paced.get(setup)!.map((r) => r.requestsPerSecond)),
          p99Ms: summarize(paced.get(setup)!.map((r) => r.p99Ms)),
          p99Ratio: pacedBare === undefined ? undefined : roundRatios(paced.get(setup)!.map((r) => r.p99Ms), pacedBare.map((r) => r.p99Ms)),
        },
      });
    }

    const kira = setups.find((result) => result.setup === 'kira');
    const extraCpuMet =
      kira?.extraCpuMicrosOverMiddleware !== undefined
        ? kira.extraCpuMicrosOverMiddleware.median <= HONO_BAR.extraCpuMicrosOverMiddleware
        : kira?.extraCpuMicrosPerRequest !== undefined
          ? kira.extraCpuMicrosPerRequest.median <= HONO_BAR.extraCpuMicrosOverBare
          : undefined;
    const met = extraCpuMet === undefined || kira?.ratio === undefined ? undefined : extraCpuMet && kira.ratio.p99.median <= HONO_BAR.p99Ratio;
    const cpuSeries = (setup: HonoSetup) => rounds.get(setup)?.map((round) => round.cpuMicrosPerRequest);
    const knownWork = cpuSeries('middleware-5us');
    const middlewareCpu = cpuSeries('bare-middleware');
    const knownWorkResult =
      knownWork === undefined || middlewareCpu === undefined
        ? undefined
        : { micros: KNOWN_WORK_MICROS, scale: summarize(roundDifferences(knownWork, middlewareCpu).samples.map((extra) => extra / KNOWN_WORK_MICROS)) };
    const kiraCpu = cpuSeries('kira');
    const unsampledCpu = cpuSeries('kira-unsampled');
    const sampledRequestsCpuMicros = kiraCpu === undefined || unsampledCpu === undefined ? undefined : roundDifferences(kiraCpu, unsampledCpu);
    const { log: _log, ...recorded } = options;
    return { options: recorded, serverV8Flags: HONO_SERVER_V8_FLAGS, setups, bar: { ...HONO_BAR, met }, knownWork: knownWorkResult, sampledRequestsCpuMicros };
  } finally {
    await Promise.allSettled(children.map((child) => child.stop()));
  }
}
