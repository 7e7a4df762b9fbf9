// The builds an A/B run compares (`pnpm --filter @kira/benchmarks ab`): the current `dist` of a
// hot-path package against a copy saved before a change, both loaded in one worker and called in
// turn, call by call, so both sides share every swing of the machine. Separate cases each timed
// against `fetch` in their own turn do not, and on a noisy VM their difference moved by several µs
// for a change worth under 1 (README, "Checks of 2026-12-06 23:35").
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** The packages whose calls sit on a request's path, as named under `packages/`. */
export const AB_PACKAGES = ['external-tracing', 'otel-hono', 'metrics'] as const;
export type ABPackage = (typeof AB_PACKAGES)[number];

export interface ABCaseInfo {
  name: string;
  package: ABPackage;
  description: string;
  modes: ReadonlyArray<'on' | 'off'>;
  /**
   * Calls per timed slot. `process.cpuUsage` counts whole microseconds, so a call far below one is
   * timed in a small batch (the step-interpolated median then reads the fraction; stats.ts).
   */
  callsPerSlot?: number;
  /**
   * The call goes to the loopback echo server: its CPU time varies by tens of µs from call to call,
   * so each measurement runs longer (as the micro benchmarks' interleaved fetch cases do).
   */
  loopback?: boolean;
}

/** Each is one call of the micro worker's matching case, made once through each build. */
export const AB_CASES: readonly ABCaseInfo[] = [
  { name: 'tracedFetch', package: 'external-tracing', description: 'tracedFetch() of the loopback echo server from the top level (the bar\'s case)', modes: ['on', 'off'], loopback: true },
  { name: 'tracedFetch-in-request', package: 'external-tracing', description: "tracedFetch() inside a request's SERVER span (sampled at the worker's ratio)", modes: ['on', 'off'], loopback: true },
  { name: 'otelHono', package: 'otel-hono', description: "in-process app.fetch of the bench app with otelHono({ spanOwnership: 'middleware' })", modes: ['on', 'off'] },
  {
    name: 'otelHono-over-loopback',
    package: 'otel-hono',
    description: "the same app served by @hono/node-server in the worker, one request at a time over a keep-alive loopback connection: the path a server takes (the request's Node headers, the response's close listener)",
    modes: ['on', 'off'],
    loopback: true,
  },
  { name: 'recordHttpRequest', package: 'metrics', description: 'recordHttpRequest (one histogram record), 32 calls per slot', modes: ['on', 'off'], callsPerSlot: 32 },
];

/** Where `save` puts a package's build by default. Inside the package, so its imports resolve as `dist`'s do. */
export const DEFAULT_SAVED_DIRECTORY_NAME = '.ab-saved';

const packagesDirectory = fileURLToPath(new URL('../../', import.meta.url));
/** The ESM entry and its map: the packages build to one file each (tsup, no chunks). */
const SAVED_FILES = ['index.js', 'index.js.map'];

export interface SavedBuildInfo {
  package: ABPackage;
  savedAt: string;
  /** The commit checked out when it was saved, and whether the work tree had changes. */
  gitHead: string;
  workTreeChanged: boolean;
  /** When `dist/index.js` was built. */
  builtAt: string;
}

export function savedBuildDirectory(pkg: ABPackage, directoryName = DEFAULT_SAVED_DIRECTORY_NAME): string {
  return `${packagesDirectory}${pkg}/${directoryName}`;
}

export function currentBuildFile(pkg: ABPackage): string {
  return `${packagesDirectory}${pkg}/dist/index.js`;
}

export interface CurrentBuildInfo {
  package: ABPackage;
  gitHead: string;
  workTreeChanged: boolean;
  builtAt: string;
  /** A source file changed after the build: the run would measure the previous build, not the change. */
  olderThanSource: boolean;
}

/** What the current side of an A/B run is. */
export function currentBuildInfo(pkg: ABPackage): CurrentBuildInfo {
  const built = currentBuildFile(pkg);
  if (!existsSync(built)) throw new Error(`${pkg} has no build at ${built}: run \`pnpm build\` first`);
  const builtAtMs = statSync(built).mtimeMs;
  // Tests are not built into `dist`, so editing one does not make the build stale.
  const sources = readdirSync(`${packagesDirectory}${pkg}/src`, { recursive: true, encoding: 'utf8' })
    .filter((file) => !file.includes('.test.'))
    .map((file) => `${packagesDirectory}${pkg}/src/${file}`);
  const newestSourceMs = Math.max(0, ...sources.map((file) => statSync(file).mtimeMs));
  return { package: pkg, ...gitState(pkg), builtAt: new Date(builtAtMs).toISOString(), olderThanSource: newestSourceMs > builtAtMs };
}

/** The commit, and whether the package's own files differ from it (a build of uncommitted source). */
function gitState(pkg: ABPackage): { gitHead: string; workTreeChanged: boolean } {
  return { gitHead: git('rev-parse', 'HEAD'), workTreeChanged: git('status', '--porcelain', '--untracked-files=no', '--', `${pkg}/`).length > 0 };
}

function git(...args: string[]): string {
  return execFileSync('git', args, { cwd: packagesDirectory, encoding: 'utf8' }).trim();
}

/** Copies each package's current build aside; the next A/B run compares whatever is built then against it. */
export function saveBuilds(packages: readonly ABPackage[] = AB_PACKAGES, directoryName = DEFAULT_SAVED_DIRECTORY_NAME): SavedBuildInfo[] {
  return packages.map((pkg) => {
    const built = currentBuildFile(pkg);
    if (!existsSync(built)) throw new Error(`${pkg} has no build at ${built}: run \`pnpm build\` first`);
    const directory = savedBuildDirectory(pkg, directoryName);
    rmSync(directory, { recursive: true, force: true });
    mkdirSync(directory, { recursive: true });
    for (const file of SAVED_FILES) {
      const from = `${packagesDirectory}${pkg}/dist/${file}`;
      if (existsSync(from)) copyFileSync(from, `${directory}/${file}`);
    }
    const info: SavedBuildInfo = {
      package: pkg,
      savedAt: new Date().toISOString(),
      ...gitState(pkg),
      builtAt: statSync(built).mtime.toISOString(),
    };
    writeFileSync(`${directory}/saved.json`, `${JSON.stringify(info, null, 2)}\n`);
    return info;
  });
}

/** What was saved for a package, or undefined when nothing was. */
export function savedBuildInfo(pkg: ABPackage, directoryName = DEFAULT_SAVED_DIRECTORY_NAME): SavedBuildInfo | undefined {
  const directory = savedBuildDirectory(pkg, directoryName);
  if (!existsSync(`${directory}/index.js`)) return undefined;
  const infoFile = `${directory}/saved.json`;
  return existsSync(infoFile) ? (JSON.parse(readFileSync(infoFile, 'utf8')) as SavedBuildInfo) : undefined;
}

/**
 * The current build's module URL, made distinct by a query so that importing it gives a module
 * instance of its own, not the one the workspace's `@kira/…` imports share (ESM caches by URL).
 */
export function freshBuildUrl(pkg: ABPackage): string {
  return `${pathToFileURL(currentBuildFile(pkg)).href}?ab=current`;
}

/** The saved build's module URL, when one exists (a query after it gives another instance). */
export function savedBuildUrl(pkg: ABPackage, directoryName = DEFAULT_SAVED_DIRECTORY_NAME): string | undefined {
  const file = `${savedBuildDirectory(pkg, directoryName)}/index.js`;
  return existsSync(file) ? pathToFileURL(file).href : undefined;
}
