// `pnpm --filter @kira/benchmarks ab save` before a change to a hot-path package, then
// `pnpm build` and `pnpm --filter @kira/benchmarks ab` after it: the change's cost per call,
// measured call by call against the saved build, next to the saved build against itself.
// Options: --rounds N (default 15), --cases a,b (default every case with a saved build), --ms N
// (wall ms of one measurement, default 600; the loopback cases run 8 times longer). Writes
// <repo>/bench-results/ab.json (BENCH_OUTPUT_DIR overrides the directory).
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { formatABResult, runABBench } from './ab-bench.ts';
import { AB_PACKAGES, saveBuilds, type ABPackage } from './ab-builds.ts';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const outputDirectory = process.env.BENCH_OUTPUT_DIR ?? `${root}bench-results`;
const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { rounds: { type: 'string', default: '15' }, cases: { type: 'string' }, ms: { type: 'string', default: '600' } },
});

function positiveNumber(name: string, value: string): number {
  const number = Number(value);
  if (!Number.isFinite(number) || number <= 0) throw new Error(`--${name} must be a positive number, not "${value}"`);
  return number;
}

if (positionals[0] === 'save') {
  const requested = positionals.slice(1);
  for (const pkg of requested) if (!(AB_PACKAGES as readonly string[]).includes(pkg)) throw new Error(`unknown package "${pkg}" (known: ${AB_PACKAGES.join(', ')})`);
  const saved = saveBuilds(requested.length > 0 ? (requested as ABPackage[]) : AB_PACKAGES);
  for (const build of saved) console.log(`saved ${build.package}: ${build.gitHead.slice(0, 12)}${build.workTreeChanged ? ' with uncommitted changes' : ''}, built ${build.builtAt}`);
} else if (positionals.length === 0) {
  const result = await runABBench({
    rounds: positiveNumber('rounds', values.rounds),
    measurementMs: positiveNumber('ms', values.ms),
    sampleRatio: 0.1,
    ...(values.cases !== undefined ? { cases: values.cases.split(',').map((name) => name.trim()).filter((name) => name !== '') } : {}),
    log: (line) => console.log(line),
  });
  mkdirSync(outputDirectory, { recursive: true });
  writeFileSync(`${outputDirectory}/ab.json`, `${JSON.stringify(result, null, 2)}\n`);
  console.log(`\n${formatABResult(result)}\nwrote ${outputDirectory}/ab.json`);
} else {
  throw new Error(`unknown command "${positionals.join(' ')}": \`ab save [package…]\` or \`ab [--rounds N] [--cases a,b] [--ms N]\``);
}
