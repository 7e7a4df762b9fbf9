import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyWorkspace, readManifest, type WorkspacePackage } from './copy-workspace';
import { installedPackages } from './installed-packages';
import { runCommand, runOk } from './run-command';
import { startVerdaccio, type RunningVerdaccio } from './start-verdaccio';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const PUBLISH_SCRIPT = path.join(REPO_ROOT, 'scripts', 'publish.mjs');
const PUBLISHED = [
  '@kira/conventions',
  '@kira/dashboards',
  '@kira/external-tracing',
  '@kira/metrics',
  '@kira/otel-core',
  '@kira/otel-hono',
  '@kira/sentry',
];

// The repository's own tool versions, as `pnpm release` and CI run them.
function binOf(packageName: string, bin: string): string {
  const dir = path.join(REPO_ROOT, 'node_modules', packageName);
  const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { bin: string | Record<string, string> };
  return path.join(dir, typeof manifest.bin === 'string' ? manifest.bin : (manifest.bin[bin] as string));
}
const CHANGESET = binOf('@changesets/cli', 'changeset');
const TSC = binOf('typescript', 'tsc');
const PUBLINT = binOf('publint', 'publint');
const ATTW = binOf('@arethetypeswrong/cli', 'attw');

let tmp: string;
let work: string;
let registry: RunningVerdaccio;
let token: string;
let packages: WorkspacePackage[];

/**
 * Environment for every child: nothing inherited from an outer npm/pnpm run or the developer's
 * own registry setup, and npm/pnpm config, caches and stores under the temp dir.
 */
function baseEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^(npm_|pnpm_config_|KIRA_NPM_|XDG_|NODE_OPTIONS$)/i.test(key)) continue;
    env[key] = value;
  }
  Object.assign(env, {
    XDG_CONFIG_HOME: path.join(tmp, 'xdg', 'config'),
    XDG_CACHE_HOME: path.join(tmp, 'xdg', 'cache'),
    XDG_DATA_HOME: path.join(tmp, 'xdg', 'data'),
    XDG_STATE_HOME: path.join(tmp, 'xdg', 'state'),
    npm_config_cache: path.join(tmp, 'npm-cache'),
    npm_config_update_notifier: 'false',
    npm_config_audit: 'false',
    npm_config_fund: 'false',
  });
  // turbo's strict env mode drops NODE_EXTRA_CA_CERTS, so Node children (npm, Verdaccio's uplink)
  // would not trust a CA that the machine trusts; the OS store has it.
  if (process.allowedNodeEnvironmentFlags.has('--use-system-ca')) env.NODE_OPTIONS = '--use-system-ca';
  return env;
}

/**
 * baseEnv plus the registry settings. Consumers read the @kira registry the way the README tells
 * a service to: a user-level npmrc naming both variables.
 */
function childEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env = baseEnv();
  Object.assign(env, {
    NPM_CONFIG_USERCONFIG: path.join(tmp, 'consumer.npmrc'),
    KIRA_NPM_REGISTRY: registry.url,
    KIRA_NPM_TOKEN: token,
  });
  for (const [key, value] of Object.entries(extra)) {
    if (value === undefined) delete env[key];
    else env[key] = value;
  }
  return env;
}

/** `pnpm release` minus its build and lint steps (turbo already built every package for this test). */
function release(env = childEnv()) {
  // The copy is not a git repository, so no release tags.
  return runCommand(process.execPath, [PUBLISH_SCRIPT, '--no-git-tag'], { cwd: work, env, timeoutMs: 120_000 });
}

function changeset(args: string[]) {
  return runOk(process.execPath, [CHANGESET, ...args], { cwd: work, env: childEnv(), timeoutMs: 60_000 });
}

function localVersions(): Record<string, string> {
  return Object.fromEntries(
    packages.filter((pkg) => !pkg.private).map((pkg) => [pkg.name, readManifest(pkg.dir).version]),
  );
}

interface Packument {
  versions: Record<string, { dependencies?: Record<string, string> }>;
  'dist-tags': Record<string, string>;
}

async function packument(name: string, authenticated = true): Promise<{ status: number; body?: Packument }> {
  const response = await fetch(new URL(name.replace('/', '%2f'), registry.url), {
    headers: authenticated ? { authorization: `Bearer ${token}` } : {},
  });
  return { status: response.status, body: response.ok ? ((await response.json()) as Packument) : undefined };
}

function newProject(label: string): string {
  const dir = fs.mkdtempSync(path.join(tmp, `${label}-`));
  fs.writeFileSync(
    path.join(dir, 'package.json'),
    `${JSON.stringify({ name: `consumer-${label}`, version: '1.0.0', private: true }, null, 2)}\n`,
  );
  return dir;
}

async function install(client: 'npm' | 'pnpm', project: string, spec: string): Promise<void> {
  const args = client === 'npm' ? ['install', spec, '--no-audit', '--no-fund'] : ['add', spec];
  await runOk(client, args, { cwd: project, env: childEnv(), timeoutMs: 120_000 });
}

/** A package plus every @kira package it needs at runtime, transitively, from the copy's manifests. */
function kiraRuntimeClosure(name: string, seen = new Set<string>()): string[] {
  if (seen.has(name)) return [...seen];
  seen.add(name);
  const dir = packages.find((pkg) => pkg.name === name)?.dir;
  if (dir === undefined) throw new Error(`${name} is not a workspace package`);
  for (const dependency of Object.keys(readManifest(dir).dependencies ?? {})) {
    if (dependency.startsWith('@kira/')) kiraRuntimeClosure(dependency, seen);
  }
  return [...seen];
}

function bumpPatch(version: string): string {
  const [major, minor, patch] = version.split('.').map(Number) as [number, number, number];
  return `${major}.${minor}.${patch + 1}`;
}

beforeAll(async () => {
  tmp = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'kira-release-test-')));
  registry = await startVerdaccio(path.join(tmp, 'verdaccio'), baseEnv());
  token = await registry.createUser('kira-release', 'release-test-password');
  // What the README asks of a service: the scope's registry and the token, both from env.
  const authKey = registry.url.replace(/^https?:/, '');
  fs.writeFileSync(
    path.join(tmp, 'consumer.npmrc'),
    `@kira:registry=\${KIRA_NPM_REGISTRY}\n${authKey}:_authToken=\${KIRA_NPM_TOKEN}\n`,
  );
  work = path.join(tmp, 'work');
  packages = copyWorkspace(REPO_ROOT, work);
});

afterAll(async () => {
  await registry?.stop();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

describe('packed shape', () => {
  it('publishes exactly the seven @kira packages; everything else is private', () => {
    expect(packages.filter((pkg) => !pkg.private).map((pkg) => pkg.name).sort()).toEqual(PUBLISHED);
  });

  it.each(PUBLISHED)('%s passes publint --strict and attw --profile node16', async (name) => {
    const dir = packages.find((pkg) => pkg.name === name)?.dir as string;
    const manifest = readManifest(dir) as { license?: string; files?: string[]; sideEffects?: unknown };
    expect(manifest.license).toBe('MIT');
    expect(fs.readFileSync(path.join(dir, 'LICENSE'), 'utf8')).toMatch(/^MIT License[\s\S]*Copyright \(c\) \d{4} Kira/);
    const env = childEnv();
    const publint = await runCommand(process.execPath, [PUBLINT, '--strict'], { cwd: dir, env, timeoutMs: 60_000 });
    expect(publint.code, `${publint.stdout}\n${publint.stderr}`).toBe(0);
    const attw = await runCommand(process.execPath, [ATTW, '--pack', '.', '--profile', 'node16', '--format', 'ascii'], {
      cwd: dir,
      env,
      timeoutMs: 60_000,
    });
    expect(attw.code, `${attw.stdout}\n${attw.stderr}`).toBe(0);
  });
});

describe('pnpm release', () => {
  it('refuses to publish without KIRA_NPM_REGISTRY or KIRA_NPM_TOKEN, naming the missing variable', async () => {
    const noRegistry = await release(childEnv({ KIRA_NPM_REGISTRY: undefined }));
    expect(noRegistry.code).toBe(1);
    expect(noRegistry.stderr).toContain('set KIRA_NPM_REGISTRY');
    const noToken = await release(childEnv({ KIRA_NPM_TOKEN: undefined }));
    expect(noToken.code).toBe(1);
    expect(noToken.stderr).toContain('set KIRA_NPM_TOKEN');
  });

  it('publishes nothing with a token the registry does not know', async () => {
    const result = await release(childEnv({ KIRA_NPM_TOKEN: 'not-a-real-token' }));
    expect(result.code).not.toBe(0);
    expect((await packument('@kira/metrics')).status).toBe(404);
  });

  it('versions pending changesets and publishes all seven packages to the registry from the environment', async () => {
    const pending = fs.readdirSync(path.join(work, '.changeset')).filter((file) => file.endsWith('.md') && file !== 'README.md');
    // `pnpm version-packages` first, as a maintainer would, when the repository has changesets.
    if (pending.length > 0) await changeset(['version']);
    const versions = localVersions();

    const result = await release();
    expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(0);

    for (const name of PUBLISHED) {
      const { status, body } = await packument(name);
      expect(status, name).toBe(200);
      expect(Object.keys(body?.versions ?? {}), name).toEqual([versions[name]]);
      expect(body?.['dist-tags'].latest, name).toBe(versions[name]);
    }
    // The scope is private: nothing without the token, and no private workspace package leaks.
    expect((await packument('@kira/external-tracing', false)).status).toBe(401);
    expect((await packument('@kira/test-utils')).status).toBe(404);
    // A second release finds nothing new to publish.
    const again = await release();
    expect(again.code).toBe(0);
    expect(`${again.stdout}${again.stderr}`).toContain('No unpublished projects to publish');
  });
});

describe.each(['npm', 'pnpm'] as const)('a fresh project installing @kira/external-tracing alone with %s', (client) => {
  let project: string;

  beforeAll(async () => {
    project = newProject(`tracing-${client}`);
    await install(client, project, '@kira/external-tracing');
  });

  it('gets only @kira/external-tracing, the dependency-free @kira/conventions and its peers: no other @kira package, no SDK', () => {
    const manifest = readManifest(path.join(project, 'node_modules', '@kira', 'external-tracing')) as {
      peerDependencies?: Record<string, string>;
      peerDependenciesMeta?: Record<string, { optional?: boolean }>;
    };
    const requiredPeers = Object.keys(manifest.peerDependencies ?? {}).filter(
      (name) => manifest.peerDependenciesMeta?.[name]?.optional !== true,
    );
    expect(requiredPeers).toContain('@opentelemetry/api');
    const names = installedPackages(project, client).map((pkg) => pkg.name);
    expect(names).toEqual(['@kira/conventions', '@kira/external-tracing', ...requiredPeers].sort());
    expect(names.filter((name) => name.startsWith('@kira/'))).toEqual(['@kira/conventions', '@kira/external-tracing']);
    expect(names.filter((name) => name.startsWith('@opentelemetry/') && name !== '@opentelemetry/api')).toEqual([]);
  });

  it('loads with import (dist/index.js) and require (dist/index.cjs), with the same exports', async () => {
    const { esm, cjs } = await runtimeExports(project);
    expect(esm.resolved).toMatch(/@kira[/\\]external-tracing[/\\]dist[/\\]index\.js$/);
    expect(cjs.resolved).toMatch(/@kira[/\\]external-tracing[/\\]dist[/\\]index\.cjs$/);
    expect(cjs.keys).toEqual(esm.keys);
  });

  it('type-checks with tsc under moduleResolution node16 (ESM and CJS) and bundler', async () => {
    const { esm } = await runtimeExports(project);
    // Touch every runtime export, so a declaration file that misses one fails the check.
    const uses = `export const used: readonly unknown[] = [${esm.keys.map((key) => `tracing.${key}`).join(', ')}];\n`;
    const esmSource = `import * as tracing from '@kira/external-tracing';\n${uses}`;
    fs.writeFileSync(path.join(project, 'check-esm.mts'), esmSource);
    fs.writeFileSync(path.join(project, 'check-bundler.ts'), esmSource);
    fs.writeFileSync(path.join(project, 'check-cjs.cts'), `import tracing = require('@kira/external-tracing');\n${uses}`);
    const common = { target: 'es2022', strict: true, noEmit: true, skipLibCheck: false, types: [] };
    const configs = {
      'tsconfig.node16.json': {
        compilerOptions: { ...common, module: 'node16', moduleResolution: 'node16' },
        files: ['check-esm.mts', 'check-cjs.cts'],
      },
      'tsconfig.bundler.json': {
        compilerOptions: { ...common, module: 'esnext', moduleResolution: 'bundler' },
        files: ['check-bundler.ts'],
      },
    };
    for (const [file, config] of Object.entries(configs)) {
      fs.writeFileSync(path.join(project, file), JSON.stringify(config, null, 2));
      const result = await runCommand(process.execPath, [TSC, '-p', file, '--traceResolution'], {
        cwd: project,
        env: childEnv(),
        timeoutMs: 90_000,
      });
      expect(result.code, `${file}\n${result.stdout.split('\n').filter((line) => line.includes('error')).join('\n')}`).toBe(0);
      // The declarations came from the installed package, not from some other copy.
      expect(result.stdout).toMatch(/external-tracing[/\\]dist[/\\]index\.d\.ts'/);
      if (file === 'tsconfig.node16.json') expect(result.stdout).toMatch(/external-tracing[/\\]dist[/\\]index\.d\.cts'/);
    }
  });
});

interface LoadedModule {
  keys: string[];
  resolved: string;
}

async function runtimeExports(project: string): Promise<{ esm: LoadedModule; cjs: LoadedModule }> {
  const env = childEnv();
  const esm = await runOk(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      "const m = await import('@kira/external-tracing'); console.log(JSON.stringify({ keys: Object.keys(m).filter((k) => k !== 'default').sort(), resolved: new URL(import.meta.resolve('@kira/external-tracing')).pathname }));",
    ],
    { cwd: project, env, timeoutMs: 30_000 },
  );
  const cjs = await runOk(
    process.execPath,
    [
      '-e',
      "const m = require('@kira/external-tracing'); console.log(JSON.stringify({ keys: Object.keys(m).filter((k) => k !== '__esModule').sort(), resolved: require.resolve('@kira/external-tracing') }));",
    ],
    { cwd: project, env, timeoutMs: 30_000 },
  );
  return { esm: JSON.parse(esm.stdout) as LoadedModule, cjs: JSON.parse(cjs.stdout) as LoadedModule };
}

describe('a later release of @kira/metrics alone', () => {
  it('a patch changeset versions and publishes only @kira/metrics, and the new version installs', async () => {
    const before = localVersions();
    const line = 'Release test: a patch for @kira/metrics only.';
    // The non-interactive form of `pnpm changeset`, then `pnpm version-packages`.
    await changeset(['add', '--patch', '@kira/metrics', '-m', line]);
    await changeset(['version']);
    const after = localVersions();
    const changed = PUBLISHED.filter((name) => after[name] !== before[name]);
    // Dependants' ranges (workspace:^) still cover a patch, so no dependant is released.
    expect(changed).toEqual(['@kira/metrics']);
    expect(after['@kira/metrics']).toBe(bumpPatch(before['@kira/metrics'] as string));

    const result = await release();
    expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(0);
    for (const name of PUBLISHED) {
      const { body } = await packument(name);
      const expected = name === '@kira/metrics' ? [before[name], after[name]] : [before[name]];
      expect(Object.keys(body?.versions ?? {}).sort(), name).toEqual([...expected].sort());
    }

    for (const client of ['npm', 'pnpm'] as const) {
      const project = newProject(`metrics-${client}`);
      await install(client, project, '@kira/metrics');
      const installed = path.join(project, 'node_modules', '@kira', 'metrics');
      expect(readManifest(installed).version, client).toBe(after['@kira/metrics']);
      const changelog = fs.readFileSync(path.join(installed, 'CHANGELOG.md'), 'utf8');
      expect(changelog).toContain(`## ${after['@kira/metrics']}`);
      expect(changelog).toContain(line);
      expect(fs.existsSync(path.join(installed, 'LICENSE'))).toBe(true);
    }
  });

  it('a major changeset also releases the packages that depend on @kira/metrics, with the new range', async () => {
    const before = localVersions();
    const dependants = packages
      .filter((pkg) => !pkg.private && '@kira/metrics' in (readManifest(pkg.dir).dependencies ?? {}))
      .map((pkg) => pkg.name);
    await changeset(['add', '--major', '@kira/metrics', '-m', 'Release test: a breaking @kira/metrics release.']);
    await changeset(['version']);
    const after = localVersions();
    const changed = PUBLISHED.filter((name) => after[name] !== before[name]);
    expect(changed).toEqual(['@kira/metrics', ...dependants].sort());
    for (const name of dependants) expect(after[name], name).toBe(bumpPatch(before[name] as string));

    const result = await release();
    expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(0);
    for (const name of dependants) {
      const { body } = await packument(name);
      expect(body?.versions[after[name] as string]?.dependencies?.['@kira/metrics'], name).toBe(`^${after['@kira/metrics']}`);
    }
    if (dependants.includes('@kira/otel-hono')) {
      const project = newProject('otel-hono-pnpm');
      await install('pnpm', project, '@kira/otel-hono');
      const kira = installedPackages(project, 'pnpm').filter((pkg) => pkg.name.startsWith('@kira/'));
      // Exactly otel-hono and its @kira runtime dependencies, each once, at the current versions.
      expect(kira).toEqual(
        kiraRuntimeClosure('@kira/otel-hono')
          .sort()
          .map((name) => ({ name, version: after[name] })),
      );
      expect(kira).toContainEqual({ name: '@kira/metrics', version: after['@kira/metrics'] });
    }
  });
});
