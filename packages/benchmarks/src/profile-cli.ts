// `pnpm --filter @kira/benchmarks profile [dir]`: where the busy time of each profiled server went
// (after `BENCH_PROFILE=1 pnpm bench`, profiles are in bench-results/profiles).
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { summarizeProfile } from './profile-summary.ts';

const directory = path.resolve(process.argv[2] ?? fileURLToPath(new URL('../../../bench-results/profiles', import.meta.url)));
// Profiles sit in one directory per server (hono-<setup>/), one file per thread of that server.
const files = readdirSync(directory, { recursive: true, encoding: 'utf8' })
  .filter((name) => name.endsWith('.cpuprofile'))
  .sort();
for (const file of files) {
  const summary = summarizeProfile(path.join(directory, file));
  console.log(`\n== ${file}: ${summary.busyMs.toFixed(0)} ms busy`);
  for (const entry of summary.byPackage.slice(0, 15)) console.log(`${(entry.share * 100).toFixed(1).padStart(5)} %  ${entry.name}`);
  console.log('-- telemetry frames, inclusive:');
  for (const entry of summary.inclusive.slice(0, 20)) console.log(`${(entry.share * 100).toFixed(2).padStart(6)} %  ${entry.frame}`);
}
