import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { builtInAlerts } from './built-in-alerts';
import { builtInDashboards } from './built-in-dashboards';
import { startBetterStackStandIn, type BetterStackStandIn } from './testing/betterstack-stand-in';

// The CLI as users get it: the BUILT dist/cli.js, spawned with node (turbo builds before testing).
const PACKAGE = fileURLToPath(new URL('..', import.meta.url));
const CLI = join(PACKAGE, 'dist', 'cli.js');

function run(args: string[], options: { cwd?: string; env?: Record<string, string> } = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: options.cwd ?? PACKAGE,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 25_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

const temporary: string[] = [];
let standIn: BetterStackStandIn;

beforeAll(() => {
  expect(existsSync(CLI), 'dist/cli.js is missing: run `pnpm --filter @kira/dashboards build` first').toBe(true);
});
// A fresh, empty BetterStack for every test.
beforeEach(async () => {
  standIn = await startBetterStackStandIn('cli-token');
});
afterEach(async () => {
  await standIn.close();
});
afterAll(() => {
  for (const dir of temporary) rmSync(dir, { recursive: true, force: true });
});

describe('kira-dashboards (built)', () => {
  it('starts with a node shebang and prints usage', async () => {
    expect(readFileSync(CLI, 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true);
    const help = await run(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: kira-dashboards <command>');
    const unknown = await run(['deploy']);
    expect(unknown.code).toBe(64);
    expect(unknown.stderr).toContain('unknown command "deploy"');
  });

  it('render sql prints every panel and alert; --dialect legacy prints the team form', async () => {
    const unified = await run(['render', 'sql']);
    expect(unified.code).toBe(0);
    for (const dashboard of builtInDashboards) for (const panel of dashboard.panels) expect(unified.stdout).toContain(`-- ${dashboard.id}/${panel.id}: `);
    for (const alert of builtInAlerts) expect(unified.stdout).toContain(`-- alert/${alert.id}: `);
    expect(unified.stdout).toContain('{{source}}');

    const legacy = await run(['render', 'sql', '--dialect', 'legacy', '--dashboard', 'kira-imgproxy']);
    expect(legacy.code).toBe(0);
    expect(legacy.stdout.replace(/\s+/g, ' ')).toContain(
      'SELECT toStartOfInterval(dt, INTERVAL 1 minute) as time, avgMerge(workers_utilization) * 100 as utilization FROM {{source}} WHERE dt BETWEEN {{start_time}} AND {{end_time}} GROUP BY time ORDER BY time;',
    );
    expect(legacy.stdout).not.toContain('kira-be');

    const bad = await run(['render', 'sql', '--dialect', 'clickhouse']);
    expect(bad.code).toBe(64);
  });

  it('render json prints the dashboard import JSON and alert definitions', async () => {
    const result = await run(['render', 'json']);
    expect(result.code).toBe(0);
    const output = JSON.parse(result.stdout) as { dashboards: { id: string; json: { charts: unknown[] } }[]; alerts: { id: string; definition: { alert_type: string } }[] };
    expect(output.dashboards.map((d) => [d.id, d.json.charts.length])).toEqual(builtInDashboards.map((d) => [d.id, d.panels.length]));
    expect(output.alerts.map((a) => a.id)).toEqual(builtInAlerts.map((a) => a.id));
    expect(new Set(output.alerts.map((a) => a.definition.alert_type))).toEqual(new Set(['threshold']));
  });

  it('validate runs every query against embedded ClickHouse', async () => {
    const result = await run(['validate']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('✓ kira-be/http-p95-by-route [unified]');
    expect(result.stdout).toContain('✓ kira-imgproxy/memory [legacy]');
    expect(result.stdout).toMatch(/^(\d+)\/\1 queries ok, 0 model errors$/m);
  });

  it('validate says how to install chdb, with the range from package.json, when it is not installed', async () => {
    // The package as a project installs it without its optional peer: package.json and dist/ in a
    // node_modules outside the workspace, where no chdb can be resolved.
    const project = mkdtempSync(join(tmpdir(), 'kira-cli-'));
    temporary.push(project);
    const installed = join(project, 'node_modules', '@kira', 'dashboards');
    mkdirSync(installed, { recursive: true });
    cpSync(join(PACKAGE, 'package.json'), join(installed, 'package.json'));
    cpSync(join(PACKAGE, 'dist'), join(installed, 'dist'), { recursive: true });
    const manifest = JSON.parse(readFileSync(join(PACKAGE, 'package.json'), 'utf8'));
    expect(manifest.peerDependenciesMeta.chdb.optional).toBe(true);

    // Its one runtime dependency, linked as an install would place it.
    symlinkSync(realpathSync(join(PACKAGE, 'node_modules', '@kira', 'conventions')), join(project, 'node_modules', '@kira', 'conventions'), 'dir');

    const result = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, [join(installed, 'dist', 'cli.js'), 'validate'], { cwd: project, stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      child.on('close', (code) => resolve({ code, stderr }));
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`pnpm add -D 'chdb@${manifest.peerDependencies.chdb}'`);
    expect(result.stderr).toContain(`npm i -D 'chdb@${manifest.peerDependencies.chdb}'`);
    expect(result.stderr).toContain('optional peer dependency');
  });

  it('test runs the built-in scenarios, or a directory given, and fails on a broken expectation', async () => {
    const builtIn = await run(['test'], { cwd: tmpdir() });
    expect(builtIn.code).toBe(0);
    expect(builtIn.stdout).toMatch(/^\d+ passed, 0 failed \(16 files in .*scenarios\)$/m);

    const dir = mkdtempSync(join(tmpdir(), 'kira-scenarios-'));
    temporary.push(dir);
    writeFileSync(join(dir, 'early.json'), JSON.stringify({ series: { process_mb: '7500*3' }, expect: { 'imgproxy-memory-critical': { fired: [1] } } }));
    const failing = await run(['test', dir]);
    expect(failing.code).toBe(1);
    expect(failing.stdout).toContain('✗ early.json imgproxy-memory-critical: fired at minutes [2], expected [1]');
    expect(failing.stdout).toContain('1 passed, 1 failed (1 files');
  });

  it('plan exits 2 while apply would change something and 0 once apply made BetterStack match; push is apply', async () => {
    const env = { BETTERSTACK_API_TOKEN: 'cli-token' };
    const before = await run(['plan', '--api-url', standIn.url], { env });
    expect(before.stderr).toBe('');
    expect(before.code).toBe(2);
    expect(before.stdout).toContain('+ create    dashboard kira-imgproxy');
    expect(before.stdout).toContain(`plan: ${builtInDashboards.length + builtInAlerts.length} to create, 0 to update`);
    expect(before.stdout).toContain('note: Alert notification channels');
    const dryRun = await run(['apply', '--dry-run', '--api-url', standIn.url], { env });
    expect(dryRun.code).toBe(2);
    expect(dryRun.stdout).toBe(before.stdout);
    expect(standIn.mutations()).toHaveLength(0);

    const applied = await run(['apply', '--api-url', standIn.url], { env });
    expect(applied.stderr).toBe('');
    expect(applied.code).toBe(0);
    expect(applied.stdout).toMatch(/^✓ create dashboard kira-be: import \(id \d+\)$/m);
    expect(applied.stdout).toContain(`apply: ${builtInDashboards.length + builtInAlerts.length} created, 0 updated, 0 extra deleted, 0 unchanged`);

    const again = await run(['push', '--api-url', standIn.url], { env });
    expect(again.code).toBe(0);
    expect(again.stdout).toContain(`apply: nothing to change, BetterStack already matches the code (${builtInDashboards.length + builtInAlerts.length} unchanged)`);
    const after = await run(['push', '--dry-run', '--api-url', standIn.url], { env });
    expect(after.code).toBe(0);
    expect(after.stdout).toContain('No changes: BetterStack matches the code.');
    expect(standIn.dashboards.size).toBe(builtInDashboards.length);
  });

  it('plan shows a hand edit made in BetterStack as drift (exit 2)', async () => {
    const env = { BETTERSTACK_API_TOKEN: 'cli-token' };
    expect((await run(['apply', '--api-url', standIn.url], { env })).code).toBe(0);
    const exploration = [...standIn.explorations.values()].find((e) => e.name.endsWith('[kira-dashboards:alert/imgproxy-memory-critical]'))!;
    const alert = [...standIn.alerts.values()].find((a) => a.exploration_id === exploration.id)!;
    alert.attributes.value = 7500;
    const drift = await run(['plan', '--api-url', standIn.url], { env });
    expect(drift.code).toBe(2);
    expect(drift.stdout).toContain('~ update    alert imgproxy-memory-critical\n    ~ value (threshold): 7500 → 7000\n');
    expect(drift.stdout).toContain('plan: 0 to create, 1 to update, 0 extra (deleted by apply), 16 unchanged');
  });

  it('refuses without a token; API failures are one line on stderr that never shows the token', async () => {
    const missing = await run(['apply', '--api-url', standIn.url]);
    expect(missing.code).toBe(64);
    expect(missing.stderr).toContain('BETTERSTACK_API_TOKEN');
    expect(standIn.requests).toHaveLength(0);

    const refused = await run(['apply', '--api-url', standIn.url, '--token', 'wrong-secret-token']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe(
      '✗ dashboards (list): 401 — the API token was refused (Invalid Team API token); check BETTERSTACK_API_TOKEN and that it is a Telemetry API token of this team (nothing was changed)\n',
    );
    expect(refused.stdout + refused.stderr).not.toContain('wrong-secret-token');

    standIn.failNext({ method: 'POST', path: '/api/v2/dashboards/import', status: 422, body: { errors: 'Sorry, some values are incorrect', invalid_values: { name: ['is too long'] } } });
    const invalid = await run(['apply', '--api-url', standIn.url], { env: { BETTERSTACK_API_TOKEN: 'cli-token' } });
    expect(invalid.code).toBe(1);
    expect(invalid.stderr).toBe('✗ create dashboard kira-imgproxy (import): 422 validation failed: Sorry, some values are incorrect: name is too long (nothing was changed)\n');
    expect(invalid.stdout + invalid.stderr).not.toContain('cli-token');
  });
});
