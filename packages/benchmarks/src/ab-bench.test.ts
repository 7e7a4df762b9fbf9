import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { runABBench } from './ab-bench.ts';
import { AB_PACKAGES, buildDirectory, buildInfo, buildPackages } from './ab-builds.ts';

// The A/B tool on the packages' real source and the real micro worker: it must find a difference
// that is known to be there, and none between two instances of one build. Directory names of its
// own, so a developer's saved builds survive the smoke run.
describe('A/B of saved builds against the current source', () => {
  const saved = `.ab-saved-test-${process.pid}`;
  const fromRef = `.ab-ref-test-${process.pid}`;
  const current = `.ab-current-test-${process.pid}`;
  afterAll(() => {
    for (const pkg of AB_PACKAGES) for (const name of [saved, fromRef, current]) rmSync(buildDirectory(pkg, name), { recursive: true, force: true });
  });

  it('builds each package from source, with the @kira packages it uses inside it', async () => {
    const built = await buildPackages(AB_PACKAGES, saved);
    expect(built.map((info) => info.package)).toEqual([...AB_PACKAGES]);
    for (const info of built) {
      const code = readFileSync(`${buildDirectory(info.package, saved)}/index.js`, 'utf8');
      expect(code).not.toMatch(/from ["']@kira\//);
      expect(code).toMatch(/from ["']@opentelemetry\/api["']/);
      expect(info).toMatchObject({ source: 'work tree', commit: expect.stringMatching(/^[0-9a-f]{40}$/) as string });
      expect(buildInfo(info.package, saved)).toEqual(info);
    }
  });

  it('builds the source of a commit, the same as the work tree when that has no changes', async () => {
    const [workTree] = await buildPackages(['metrics'], current);
    const [atHead] = await buildPackages(['metrics'], fromRef, 'HEAD');
    expect(atHead).toMatchObject({ source: 'HEAD', commit: workTree!.commit, uncommittedChanges: false });
    if (!workTree!.uncommittedChanges) {
      expect(readFileSync(`${buildDirectory('metrics', fromRef)}/index.js`, 'utf8')).toBe(readFileSync(`${buildDirectory('metrics', current)}/index.js`, 'utf8'));
    }
    await expect(buildPackages(['metrics'], fromRef, 'no-such-ref')).rejects.toThrow('"no-such-ref" names no commit of this repository');
  });

  it('finds 20 µs per call that only the saved build spends, outside the same build\'s own spread', { timeout: 90_000 }, async () => {
    // The saved otel-hono: its own build, the middleware spinning 20 µs before each request.
    const directory = buildDirectory('otel-hono', saved);
    renameSync(`${directory}/index.js`, `${directory}/built.js`);
    writeFileSync(
      `${directory}/index.js`,
      [
        "import { otelHono as builtOtelHono } from './built.js';",
        "export * from './built.js';",
        'export function otelHono(options) {',
        '  const middleware = builtOtelHono(options);',
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
    const result = await runABBench({
      rounds: 3,
      measurementMs: 100,
      sampleRatio: 0.1,
      cases: ['otelHono', 'otelHono-over-loopback'],
      savedDirectoryName: saved,
      currentDirectoryName: current,
    });
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
    const options = { rounds: 1, measurementMs: 10, sampleRatio: 0.1, currentDirectoryName: current };
    await expect(runABBench({ ...options, cases: ['fetch'], savedDirectoryName: saved })).rejects.toThrow(/unknown A\/B case "fetch"/);
    await expect(runABBench({ ...options, cases: ['tracedFetch'], savedDirectoryName: `${saved}-none` })).rejects.toThrow(
      /no saved build of external-tracing: run `pnpm --filter @kira\/benchmarks ab save`/,
    );
  });
});
