// `pnpm --filter @kira/benchmarks ab save` before a change to a hot-path package, then
// `pnpm --filter @kira/benchmarks ab` after it: the change's cost per call, measured call by call
// against the saved build. The commands and options are in USAGE below (`ab --help`).
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { describeBuild, formatABResult, runABBench } from './ab-bench.ts';
import { AB_PACKAGES, buildPackages, DEFAULT_SAVED_DIRECTORY_NAME, type ABPackage } from './ab-builds.ts';
import { positiveNumber, printUsageIfAsked } from './cli-options.ts';

const USAGE = `Usage:
  pnpm --filter @kira/benchmarks ab save [--ref <commit>] [package…]
      before a change to a hot-path package: builds it (or its source at a commit) as the saved side
  pnpm --filter @kira/benchmarks ab [--ref <commit>] [--rounds N] [--cases a,b] [--ms N]
      after it: the change's cost per call, measured call by call against the saved build, next
      to the saved build against itself

Both sides are built from source here, each carrying its own @kira/conventions and @kira/metrics,
so no pnpm build is needed. \`ab --ref <commit>\` builds the other side from a commit instead of
the work tree: two commits compared. Packages: ${AB_PACKAGES.join(', ')}.

Options:
  --rounds N   rounds (default 15)
  --cases a,b  cases to measure (default every case with a saved build)
  --ms N       wall ms of one measurement (default 600; the loopback cases run 8 times longer)
  --help, -h   this text

Writes <repo>/bench-results/ab.json (BENCH_OUTPUT_DIR overrides the directory).`;
printUsageIfAsked(process.argv.slice(2), USAGE);

const root = fileURLToPath(new URL('../../../', import.meta.url));
const outputDirectory = process.env.BENCH_OUTPUT_DIR ?? `${root}bench-results`;
const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { rounds: { type: 'string', default: '15' }, cases: { type: 'string' }, ms: { type: 'string', default: '600' }, ref: { type: 'string' } },
});

if (positionals[0] === 'save') {
  const requested = positionals.slice(1);
  for (const pkg of requested) if (!(AB_PACKAGES as readonly string[]).includes(pkg)) throw new Error(`unknown package "${pkg}" (known: ${AB_PACKAGES.join(', ')})`);
  const saved = await buildPackages(requested.length > 0 ? (requested as ABPackage[]) : AB_PACKAGES, DEFAULT_SAVED_DIRECTORY_NAME, values.ref);
  for (const build of saved) console.log(`saved ${build.package}: ${describeBuild(build)}`);
} else if (positionals.length === 0) {
  const result = await runABBench({
    rounds: positiveNumber('rounds', values.rounds, { integer: true }),
    measurementMs: positiveNumber('ms', values.ms),
    sampleRatio: 0.1,
    ...(values.ref !== undefined ? { currentRef: values.ref } : {}),
    ...(values.cases !== undefined ? { cases: values.cases.split(',').map((name) => name.trim()).filter((name) => name !== '') } : {}),
    log: (line) => console.log(line),
  });
  mkdirSync(outputDirectory, { recursive: true });
  writeFileSync(`${outputDirectory}/ab.json`, `${JSON.stringify(result, null, 2)}\n`);
  console.log(`\n${formatABResult(result)}\nwrote ${outputDirectory}/ab.json`);
} else {
  throw new Error(`unknown command "${positionals.join(' ')}": \`ab save [--ref <commit>] [package…]\` or \`ab [--ref <commit>] [--rounds N] [--cases a,b] [--ms N]\``);
}
