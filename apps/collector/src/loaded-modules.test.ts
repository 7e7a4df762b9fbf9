import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { startChild, stopAllChildren } from '@kira/test-utils';
import { afterAll, describe, expect, it } from 'vitest';

const appDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const workDir = mkdtempSync(join(tmpdir(), 'kira-collector-modules-'));

afterAll(async () => {
  await stopAllChildren();
  rmSync(workDir, { recursive: true, force: true });
});

/** What a collector must never load: it would put a browser driver or a second SDK into the process. */
const FORBIDDEN = {
  'playwright-core': /\/playwright-core\//,
  'an OpenTelemetry SDK package': /\/@opentelemetry[/+]sdk-/,
  '@kira/test-utils': /\/test-utils\/(dist|src)\//,
};

/**
 * Starts the real CLI entry (the package's bin, as `pnpm collector` and the demo start it) on port
 * 0, runs each receiving path once so modules loaded on first use count too, stops it with SIGTERM
 * and returns every module file the process resolved.
 */
async function modulesLoadedByCollector(name: string, preload: string[] = []): Promise<string[]> {
  const modulesFile = join(workDir, `${name}.json`);
  const recorder = pathToFileURL(join(appDir, 'test', 'record-loaded-modules.mjs')).href;
  const imports = [recorder, ...preload].flatMap((url) => ['--import', url]);
  const collector = startChild(name, process.execPath, [...imports, join(appDir, 'dist', 'cli.js'), '--port', '0', '--data-dir', join(workDir, name)], {
    env: { ...process.env, KIRA_LOADED_MODULES_FILE: modulesFile },
  });
  const [, url] = (await collector.waitForLine(/listening on (http:\/\/\S+)/, 60_000)) as unknown as [string, string];

  const now = `${Date.now()}000000`;
  const span = { traceId: 'ab'.repeat(16), spanId: 'cd'.repeat(8), name: 'module check', startTimeUnixNano: now, endTimeUnixNano: now };
  const traces = await fetch(`${url}/v1/traces`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: [span] }] }] }),
  });
  expect(traces.status).toBe(200);
  const eventId = 'ef'.repeat(16);
  const envelope = [{ event_id: eventId }, { type: 'event' }, { event_id: eventId, message: 'module check' }].map((line) => JSON.stringify(line)).join('\n');
  expect((await fetch(`${url}/api/1/envelope/`, { method: 'POST', body: envelope })).status).toBe(200);
  expect((await fetch(`${url}/`)).status).toBe(200);

  const { code } = await collector.stop();
  expect(code, collector.stderr()).toBe(0);
  return (JSON.parse(readFileSync(modulesFile, 'utf8')) as string[]).map((module) => module.replaceAll('\\', '/'));
}

function forbiddenIn(modules: string[]): Record<string, string[]> {
  return Object.fromEntries(Object.entries(FORBIDDEN).map(([what, pattern]) => [what, modules.filter((module) => pattern.test(module))]));
}

describe('the collector process', () => {
  it('has no test harness among its runtime dependencies', () => {
    const manifest = JSON.parse(readFileSync(join(appDir, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    expect(Object.keys(manifest.dependencies)).toContain('@kira/telemetry-wire');
    expect(Object.keys(manifest.dependencies)).not.toContain('@kira/test-utils');
  });

  it('loads neither playwright-core, nor an OpenTelemetry SDK package, nor the test harnesses', async () => {
    const modules = await modulesLoadedByCollector('plain');
    // The recording is real: it holds what the collector is known to load.
    expect(modules.filter((module) => module.endsWith('/apps/collector/dist/cli.js'))).toHaveLength(1);
    expect(modules.some((module) => module.includes('/node_modules/chdb/'))).toBe(true);
    expect(modules.some((module) => module.includes('/telemetry-wire/dist/'))).toBe(true);
    expect(modules.some((module) => /\/dashboards\/dist\/schema\./.test(module))).toBe(true);

    expect(forbiddenIn(modules)).toEqual({ 'playwright-core': [], 'an OpenTelemetry SDK package': [], '@kira/test-utils': [] });
  });

  it('would see them if something loaded them (the test harness preloaded)', async () => {
    const modules = await modulesLoadedByCollector('with-test-utils', [import.meta.resolve('@kira/test-utils')]);
    for (const [what, found] of Object.entries(forbiddenIn(modules))) expect(found.length, what).toBeGreaterThan(0);
  });
});
