import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { runABBench } from './ab-bench.ts';
import { AB_PACKAGES, currentBuildFile, savedBuildDirectory, savedBuildInfo, saveBuilds } from './ab-builds.ts';

// The A/B tool on the real builds and the real micro worker: it must find a difference that is
// known to be there, and none between two copies of one build. A directory name of its own, so a
// developer's saved builds survive the smoke run.
describe('A/B of saved builds against the current ones', () => {
  const directoryName = `.ab-saved-test-${process.pid}`;
  afterAll(() => {
    for (const pkg of AB_PACKAGES) rmSync(savedBuildDirectory(pkg, directoryName), { recursive: true, force: true });
  });

  it('saves each package\'s current build with where it came from', () => {
    const saved = saveBuilds(AB_PACKAGES, directoryName);
    expect(saved.map((info) => info.package)).toEqual([...AB_PACKAGES]);
    for (const info of saved) {
      expect(readFileSync(`${savedBuildDirectory(info.package, directoryName)}/index.js`)).toEqual(readFileSync(currentBuildFile(info.package)));
      expect(info.gitHead).toMatch(/^[0-9a-f]{40}$/);
      expect(savedBuildInfo(info.package, directoryName)).toEqual(info);
    }
  });

  it('finds 20 µs per call that only the saved build spends, outside the same build\'s own spread', { timeout: 90_000 }, async () => {
    // The "saved" otel-hono: the current build, its middleware spinning 20 µs before each request.
    const current = pathToFileURL(currentBuildFile('otel-hono')).href;
    writeFileSync(
      `${savedBuildDirectory('otel-hono', directoryName)}/index.js`,
      [
        `import { otelHono as currentOtelHono } from '${current}';`,
        `export * from '${current}';`,
        'export function otelHono(options) {',
        '  const middleware = currentOtelHono(options);',
        '  return (c, next) => {',
        '    const end = performance.now() + 0.02;',
        '    while (performance.now() < end);',
        '    return middleware(c, next);',
        '  };',
        '}',
        '',
      ].join('\n'),
    );
    // In-process, and over loopback to a server per instance (each side must reach its own build).
    const result = await runABBench({ rounds: 3, measurementMs: 100, sampleRatio: 0.1, cases: ['otelHono', 'otelHono-over-loopback'], directoryName });
    expect(result.cases.map((row) => `${row.mode}:${row.name}`)).toEqual(['on:otelHono', 'off:otelHono', 'on:otelHono-over-loopback', 'off:otelHono-over-loopback']);
    for (const row of result.cases) {
      expect(row.changeNanoseconds.samples).toHaveLength(3);
      expect(row.changeNanoseconds.median).toBeLessThan(-10_000);
      expect(row.outsideSameBuildRange).toBe(true);
      // The saved build's two instances run the same code: far less apart than the spin.
      expect(Math.abs(row.sameBuildNanoseconds.median)).toBeLessThan(5_000);
    }
  });

  it('refuses an unknown case, and a case whose package has no saved build', async () => {
    await expect(runABBench({ rounds: 1, measurementMs: 10, sampleRatio: 0.1, cases: ['fetch'], directoryName })).rejects.toThrow(/unknown A\/B case "fetch"/);
    await expect(runABBench({ rounds: 1, measurementMs: 10, sampleRatio: 0.1, cases: ['tracedFetch'], directoryName: `${directoryName}-none` })).rejects.toThrow(
      /no saved build of external-tracing: run `pnpm --filter @kira\/benchmarks ab save`/,
    );
  });
});
