import { startChild, type Child } from './child-process.ts';
import { runInterleaved } from './interleave.ts';
import { MICRO_CASES, type MicroCaseInfo } from './micro-cases.ts';
import { roundDifferences, roundRatios, summarize, type Summary } from './stats.ts';

export interface MicroBenchOptions {
  rounds: number;
  /** Wall time of one timed batch. */
  batchMs: number;
  sampleRatio: number;
  /** Only these cases (and their baselines); all by default. */
  cases?: string[];
  log?: (line: string) => void;
}

export interface MicroCaseResult {
  mode: 'on' | 'off';
  name: string;
  baseline: string;
  description: string;
  iterations: number;
  /** CPU time per call (the worker process, all threads), ns. */
  nanosecondsPerCall: Summary;
  /** Wall time per call, ns (inflated whenever another process holds the core). */
  wallNanosecondsPerCall: Summary;
  /** subject − baseline per round, in ns (what the call under test adds). */
  addedNanoseconds: Summary;
  /** subject / baseline per round. */
  ratio: Summary;
  /** For host cases: the baseline's own A/A ratio band and whether this ratio sits inside it. */
  noiseBand?: { min: number; max: number };
  withinNoise?: boolean;
}

interface Paired {
  /** CPU ns per call. */
  own: number;
  baseline: number;
  ownWall: number;
}

export interface MicroBenchResult {
  options: Omit<MicroBenchOptions, 'log'> & { interleavedBatchMs: number };
  cases: MicroCaseResult[];
}

/**
 * Interleaved (fetch) cases get batches this many times longer. A loopback fetch's CPU time
 * varies call to call by tens of µs, so the median of a 100 ms batch (a few hundred calls) moves
 * by several µs from round to round, as much as the few µs being measured; about 4,000 calls per
 * side bring that to about 1 µs.
 */
export const INTERLEAVED_BATCH_FACTOR = 8;

/**
 * The micro workers' surroundings and the workers: the OTLP sink, the loopback echo server that
 * every fetch case calls, and one worker per telemetry mode. Every child started is pushed to
 * `children` as it starts, so the caller stops them all even when a later one fails to start.
 */
export async function startMicroWorkers(sampleRatio: number, children: Child[], env: Record<string, string> = {}): Promise<Map<'on' | 'off', Child>> {
  const sink = await startChild<{ url: string }>(new URL('./sink-server.ts', import.meta.url));
  children.push(sink.child);
  const echo = await startChild<{ url: string }>(new URL('./echo-server.ts', import.meta.url));
  children.push(echo.child);
  const workers = new Map<'on' | 'off', Child>();
  for (const mode of ['on', 'off'] as const) {
    const worker = await startChild(new URL('./micro-worker.ts', import.meta.url), {
      args: [mode],
      env: {
        ...env,
        BENCH_OTLP_ENDPOINT: sink.ready.url,
        BENCH_ECHO_URL: `${echo.ready.url}/v1/echo`,
        BENCH_SAMPLE_RATIO: String(sampleRatio),
        NODE_ENV: 'production',
      },
    });
    children.push(worker.child);
    workers.set(mode, worker.child);
  }
  return workers;
}

/**
 * Two workers (telemetry on / off); every (worker, case) pair is one subject of the interleaved
 * rounds, so a case and its baseline are always measured within a second of each other.
 */
export async function runMicroBench(options: MicroBenchOptions): Promise<MicroBenchResult> {
  const log = options.log ?? (() => {});
  const wanted = new Set(options.cases ?? MICRO_CASES.map((info) => info.name));
  for (const info of MICRO_CASES) {
    if (wanted.has(info.name)) wanted.add(info.baseline);
  }
  const cases = MICRO_CASES.filter((info) => wanted.has(info.name));
  const children: Child[] = [];
  try {
    const workers = await startMicroWorkers(options.sampleRatio, children);

    const subjects: Array<{ mode: 'on' | 'off'; info: MicroCaseInfo; key: string }> = [];
    for (const info of cases) {
      for (const mode of info.modes) subjects.push({ mode, info, key: `${mode}:${info.name}` });
    }
    const iterations = new Map<string, number>();
    for (const subject of subjects) {
      const targetMs = subject.info.interleaved === true ? options.batchMs * INTERLEAVED_BATCH_FACTOR : options.batchMs;
      const count = await workers.get(subject.mode)!.call<number>('calibrate', { name: subject.info.name, targetMs });
      iterations.set(subject.key, count);
      log(`micro: calibrated ${subject.key} to ${count} iterations`);
    }

    // A case and its baseline are measured as baseline, case, case, baseline (ABBA) within one
    // subject, so a slow phase of the shared machine hits both halves alike.
    const rounds = await runInterleaved<Paired>(
      subjects.map((subject) => ({
        name: subject.key,
        async measure() {
          const worker = workers.get(subject.mode)!;
          const measure = (name: string) => worker.call<{ cpu: number; wall: number }>('measure', { name });
          if (subject.info.interleaved === true) {
            const pair = await worker.call<{ cpu: number; baselineCpu: number; wall: number }>('measureInterleaved', {
              name: subject.info.name,
              baseline: subject.info.baseline,
              idleBeforeMicros: subject.info.idleBeforeMicros,
              otherWorkBeforeCall: subject.info.otherWorkBeforeCall,
            });
            return { own: pair.cpu, baseline: pair.baselineCpu, ownWall: pair.wall };
          }
          if (subject.info.baseline === subject.info.name) {
            const own = await measure(subject.info.name);
            return { own: own.cpu, baseline: own.cpu, ownWall: own.wall };
          }
          const b1 = await measure(subject.info.baseline);
          const s1 = await measure(subject.info.name);
          const s2 = await measure(subject.info.name);
          const b2 = await measure(subject.info.baseline);
          return { own: (s1.cpu + s2.cpu) / 2, baseline: (b1.cpu + b2.cpu) / 2, ownWall: (s1.wall + s2.wall) / 2 };
        },
      })),
      {
        rounds: options.rounds,
        onMeasured: (key, round, value) => {
          const paired = value as Paired;
          log(`micro: round ${round} ${key}: ${paired.own.toFixed(1)} CPU ns (baseline ${paired.baseline.toFixed(1)} ns)`);
        },
      },
    );

    const results: MicroCaseResult[] = subjects.map(({ mode, info, key }) => {
      const paired = rounds.get(key)!;
      const own = paired.map((round) => round.own);
      const baseline = paired.map((round) => round.baseline);
      const result: MicroCaseResult = {
        mode,
        name: info.name,
        baseline: info.baseline,
        description: info.description,
        iterations: iterations.get(key)!,
        nanosecondsPerCall: summarize(own),
        wallNanosecondsPerCall: summarize(paired.map((round) => round.ownWall)),
        addedNanoseconds: roundDifferences(own, baseline),
        ratio: roundRatios(own, baseline),
      };
      const again = rounds.get(`${mode}:${info.baseline}-again`);
      if (info.host === true && again !== undefined && info.name !== info.baseline) {
        const band = roundRatios(again.map((round) => round.own), again.map((round) => round.baseline));
        result.noiseBand = { min: band.min, max: band.max };
        result.withinNoise = result.ratio.median <= band.max;
      }
      return result;
    });
    const { log: _log, ...recorded } = options;
    return { options: { ...recorded, interleavedBatchMs: options.batchMs * INTERLEAVED_BATCH_FACTOR }, cases: results };
  } finally {
    await Promise.allSettled(children.map((child) => child.stop()));
  }
}
