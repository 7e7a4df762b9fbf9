import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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

beforeAll(async () => {
  expect(existsSync(CLI), 'dist/cli.js is missing: run `pnpm --filter @kira/dashboards build` first').toBe(true);
  standIn = await startBetterStackStandIn('cli-token');
});
afterAll(async () => {
  await standIn?.close();
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

  it('validate says how to install chdb when it cannot be loaded', async () => {
    // A copy of the built CLI outside the workspace, with its runtime dependency but no chdb.
    const dir = mkdtempSync(join(tmpdir(), 'kira-cli-'));
    temporary.push(dir);
    writeFileSync(join(dir, 'cli.mjs'), readFileSync(CLI));
    const conventions = realpathSync(join(PACKAGE, 'node_modules', '@kira', 'conventions'));
    mkdirSync(join(dir, 'node_modules', '@kira'), { recursive: true });
    symlinkSync(conventions, join(dir, 'node_modules', '@kira', 'conventions'), 'dir');
    const result = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, [join(dir, 'cli.mjs'), 'validate'], { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      child.on('close', (code) => resolve({ code, stderr }));
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('pnpm add -D chdb@3.4.0');
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

  it('push --dry-run prints the requests without sending anything', async () => {
    const result = await run(['push', '--dry-run', '--api-url', standIn.url]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`POST ${standIn.url}/api/v2/dashboards/import`);
    expect(result.stdout).toContain(`POST ${standIn.url}/api/v2/explorations/{exploration_id}/alerts`);
    expect(result.stdout).toContain('"confirmation_period": 300');
    expect(standIn.requests).toHaveLength(0);
  });

  it('push sends to the API with the token from BETTERSTACK_API_TOKEN or --token, and refuses without one', async () => {
    const missing = await run(['push', '--api-url', standIn.url]);
    expect(missing.code).toBe(64);
    expect(missing.stderr).toContain('BETTERSTACK_API_TOKEN');
    expect(standIn.requests).toHaveLength(0);

    const pushed = await run(['push', '--api-url', standIn.url], { env: { BETTERSTACK_API_TOKEN: 'cli-token' } });
    expect(pushed.stderr).toBe('');
    expect(pushed.code).toBe(0);
    const expected = builtInDashboards.length + 2 * builtInAlerts.length;
    expect(pushed.stdout).toContain(`pushed ${expected} objects to ${standIn.url}`);
    expect(standIn.requests).toHaveLength(expected);
    expect(standIn.requests.every((request) => request.authorization === 'Bearer cli-token')).toBe(true);

    const refused = await run(['push', '--api-url', standIn.url, '--token', 'wrong']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('answered 401');
  });
});
