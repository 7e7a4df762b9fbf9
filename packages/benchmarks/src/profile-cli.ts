// `pnpm --filter @kira/benchmarks run profile [dir]`: where the busy time of each profiled server went
// (after `BENCH_PROFILE=1 pnpm bench`, profiles are in bench-results/profiles).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { summarizeProfile } from './profile-summary.ts';

const directory = path.resolve(process.argv[2] ?? fileURLToPath(new URL('../../../bench-results/profiles', import.meta.url)));
// Profiles sit in one directory per server (hono-<setup>/), one file per thread of that server.
const files = readdirSync(directory, { recursive: true, encoding: 'utf8' })
  .filter((name) => name.endsWith('.cpuprofile'))
  .sort();
// Requests each server answered over its life (written by the bench when profiling), so busy
// time can be read as CPU µs per request.
const requestsFile = path.join(directory, 'requests.json');
const requests = (existsSync(requestsFile) ? JSON.parse(readFileSync(requestsFile, 'utf8')) : {}) as Record<string, number>;
for (const file of files) {
  const summary = summarizeProfile(path.join(directory, file));
  const served = requests[path.dirname(file).replace(/^hono-/, '')];
  const perRequest = (share: number) => (served ? `  ${((share * summary.busyMs * 1000) / served).toFixed(2).padStart(6)} µs/req` : '');
  console.log(`\n== ${file}: ${summary.busyMs.toFixed(0)} ms busy${served ? `, ${served} requests, ${((summary.busyMs * 1000) / served).toFixed(1)} µs/req` : ''}`);
  for (const entry of summary.byPackage.slice(0, 15)) console.log(`${(entry.share * 100).toFixed(1).padStart(5)} %${perRequest(entry.share)}  ${entry.name}`);
  console.log('-- telemetry frames, inclusive:');
  for (const entry of summary.inclusive.slice(0, 25)) console.log(`${(entry.share * 100).toFixed(2).padStart(6)} %${perRequest(entry.share)}  ${entry.frame}`);
}
