import { AB_CASES, buildInfo, buildPackages, buildUrl, DEFAULT_CURRENT_DIRECTORY_NAME, DEFAULT_SAVED_DIRECTORY_NAME, type ABBuildInfo, type ABCaseInfo } from './ab-builds.ts';
import type { Child } from './child-process.ts';
import { runInterleaved } from './interleave.ts';
import { INTERLEAVED_BATCH_FACTOR, startMicroWorkers } from './micro-bench.ts';
import { roundDifferences, summarize, type Summary } from './stats.ts';

export interface ABBenchOptions {
  rounds: number;
  /**
   * Wall time of one measurement (the saved, current and saved-again sides together); cases that
   * call the loopback server run INTERLEAVED_BATCH_FACTOR times longer.
   */
  measurementMs: number;
  sampleRatio: number;
  /** Only these cases; by default every case whose package has a saved build. */
  cases?: string[];
  /** The saved builds' directory name inside each package (ab-builds.ts). */
  savedDirectoryName?: string;
  /** Where the run builds the current source, inside each package. */
  currentDirectoryName?: string;
  /** Build the current side from this commit instead of the work tree (to compare two commits). */
  currentRef?: string;
  log?: (line: string) => void;
}

export interface ABCaseResult {
  mode: 'on' | 'off';
  name: string;
  package: ABCaseInfo['package'];
  description: string;
  /** Calls per side in one measurement. */
  iterations: number;
  /** CPU ns per call, per round. */
  savedNanoseconds: Summary;
  currentNanoseconds: Summary;
  /** current − saved, round by round: what the change did. */
  changeNanoseconds: Summary;
  /** saved again − saved, round by round: what the same build differs from itself (the A/A row). */
  sameBuildNanoseconds: Summary;
  /** The change's median lies outside the whole range of the A/A row. */
  outsideSameBuildRange: boolean;
}

export interface ABBenchResult {
  options: Omit<ABBenchOptions, 'log'>;
  saved: Array<ABBuildInfo | { package: string; source: 'unknown' }>;
  current: ABBuildInfo[];
  cases: ABCaseResult[];
}

interface ABMeasurement {
  saved: number;
  current: number;
  savedAgain: number;
  wallMs: number;
}

/** Calls per side of the first, timed measurement, from which each case's size is set. */
const SIZING_ITERATIONS = 100;
const MIN_ITERATIONS = 50;

/**
 * A/B of the saved builds against the current ones (ab-builds.ts): every (mode, case) is one
 * subject of the interleaved rounds, and inside each measurement the worker alternates the two
 * builds call by call, with the saved build twice so the same run shows how far a build differs
 * from itself.
 */
export async function runABBench(options: ABBenchOptions): Promise<ABBenchResult> {
  const log = options.log ?? (() => {});
  const savedDirectoryName = options.savedDirectoryName ?? DEFAULT_SAVED_DIRECTORY_NAME;
  const currentDirectoryName = options.currentDirectoryName ?? DEFAULT_CURRENT_DIRECTORY_NAME;
  const known = AB_CASES.map((info) => info.name);
  for (const name of options.cases ?? []) if (!known.includes(name)) throw new Error(`unknown A/B case "${name}" (known: ${known.join(', ')})`);
  const wanted = AB_CASES.filter((info) => options.cases === undefined || options.cases.includes(info.name));
  const withoutSavedBuild = wanted.filter((info) => buildUrl(info.package, savedDirectoryName) === undefined);
  const cases = wanted.filter((info) => !withoutSavedBuild.includes(info));
  if (options.cases !== undefined && withoutSavedBuild.length > 0) {
    throw new Error(`no saved build of ${[...new Set(withoutSavedBuild.map((info) => info.package))].join(', ')}: run \`pnpm --filter @kira/benchmarks ab save\` before the change`);
  }
  for (const info of withoutSavedBuild) log(`ab: ${info.name} skipped: no saved build of ${info.package}`);
  if (cases.length === 0) throw new Error('no saved build: run `pnpm --filter @kira/benchmarks ab save` before the change (or `ab save --ref <commit>`)');
  const packages = [...new Set(cases.map((info) => info.package))];
  // The current side is built here, from the work tree's source (or a commit's), the way `save`
  // built the other.
  const current = await buildPackages(packages, currentDirectoryName, options.currentRef);
  const saved = packages.map((pkg) => buildInfo(pkg, savedDirectoryName) ?? { package: pkg, source: 'unknown' as const });

  const children: Child[] = [];
  try {
    const workers = await startMicroWorkers(options.sampleRatio, children, {
      BENCH_AB_SAVED_DIRECTORY_NAME: savedDirectoryName,
      BENCH_AB_CURRENT_DIRECTORY_NAME: currentDirectoryName,
    });
    const subjects = cases.flatMap((info) => info.modes.map((mode) => ({ mode, info, key: `${mode}:${info.name}` })));
    const measure = (mode: 'on' | 'off', name: string, iterations: number) => workers.get(mode)!.call<ABMeasurement>('measureAB', { name, iterations });
    const iterations = new Map<string, number>();
    for (const subject of subjects) {
      // The first measurement warms both builds up (JIT, the connection pool) and times the case.
      const sizing = await measure(subject.mode, subject.info.name, SIZING_ITERATIONS);
      const targetMs = options.measurementMs * (subject.info.loopback === true ? INTERLEAVED_BATCH_FACTOR : 1);
      const count = Math.max(MIN_ITERATIONS, Math.round((SIZING_ITERATIONS * targetMs) / Math.max(1, sizing.wallMs)));
      iterations.set(subject.key, count);
      log(`ab: sized ${subject.key} to ${count} calls per side`);
    }
    const rounds = await runInterleaved<ABMeasurement>(
      subjects.map((subject) => ({ name: subject.key, measure: () => measure(subject.mode, subject.info.name, iterations.get(subject.key)!) })),
      {
        rounds: options.rounds,
        onMeasured: (key, round, value) => {
          const { saved: savedNs, current: currentNs, savedAgain } = value as ABMeasurement;
          log(`ab: round ${round} ${key}: current − saved ${((currentNs - savedNs) / 1000).toFixed(2)} µs, saved again − saved ${((savedAgain - savedNs) / 1000).toFixed(2)} µs`);
        },
      },
    );
    const results = subjects.map(({ mode, info, key }): ABCaseResult => {
      const measured = rounds.get(key)!;
      const savedNs = measured.map((round) => round.saved);
      const currentNs = measured.map((round) => round.current);
      const change = roundDifferences(currentNs, savedNs);
      const sameBuild = roundDifferences(measured.map((round) => round.savedAgain), savedNs);
      return {
        mode,
        name: info.name,
        package: info.package,
        description: info.description,
        iterations: iterations.get(key)!,
        savedNanoseconds: summarize(savedNs),
        currentNanoseconds: summarize(currentNs),
        changeNanoseconds: change,
        sameBuildNanoseconds: sameBuild,
        outsideSameBuildRange: change.median < sameBuild.min || change.median > sameBuild.max,
      };
    });
    const { log: _log, ...recorded } = options;
    return { options: { ...recorded, savedDirectoryName, currentDirectoryName }, saved, current, cases: results };
  } finally {
    await Promise.allSettled(children.map((child) => child.stop()));
  }
}

/** Where a build came from, in words. */
export function describeBuild(build: ABBuildInfo): string {
  const origin = build.source === 'work tree' ? `the work tree at ${build.commit.slice(0, 12)}${build.uncommittedChanges ? ' with uncommitted changes' : ''}` : `${build.source} (${build.commit.slice(0, 12)})`;
  return `${origin}, built ${build.builtAt}`;
}

const micros = (nanoseconds: number): string => `${nanoseconds >= 0 ? '+' : '−'}${Math.abs(nanoseconds / 1000).toFixed(3)}`;

/** The run as a Markdown table, one row per (case, mode), figures in µs per call. */
export function formatABResult(result: ABBenchResult): string {
  const lines = [
    `A/B: current build against the saved one, ${result.options.rounds} rounds, call by call (µs CPU per call, median of rounds, min to max)`,
    '',
    ...result.saved.map((build) => `- saved ${build.package}: ${'commit' in build ? describeBuild(build) : 'unknown origin'}`),
    ...result.current.map((build) => `- current ${build.package}: ${describeBuild(build)}`),
    '',
    '| case | telemetry | saved | current − saved | same build twice (A/A) | outside A/A range |',
    '|---|---|---|---|---|---|',
    ...result.cases.map((row) => {
      const range = (summary: Summary) => `${micros(summary.median)} (${micros(summary.min)} to ${micros(summary.max)})`;
      return `| ${row.name} | ${row.mode} | ${(row.savedNanoseconds.median / 1000).toFixed(3)} | ${range(row.changeNanoseconds)} | ${range(row.sameBuildNanoseconds)} | ${row.outsideSameBuildRange ? 'yes' : 'no'} |`;
    }),
  ];
  return `${lines.join('\n')}\n`;
}
