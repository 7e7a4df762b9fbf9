// The builds an A/B run compares (`pnpm --filter @kira/benchmarks ab`): a hot-path package's source
// as it is now, against the same package saved before a change (or at a given commit), both loaded
// in one worker and called in turn, call by call, so both sides share every swing of the machine.
// Separate cases each timed against `fetch` in their own turn do not, and on a noisy VM their
// difference moved by several µs for a change worth under 1 (docs/traced-fetch-cost.md, "Checks
// of 2026-12-06 23:35").
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build, type Plugin } from 'esbuild';

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

/** Where `save` puts a package's build, and where a run builds the current one. */
export const DEFAULT_SAVED_DIRECTORY_NAME = '.ab-saved';
export const DEFAULT_CURRENT_DIRECTORY_NAME = '.ab-current';

const repositoryDirectory = fileURLToPath(new URL('../../../', import.meta.url));
const packagesDirectory = `${repositoryDirectory}packages/`;
/**
 * The workspace packages a build carries inside itself, from the same source tree: the hot-path
 * helpers live in @kira/conventions, so a change there is on its side only.
 */
const INLINED_PACKAGES = ['conventions', 'metrics', 'external-tracing', 'otel-hono'] as const;

export interface ABBuildInfo {
  package: ABPackage;
  builtAt: string;
  /** `work tree`, or the ref given to `save --ref` or `ab --ref`. */
  source: string;
  /** The commit of the source (HEAD for the work tree). */
  commit: string;
  /** Built from the work tree while it differed from that commit in a package the build carries. */
  uncommittedChanges: boolean;
}

/** The directory of a package's saved or current build: inside the package, so its bare imports resolve as `dist`'s do. */
export function buildDirectory(pkg: ABPackage, directoryName: string): string {
  return `${packagesDirectory}${pkg}/${directoryName}`;
}

function git(...args: string[]): string {
  return execFileSync('git', args, { cwd: repositoryDirectory, encoding: 'utf8' }).trim();
}

// Every @kira package from the tree being built (its src/index.ts); every other import (the
// OpenTelemetry API, hono, node:*) stays an import, resolved next to the output at run time and
// shared by every build in the worker, as a service shares them.
function inlineWorkspacePackages(tree: string): Plugin {
  return {
    name: 'kira-from-tree',
    setup(pluginBuild) {
      pluginBuild.onResolve({ filter: /^@kira\// }, (args) => {
        const name = args.path.slice('@kira/'.length);
        if (!(INLINED_PACKAGES as readonly string[]).includes(name)) {
          return { errors: [{ text: `${args.path}: an A/B build carries only @kira/${INLINED_PACKAGES.join(', @kira/')}` }] };
        }
        return { path: `${tree}packages/${name}/src/index.ts` };
      });
      pluginBuild.onResolve({ filter: /^[^./]/ }, (args) => ({ path: args.path, external: true }));
    },
  };
}

async function buildFrom(tree: string, pkg: ABPackage, directoryName: string, info: Omit<ABBuildInfo, 'package' | 'builtAt'>): Promise<ABBuildInfo> {
  const directory = buildDirectory(pkg, directoryName);
  rmSync(directory, { recursive: true, force: true });
  mkdirSync(directory, { recursive: true });
  await build({
    entryPoints: [`${tree}packages/${pkg}/src/index.ts`],
    outfile: `${directory}/index.js`,
    // The module comments esbuild writes name files relative to this: the same for a commit's tree.
    absWorkingDir: tree,
    bundle: true,
    format: 'esm',
    platform: 'node',
    // What the packages' own builds target (tsup.shared.ts).
    target: 'node22',
    sourcemap: true,
    logLevel: 'silent',
    plugins: [inlineWorkspacePackages(tree)],
  });
  const built: ABBuildInfo = { package: pkg, builtAt: new Date().toISOString(), ...info };
  writeFileSync(`${directory}/build.json`, `${JSON.stringify(built, null, 2)}\n`);
  return built;
}

/**
 * Builds each package from the work tree (no `ref`) or from the commit `ref` names, into
 * `directoryName`. From a commit, the packages' sources are taken out of git into a temporary
 * directory; the build needs nothing else from it.
 */
export async function buildPackages(packages: readonly ABPackage[], directoryName: string, ref?: string): Promise<ABBuildInfo[]> {
  if (ref === undefined) {
    const commit = git('rev-parse', 'HEAD');
    const uncommittedChanges = git('status', '--porcelain', '--untracked-files=no', '--', ...INLINED_PACKAGES.map((name) => `packages/${name}/src`)).length > 0;
    const built: ABBuildInfo[] = [];
    for (const pkg of packages) built.push(await buildFrom(repositoryDirectory, pkg, directoryName, { source: 'work tree', commit, uncommittedChanges }));
    return built;
  }
  let commit: string;
  try {
    commit = git('rev-parse', '--verify', '--quiet', `${ref}^{commit}`);
  } catch {
    throw new Error(`"${ref}" names no commit of this repository`);
  }
  const tree = `${mkdtempSync(`${tmpdir()}/kira-ab-`)}/`;
  try {
    const archive = execFileSync('git', ['archive', '--format=tar', commit, 'tsconfig.base.json', ...INLINED_PACKAGES.map((name) => `packages/${name}`)], { cwd: repositoryDirectory, maxBuffer: 1 << 30 });
    execFileSync('tar', ['-x', '-C', tree], { input: archive });
    const built: ABBuildInfo[] = [];
    for (const pkg of packages) built.push(await buildFrom(tree, pkg, directoryName, { source: ref, commit, uncommittedChanges: false }));
    return built;
  } finally {
    rmSync(tree, { recursive: true, force: true });
  }
}

/** What a build directory holds, or undefined when it holds no build. */
export function buildInfo(pkg: ABPackage, directoryName: string): ABBuildInfo | undefined {
  const directory = buildDirectory(pkg, directoryName);
  if (!existsSync(`${directory}/index.js`)) return undefined;
  const infoFile = `${directory}/build.json`;
  return existsSync(infoFile) ? (JSON.parse(readFileSync(infoFile, 'utf8')) as ABBuildInfo) : undefined;
}

/** A build's module URL, when one exists (a query after it gives another instance). */
export function buildUrl(pkg: ABPackage, directoryName: string): string | undefined {
  const file = `${buildDirectory(pkg, directoryName)}/index.js`;
  return existsSync(file) ? pathToFileURL(file).href : undefined;
}
