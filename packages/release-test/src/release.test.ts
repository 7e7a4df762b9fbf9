import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { INSTRUMENTATION_SCOPES, METRIC_NAMES, SPAN_ATTRIBUTES } from '@kira/conventions';
import { type OtlpCaptureServer, startOtlpCaptureServer, waitUntil } from '@kira/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  copyWorkspace,
  linkInstalledDependencies,
  listWorkspacePackages,
  readManifest,
  type WorkspacePackage,
} from './copy-workspace';
import { installedPackages, opentelemetryVersions } from './installed-packages';
import { runCommand, runOk } from './run-command';
import { startVerdaccio, type RunningVerdaccio } from './start-verdaccio';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const PUBLISH_SCRIPT = path.join(REPO_ROOT, 'scripts', 'publish.mjs');
// Every package of the workspace that is not private is published; a new one is picked up here.
const PUBLISHED = listWorkspacePackages(REPO_ROOT)
  .filter((pkg) => !pkg.private)
  .map((pkg) => pkg.name)
  .sort();
// What a service installs to run: everything published except the dashboards-as-code tool.
const NOT_RUNTIME = new Set(['@kira/dashboards']);
const RUNTIME = PUBLISHED.filter((name) => !NOT_RUNTIME.has(name));

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

// The whole @kira/otel-core suite, run on the versioned copy: it measured about 50 s on two busy
// cores; the bound leaves room for a much busier machine.
const SUITE_TIMEOUT_MS = 360_000;

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
  versions: Record<string, { dependencies?: Record<string, string>; peerDependencies?: Record<string, string> }>;
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

async function install(client: 'npm' | 'pnpm', project: string, specs: string | readonly string[]): Promise<void> {
  const names = typeof specs === 'string' ? [specs] : specs;
  const args = client === 'npm' ? ['install', ...names, '--no-audit', '--no-fund'] : ['add', ...names];
  // pnpm resolves from the metadata it cached for an earlier project when that still satisfies the
  // range, so a version published since then would be missed: each project gets its own cache.
  const env = client === 'pnpm' ? childEnv({ XDG_CACHE_HOME: path.join(project, '.cache') }) : childEnv();
  await runOk(client, args, { cwd: project, env, timeoutMs: 180_000 });
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
  it('publishes every workspace package that is not private, each restricted to the private registry', () => {
    // The copy holds the same set the real workspace declares, and that set has the packages the
    // tests below single out.
    expect(packages.filter((pkg) => !pkg.private).map((pkg) => pkg.name).sort()).toEqual(PUBLISHED);
    expect(PUBLISHED).toEqual(expect.arrayContaining(['@kira/otel-core', '@kira/external-tracing', '@kira/metrics', ...NOT_RUNTIME]));
    for (const name of PUBLISHED) {
      const manifest = readManifest(packages.find((pkg) => pkg.name === name)?.dir as string) as { publishConfig?: { access?: string } };
      expect(manifest.publishConfig?.access, name).toBe('restricted');
    }
  });

  it('the workspace itself resolves one version of each @opentelemetry package, with no overrides', () => {
    const workspaceFile = fs.readFileSync(path.join(REPO_ROOT, 'pnpm-workspace.yaml'), 'utf8');
    // The indented (or commented) lines under `overrides:`.
    const overrides = /^overrides:\n((?:[ \t#].*\n?)*)/m.exec(workspaceFile)?.[1] ?? '';
    expect(overrides).not.toContain('@opentelemetry/');
    const versions = new Map<string, string[]>();
    for (const { name, version } of installedPackages(REPO_ROOT, 'pnpm')) {
      if (name.startsWith('@opentelemetry/')) versions.set(name, [...(versions.get(name) ?? []), version]);
    }
    expect(versions.get('@opentelemetry/instrumentation')).toHaveLength(1);
    expect([...versions].filter(([, found]) => found.length > 1)).toEqual([]);
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

describe('pnpm version-packages', () => {
  it('versions the pending changesets, with a throwaway one for @kira/otel-core when none bumps it', async () => {
    const original = readManifest(path.join(REPO_ROOT, 'packages', 'otel-core')).version;
    const pending = fs.readdirSync(path.join(work, '.changeset')).filter((file) => file.endsWith('.md') && file !== 'README.md');
    // `pnpm version-packages` first, as a maintainer would, when the repository has changesets.
    if (pending.length > 0) await changeset(['version']);
    if (localVersions()['@kira/otel-core'] === original) {
      await changeset(['add', '--patch', '@kira/otel-core', '-m', 'Release test: a throwaway patch for @kira/otel-core.']);
      await changeset(['version']);
    }
    const versioned = localVersions()['@kira/otel-core'] as string;
    expect(versioned).not.toBe(original);
    const otelCore = packages.find((pkg) => pkg.name === '@kira/otel-core')?.dir as string;
    expect(fs.readFileSync(path.join(otelCore, 'CHANGELOG.md'), 'utf8')).toContain(`## ${versioned}`);
  });

  it('the @kira/otel-core suite passes on the versioned copy: no test hard-codes a version', async () => {
    const otelCore = packages.find((pkg) => pkg.name === '@kira/otel-core') as WorkspacePackage;
    // The copies of the published packages it loads (otel-core's dist loads external-tracing's)
    // get the real workspace's installed dependencies.
    linkInstalledDependencies(REPO_ROOT, work, packages.filter((pkg) => !pkg.private));
    const env = baseEnv();
    // This file's own vitest run must not leak into the nested one.
    for (const key of Object.keys(env)) if (/^(VITEST|NODE_ENV$|TEST$)/.test(key)) delete env[key];
    // Without the flag pnpm 12 first installs the whole copy (hundreds of packages, into the temp
    // store) because the copy has no node_modules state of its own; the links above are that state.
    const result = await runCommand('pnpm', ['--config.verify-deps-before-run=false', '--filter', '@kira/otel-core', 'test'], {
      cwd: work,
      env,
      timeoutMs: SUITE_TIMEOUT_MS,
    });
    expect(result.code, `${result.stdout.slice(-6000)}\n${result.stderr.slice(-3000)}`).toBe(0);
    const report = JSON.parse(fs.readFileSync(path.join(otelCore.dir, 'reports', 'vitest.json'), 'utf8')) as {
      numTotalTests: number;
      numPassedTests: number;
    };
    expect(report.numTotalTests).toBeGreaterThan(0);
    expect(report.numPassedTests).toBe(report.numTotalTests);
  }, SUITE_TIMEOUT_MS + 30_000);
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

  it('publishes every package to the registry from the environment, with plain version ranges', async () => {
    const versions = localVersions();
    const result = await release();
    expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(0);

    for (const name of PUBLISHED) {
      const { status, body } = await packument(name);
      expect(status, name).toBe(200);
      expect(Object.keys(body?.versions ?? {}), name).toEqual([versions[name]]);
      expect(body?.['dist-tags'].latest, name).toBe(versions[name]);
      // `workspace:` and `catalog:` are pnpm's; npm could not install them.
      const published = body?.versions[versions[name] as string];
      for (const [dependency, range] of Object.entries({ ...published?.dependencies, ...published?.peerDependencies })) {
        expect(range, `${name} → ${dependency}`).not.toMatch(/^[a-z]+:/);
      }
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
    const { esm, cjs } = await moduleExports(process.execPath, project, '@kira/external-tracing');
    expect(esm.resolved).toMatch(/@kira[/\\]external-tracing[/\\]dist[/\\]index\.js$/);
    expect(cjs.resolved).toMatch(/@kira[/\\]external-tracing[/\\]dist[/\\]index\.cjs$/);
    expect(cjs.keys).toEqual(esm.keys);
  });

  it('type-checks with tsc under moduleResolution node16 (ESM and CJS) and bundler', async () => {
    const { esm } = await moduleExports(process.execPath, project, '@kira/external-tracing');
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

// What a service does: install, then start an ES-module app with the register entry.
const INSTALL_SETS: ReadonlyArray<{ slug: string; label: string; names: readonly string[] }> = [
  { slug: 'otel-core', label: '@kira/otel-core alone', names: ['@kira/otel-core'] },
  { slug: 'runtime', label: `every runtime package (${RUNTIME.join(', ')})`, names: RUNTIME },
];

describe('single-package installs: one copy of each OpenTelemetry package, and the quick start runs', () => {
  let capture: OtlpCaptureServer;

  beforeAll(async () => {
    capture = await startOtlpCaptureServer();
  });

  afterAll(async () => {
    await capture?.close();
  });

  describe.each(INSTALL_SETS.flatMap((set) => (['npm', 'pnpm'] as const).map((client) => ({ ...set, client }))))(
    '$label with $client',
    ({ slug, names, client }) => {
      let project: string;

      beforeAll(async () => {
        project = newProject(`${slug}-${client}`);
        await install(client, project, names);
      });

      it(`${client === 'npm' ? 'npm ls --all' : 'pnpm list --depth Infinity'} shows exactly one version of each @opentelemetry package`, async () => {
        const args = client === 'npm' ? ['ls', '--all', '--json'] : ['list', '--depth', 'Infinity', '--json'];
        // npm ls also exits non-zero on a missing or invalid (peer) dependency.
        const listed = await runOk(client, args, { cwd: project, env: childEnv(), timeoutMs: 60_000 });
        const versions = opentelemetryVersions(listed.stdout);
        // The SDK and the instrumentations are there, so the check below is not vacuous.
        expect([...versions.keys()]).toEqual(
          expect.arrayContaining([
            '@opentelemetry/api',
            '@opentelemetry/core',
            '@opentelemetry/sdk-trace',
            '@opentelemetry/instrumentation',
            '@opentelemetry/instrumentation-http',
            '@opentelemetry/instrumentation-ioredis',
            '@opentelemetry/instrumentation-undici',
          ]),
        );
        const duplicated = [...versions].filter(([, found]) => found.size > 1).map(([name, found]) => `${name}: ${[...found].join(', ')}`);
        expect(duplicated).toEqual([]);
        // The lockfile agrees: one entry per package.
        const locked = installedPackages(project, client).filter((pkg) => pkg.name.startsWith('@opentelemetry/'));
        expect(locked.map((pkg) => pkg.name)).toEqual([...new Set(locked.map((pkg) => pkg.name))]);
        expect(new Set(locked.map((pkg) => pkg.name))).toEqual(new Set(versions.keys()));
      });

      it('gets the @kira packages asked for and their @kira dependencies, each once', () => {
        const kira = installedPackages(project, client).filter((pkg) => pkg.name.startsWith('@kira/'));
        const expected = [...new Set(names.flatMap((name) => kiraRuntimeClosure(name)))].sort();
        expect(kira.map((pkg) => pkg.name)).toEqual(expected);
      });

      it('the quick start, started with node --import @kira/otel-core/register, delivers spans, metrics and logs', async () => {
        await expectQuickStartDelivers(capture, project, process.execPath);
      });
    },
  );
});

/**
 * Runs the otel-core quick start in `project` with `nodeBinary` and checks what reached `capture`:
 * the SERVER and CLIENT spans of one trace, the http instrumentation's metrics and the log record
 * inside the SERVER span.
 */
async function expectQuickStartDelivers(capture: OtlpCaptureServer, project: string, nodeBinary: string): Promise<void> {
  const service = readManifest(project).name;
  fs.writeFileSync(path.join(project, 'app.mjs'), QUICK_START_APP);
  const run = await runOk(nodeBinary, ['--import', '@kira/otel-core/register', 'app.mjs'], { cwd: project, env: quickStartEnv(capture), timeoutMs: 60_000 });
  expect(run.stdout).toContain('quick start: 200');
  expect(run.stderr).toBe(''); // no export failure, no loader warning

  // The process flushed on its way out, but the capture server may still be reading.
  const ours = <T extends { resource: Record<string, unknown> }>(items: T[]) => items.filter((item) => item.resource['service.name'] === service);
  await waitUntil(
    () => ours(capture.spans()).length >= 2 && ours(capture.metrics()).length > 0 && ours(capture.logs()).length > 0,
    30_000,
    `spans, metrics and logs of ${service}`,
  );
  const spans = ours(capture.spans()).filter((span) => span.scope === '@opentelemetry/instrumentation-http');
  const server = spans.find((span) => span.kind === 2);
  // `import { request } from 'node:http'` is traced only through the register entry's hook.
  const client = spans.find((span) => span.kind === 3);
  expect(server?.attributes['url.path']).toBe('/generate');
  expect(client).toBeDefined();
  // One trace: the client's context reached the server.
  expect(server?.traceId).toBe(client?.traceId);
  expect(server?.parentSpanId).toBe(client?.spanId);
  expect(ours(capture.metrics()).map((metric) => metric.scope)).toContain('@opentelemetry/instrumentation-http');
  const log = ours(capture.logs()).find((record) => record.body === 'User generated image');
  expect(log).toMatchObject({ severityText: 'INFO', attributes: { 'user.id': 'u_123' }, traceId: server?.traceId, spanId: server?.spanId });
}

/** The consumer's environment with telemetry on, every span sampled, exporting to `capture`. */
function quickStartEnv(capture: OtlpCaptureServer): NodeJS.ProcessEnv {
  const env = childEnv();
  for (const key of Object.keys(env)) if (/^(OTEL_|KIRA_TELEMETRY$|BETTERSTACK_)/.test(key)) delete env[key];
  Object.assign(env, { KIRA_TELEMETRY: 'on', OTEL_EXPORTER_OTLP_ENDPOINT: capture.url, OTEL_TRACES_SAMPLER_ARG: '1' });
  return env;
}

/**
 * The lowest Node major that every published package supports, from their `engines.node` (each a
 * `>=N` range). The packages are built for it (tsup's target) and claim it, so users on it get
 * the same checks as the Node this run uses, instead of a claim nobody tried.
 */
function oldestSupportedNodeMajor(): number {
  const majors = PUBLISHED.map((name) => {
    const dir = packages.find((pkg) => pkg.name === name)?.dir;
    const range = dir === undefined ? undefined : readManifest(dir).engines?.node;
    const lowest = /^>=\s*(\d+)(?:\.\d+){0,2}$/.exec(range ?? '');
    if (lowest === null) throw new Error(`${name}: engines.node is ${JSON.stringify(range)}, not a ">=N" range this test can read`);
    return Number(lowest[1]);
  });
  return Math.max(...majors);
}

describe('on the oldest Node the published packages declare (engines.node)', () => {
  let capture: OtlpCaptureServer;
  let project: string;
  let oldestMajor: number;
  let nodeBinary: string;

  beforeAll(async () => {
    capture = await startOtlpCaptureServer();
    oldestMajor = oldestSupportedNodeMajor();
    project = newProject('oldest-node-npm');
    // Every published package, @kira/dashboards' CLI too. As a Node service installs them (the
    // @kira/sentry README): @kira/sentry's main entry is for Node and needs its optional peer
    // @sentry/node, in the range it declares.
    const sentryNode = readManifest(packages.find((pkg) => pkg.name === '@kira/sentry')!.dir).peerDependencies?.['@sentry/node'];
    await install('npm', project, [...PUBLISHED, `@sentry/node@${sentryNode}`]);
    if (Number(process.versions.node.split('.')[0]) === oldestMajor) {
      nodeBinary = process.execPath;
    } else {
      // The registry's `node` package: the official build of the newest release of that major.
      const runtime = newProject(`node-${oldestMajor}`);
      await install('npm', runtime, `node@${oldestMajor}`);
      nodeBinary = path.join(runtime, 'node_modules', '.bin', 'node');
    }
  });

  afterAll(async () => {
    await capture?.close();
  });

  it('runs on that major', async () => {
    const run = await runOk(nodeBinary, ['-p', 'process.versions.node'], { cwd: project, env: childEnv(), timeoutMs: 30_000 });
    expect(Number(run.stdout.trim().split('.')[0])).toBe(oldestMajor);
  });

  it('loads every published package with import and require, with the exports it has on this Node', async () => {
    for (const name of PUBLISHED) {
      const onThisNode = await moduleExports(process.execPath, project, name);
      const onOldest = await moduleExports(nodeBinary, project, name);
      expect(onOldest.esm.keys, name).toEqual(onThisNode.esm.keys);
      expect(onOldest.cjs.keys, name).toEqual(onThisNode.cjs.keys);
      expect(onThisNode.esm.keys.length, name).toBeGreaterThan(0);
    }
  });

  it('the quick start, started with node --import @kira/otel-core/register, delivers spans, metrics and logs', async () => {
    await expectQuickStartDelivers(capture, project, nodeBinary);
  });

  it('the kira-dashboards CLI renders the same SQL as on this Node (no chdb installed: it is needed only for validate)', async () => {
    const manifest = readManifest(path.join(project, 'node_modules', '@kira', 'dashboards')) as { bin?: Record<string, string> };
    const cli = path.join(project, 'node_modules', '@kira', 'dashboards', manifest.bin?.['kira-dashboards'] ?? 'missing-bin');
    const render = (binary: string) => runOk(binary, [cli, 'render', 'sql'], { cwd: project, env: childEnv(), timeoutMs: 60_000 });
    const [onOldest, onThisNode] = [await render(nodeBinary), await render(process.execPath)];
    expect(onOldest.stdout).toMatch(/\bSELECT\b/i);
    expect(onOldest.stdout).toBe(onThisNode.stdout);
    expect(onOldest.stderr).toBe('');
  });

  it('a kira-be route with otelHono() and tracedFetch() delivers its SERVER span, the CLIENT span under it, both histograms and the log in the trace, on that Node and on this one', async () => {
    fs.writeFileSync(path.join(project, 'route.mjs'), KIRA_BE_ROUTE_APP);
    for (const binary of new Set([nodeBinary, process.execPath])) {
      capture.reset(); // each run is judged on what it sent
      await expectKiraBeRouteDelivers(capture, project, binary);
    }
  });
});

/**
 * Runs {@link KIRA_BE_ROUTE_APP} in `project` with `nodeBinary` and checks what reached `capture`:
 * otel-hono's SERVER span with its route, tracedFetch's CLIENT span under it, both histograms and
 * the log record inside the SERVER span.
 */
async function expectKiraBeRouteDelivers(capture: OtlpCaptureServer, project: string, nodeBinary: string): Promise<void> {
  const service = readManifest(project).name;
  const run = await runOk(nodeBinary, ['--import', '@kira/otel-core/register', 'route.mjs'], { cwd: project, env: quickStartEnv(capture), timeoutMs: 60_000 });
  expect(run.stdout).toContain('kira-be route: 200 {"providerStatus":201}');
  expect(run.stderr).toBe('');

  const ours = <T extends { resource: Record<string, unknown> }>(items: T[]) => items.filter((item) => item.resource['service.name'] === service);
  const routeSpans = () => ours(capture.spans()).filter((span) => span.scope === INSTRUMENTATION_SCOPES.otelHono || span.scope === INSTRUMENTATION_SCOPES.externalTracing);
  const metricNames = () => new Set(ours(capture.metrics()).map((metric) => metric.name));
  await waitUntil(
    () =>
      routeSpans().length >= 2 &&
      metricNames().has(METRIC_NAMES.httpRequestDuration) &&
      metricNames().has(METRIC_NAMES.externalRequestDuration) &&
      ours(capture.logs()).some((record) => record.body === 'Image edited'),
    30_000,
    `the route's spans, histograms and log of ${service} under ${nodeBinary}`,
  );
  const server = routeSpans().find((span) => span.scope === INSTRUMENTATION_SCOPES.otelHono);
  const client = routeSpans().find((span) => span.scope === INSTRUMENTATION_SCOPES.externalTracing);
  expect(server).toMatchObject({ kind: 2, attributes: { [SPAN_ATTRIBUTES.httpRoute]: '/users/:id' } });
  expect(client).toMatchObject({ kind: 3, traceId: server?.traceId, parentSpanId: server?.spanId });
  expect(client?.attributes[SPAN_ATTRIBUTES.externalService]).toBe('byteplus');
  const log = ours(capture.logs()).find((record) => record.body === 'Image edited');
  expect(log).toMatchObject({ traceId: server?.traceId, spanId: server?.spanId });
}

// A kira-be-shaped route: Hono with otelHono(), an AI provider called with tracedFetch (a loopback
// server standing in for it), a log line inside the request. Hono answers in-process
// (`app.request`), so no HTTP server package is needed.
const KIRA_BE_ROUTE_APP = `import { createServer } from 'node:http';
import { Hono } from 'hono';
import { getLogger } from '@kira/otel-core';
import { tracedFetch } from '@kira/external-tracing';
import { otelHono } from '@kira/otel-hono';

const provider = createServer((_request, response) => {
  response.writeHead(201, { 'content-type': 'application/json' }).end('{}');
});
await new Promise((resolve) => provider.listen(0, '127.0.0.1', resolve));
const logger = getLogger('kira-be');
const app = new Hono();
app.use(otelHono());
app.get('/users/:id', async (c) => {
  const answer = await tracedFetch(\`http://127.0.0.1:\${provider.address().port}/v1/images/edits\`, { method: 'POST', body: '{}' }, { service: 'byteplus', operation: 'seedream_edit' });
  await answer.arrayBuffer();
  logger.info('Image edited', { 'user.id': c.req.param('id') });
  return c.json({ providerStatus: answer.status });
});
const response = await app.request('/users/42');
console.log(\`kira-be route: \${response.status} \${await response.text()}\`);
provider.close();
`;

// The otel-core quick start as an ES-module service: a route that logs, called once over
// `node:http`, then the process runs out of work and otel-core flushes on its way out.
const QUICK_START_APP = `import { createServer, request } from 'node:http';
import { getLogger } from '@kira/otel-core';

const logger = getLogger('kira-be');
const server = createServer((_request, response) => {
  logger.info('User generated image', { 'user.id': 'u_123', 'duration.ms': 1234 });
  response.end('done');
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const status = await new Promise((resolve, reject) => {
  const outbound = request({ host: '127.0.0.1', port: server.address().port, path: '/generate', agent: false }, (response) => {
    response.resume().on('end', () => resolve(response.statusCode));
  });
  outbound.on('error', reject).end();
});
server.close();
console.log(\`quick start: \${status}\`);
`;

interface LoadedModule {
  keys: string[];
  resolved: string;
}

/** What `name` exports in `project` under `nodeBinary`, loaded with import and with require. */
async function moduleExports(nodeBinary: string, project: string, name: string): Promise<{ esm: LoadedModule; cjs: LoadedModule }> {
  const env = childEnv();
  const esm = await runOk(
    nodeBinary,
    [
      '--input-type=module',
      '-e',
      `const m = await import(${JSON.stringify(name)}); console.log(JSON.stringify({ keys: Object.keys(m).filter((k) => k !== 'default').sort(), resolved: new URL(import.meta.resolve(${JSON.stringify(name)})).pathname }));`,
    ],
    { cwd: project, env, timeoutMs: 30_000 },
  );
  const cjs = await runOk(
    nodeBinary,
    ['-e', `const m = require(${JSON.stringify(name)}); console.log(JSON.stringify({ keys: Object.keys(m).filter((k) => k !== '__esModule').sort(), resolved: require.resolve(${JSON.stringify(name)}) }));`],
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
