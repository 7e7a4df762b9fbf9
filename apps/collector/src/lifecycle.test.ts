import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { waitUntil } from '@kira/test-utils';
import { collectorForFile } from './testing/collector-for-file';

const appDir = join(dirname(fileURLToPath(import.meta.url)), '..');
// For the in-process tests; the CLI's tests spawn collectors with data folders of their own.
const collector = collectorForFile('kira-collector-life-');

function spanBody(name: string): string {
  const now = `${Date.now()}000000`;
  return JSON.stringify({
    resourceSpans: [{ scopeSpans: [{ spans: [{ traceId: randomBytes(16).toString('hex'), spanId: randomBytes(8).toString('hex'), name, startTimeUnixNano: now, endTimeUnixNano: now }] }] }],
  });
}

async function sendSpan(url: string, name: string): Promise<Response> {
  return fetch(`${url}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: spanBody(name) });
}

describe('persistence and retention', () => {
  it('keeps data across a restart on the same data folder', async () => {
    expect((await sendSpan(collector.current.url, 'before restart')).status).toBe(200);
    await collector.current.store.insertMetricPoints([{ name: 'queue_depth', kind: 'gauge', time: Date.now(), value: 42 }]);

    await collector.restart();
    const spans = await collector.current.store.query("SELECT count() AS n FROM spans WHERE name = 'before restart'");
    expect(Number(spans.rows[0]?.n)).toBe(1);
    const metrics = await collector.current.store.query("SELECT avgMerge(value_avg) AS v FROM metrics WHERE name = 'queue_depth'");
    expect(metrics.rows[0]?.v).toBe(42);
  });

  it('deletes rows that have grown older than the retention', async () => {
    const store = collector.current.store;
    // Rows arriving already too old are not stored at all (expired-rows.test.ts): these are three
    // days old, and the delete runs "five days later", when they are eight days old.
    const old = new Date(Date.now() - 3 * 86_400_000);
    await store.insertRows('logs', [
      { dt: old, raw: JSON.stringify({ body: 'too old' }) },
      { dt: new Date(), raw: JSON.stringify({ body: 'fresh' }) },
    ]);
    await store.insertMetricPoints([{ name: 'old_gauge', kind: 'gauge', time: old.getTime(), value: 1 }]);
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      vi.setSystemTime(Date.now() + 5 * 86_400_000);
      await store.applyRetention();
    } finally {
      vi.useRealTimers();
    }
    const logs = await store.query("SELECT JSONExtractString(raw, 'body') AS body FROM logs ORDER BY dt");
    expect(logs.rows.map((row) => row.body)).toEqual(['fresh']);
    const metrics = await store.query("SELECT count() AS n FROM metrics WHERE name = 'old_gauge'");
    expect(Number(metrics.rows[0]?.n)).toBe(0);
  });
});

describe('backpressure', () => {
  it('refuses inserts beyond the pending-row limit instead of queueing without end', async () => {
    await collector.restart({ maxPendingRows: 2 });
    const store = collector.current.store;
    const first = store.insertRows('logs', [{ dt: new Date(), raw: '{}' }, { dt: new Date(), raw: '{}' }]);
    await expect(store.insertRows('logs', [{ dt: new Date(), raw: '{}' }])).rejects.toThrow(/waiting to be written/);
    await first;
    await expect(store.insertRows('logs', [{ dt: new Date(), raw: '{}' }])).resolves.toBeUndefined();
  });
});

describe('fault injection', () => {
  const admin = (method: string, body?: string) => fetch(`${collector.current.url}/admin/fault`, { method, ...(body !== undefined ? { body } : {}) });

  it('answers with the injected status and Retry-After, switchable at runtime', async () => {
    expect(await (await admin('POST', 'status=503,retry-after=2')).json()).toEqual({ fault: 'status=503,retry-after=2' });
    const faulty = await sendSpan(collector.current.url, 'during 503');
    expect(faulty.status).toBe(503);
    expect(faulty.headers.get('retry-after')).toBe('2');
    expect(await (await admin('GET')).json()).toEqual({ fault: 'status=503,retry-after=2' });
    // /query and the admin endpoint are not affected
    const query = await fetch(`${collector.current.url}/query`, { method: 'POST', body: JSON.stringify({ query: 'SELECT 1 AS one' }) });
    expect(query.status).toBe(200);

    await admin('DELETE');
    expect((await sendSpan(collector.current.url, 'after fault')).status).toBe(200);
    const names = await collector.current.store.query('SELECT name FROM spans');
    expect(names.rows.map((row) => row.name)).not.toContain('during 503');
  });

  it('delays, drops and affects only the given fraction', async () => {
    // Ordering, not a stopwatch: the delayed request is still open while /health answers.
    await admin('POST', JSON.stringify({ fault: 'delay=3000' }));
    let settled = false;
    const delayed = sendSpan(collector.current.url, 'delayed').finally(() => {
      settled = true;
    });
    expect((await fetch(`${collector.current.url}/health`)).status).toBe(200);
    expect(settled).toBe(false);
    expect((await delayed).status).toBe(200);

    await admin('POST', 'drop=1');
    await expect(sendSpan(collector.current.url, 'dropped')).rejects.toThrow();

    await admin('POST', 'status=429,rate=0');
    expect((await sendSpan(collector.current.url, 'rate zero')).status).toBe(200);
    collector.current.setFault({ status: 500, rate: 1 });
    expect((await sendSpan(collector.current.url, 'rate one')).status).toBe(500);
    collector.current.setFault(undefined);

    const bad = await admin('POST', 'status=abc');
    expect(bad.status).toBe(400);
    expect((await bad.json()).error).toMatch(/invalid fault/);
    expect((await sendSpan(collector.current.url, 'after bad spec')).status).toBe(200);
  });
});

/** SIGTERM to a running CLI, which must close and exit 0 by itself. */
async function expectCleanExitOnSigterm(child: ChildProcess): Promise<void> {
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  child.kill('SIGTERM');
  expect(await exited).toBe(0);
}

/** Whatever the test's outcome: no CLI left running, no data folder left behind. */
function stopAndRemove(child: ChildProcess, dataDir: string): void {
  if (child.exitCode === null) child.kill('SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
}

describe('CLI', () => {
  beforeAll(() => {
    execFileSync('pnpm', ['exec', 'tsup', '--silent'], { cwd: appDir, stdio: 'ignore' });
  }, 60_000);

  it('prints its URL, takes the fault from the environment and exits cleanly on SIGTERM', async () => {
    const cliDir = mkdtempSync(join(tmpdir(), 'kira-collector-cli-'));
    const child = spawn(process.execPath, [join(appDir, 'dist/cli.js'), '--port', '0', '--data-dir', cliDir, '--retention', '12h', '--max-body', '2mb'], {
      env: { ...process.env, KIRA_COLLECTOR_FAULT: 'status=503,rate=1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      let output = '';
      child.stderr.on('data', (chunk) => (output += chunk));
      const url = await new Promise<string>((resolve, reject) => {
        child.stdout.on('data', (chunk) => {
          output += chunk;
          const match = /listening on (http:\/\/\S+)[\s\S]*retention/.exec(output);
          if (match) resolve(match[1] as string);
        });
        child.once('exit', () => reject(new Error(`collector exited: ${output}`)));
      });
      expect(output).toMatch(/retention 0\.5d/);
      expect((await sendSpan(url, 'cli')).status).toBe(503);
      await expectCleanExitOnSigterm(child);
    } finally {
      stopAndRemove(child, cliDir);
    }
  }, 30_000);

  /** Runs the built CLI where it should refuse to start: its exit status and what it printed. */
  const refusedRun = (args: string[]): { status: number | undefined; stderr: string } => {
    try {
      execFileSync(process.execPath, [join(appDir, 'dist/cli.js'), ...args], { stdio: 'pipe', timeout: 20_000 });
      return { status: 0, stderr: '' };
    } catch (caught) {
      const error = caught as { status?: number; stderr?: Buffer };
      return { status: error.status, stderr: String(error.stderr) };
    }
  };

  it('refuses unknown flags with usage', () => {
    const refused = refusedRun(['--nope', '1']);
    expect(refused.status).toBe(2);
    expect(refused.stderr).toMatch(/unknown option --nope[\s\S]*Usage/);
  });

  it('refuses a --retention over 18250d (50 years) before opening the data folder, naming the maximum', () => {
    const cliDir = join(tmpdir(), `kira-collector-long-retention-${randomBytes(4).toString('hex')}`);
    try {
      const refused = refusedRun(['--port', '0', '--data-dir', cliDir, '--retention', '29200d']);
      expect(refused.status).toBe(2);
      expect(refused.stderr).toMatch(/^kira-collector: invalid retention \(--retention, option retentionDays\): a retention of 29200 days is too long: at most 18250 days \(50 years\)/);
      expect(existsSync(cliDir)).toBe(false);
    } finally {
      rmSync(cliDir, { recursive: true, force: true });
    }
  });

  it('refuses a non-loopback host without a token, naming the fix; --allow-unauthenticated starts with a warning', async () => {
    const refused = refusedRun(['--host', '0.0.0.0', '--port', '0']);
    expect(refused.status).toBe(2);
    expect(refused.stderr).toMatch(/refusing to listen on 0\.0\.0\.0 without a token[\s\S]*--token[\s\S]*--allow-unauthenticated/);

    const cliDir = mkdtempSync(join(tmpdir(), 'kira-collector-open-'));
    const child = spawn(process.execPath, [join(appDir, 'dist/cli.js'), '--host', '0.0.0.0', '--port', '0', '--data-dir', cliDir, '--allow-unauthenticated'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      let stderr = '';
      let stdout = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      await waitUntil(() => /listening on/.test(stdout), 20_000, 'the collector banner');
      expect(stderr).toMatch(/WARNING: listening on 0\.0\.0\.0 without a token/);
      await expectCleanExitOnSigterm(child);
    } finally {
      stopAndRemove(child, cliDir);
    }
  }, 30_000);
});
