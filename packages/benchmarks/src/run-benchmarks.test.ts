import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { runBenchmarks, SMOKE_CONFIG, type BenchRaw } from './run-benchmarks.ts';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const finitePositive = (value: number) => Number.isFinite(value) && value > 0;
// A figure the report prints with one decimal lies within half a step of its value: exactly 0.05
// from it when the value ends in 5 (29.75 prints as 29.8), which toBeCloseTo(value, 1) refuses.
const printedWithOneDecimal = (printed: number, value: number) => expect(Math.abs(printed - value)).toBeLessThanOrEqual(0.05 + 1e-9);

// One tiny round of every kind of measurement, then the root report script on its output: the
// harness cannot rot without this failing. Figures are not judged here, only their shape.
describe('bench harness smoke run', () => {
  const directory = mkdtempSync(path.join(tmpdir(), 'kira-bench-'));
  afterAll(() => rmSync(directory, { recursive: true, force: true }));
  let raw: BenchRaw;

  it('runs the Hono, in-process and memory benchmarks once', { timeout: 90_000 }, async () => {
    raw = await runBenchmarks(SMOKE_CONFIG);
    const { hono, micro, memory } = raw;
    if (hono === undefined || micro === undefined || memory === undefined) throw new Error('a benchmark kind is missing from the raw result');

    expect(hono.setups.map((setup) => setup.setup)).toEqual(['bare', 'bare-middleware', 'middleware-5us', 'kira', 'kira-unsampled', 'usual-hono-otel']);
    for (const setup of hono.setups) {
      expect(setup.rounds).toHaveLength(1);
      expect(setup.rounds[0]!.errors).toBe(0);
      expect(setup.rounds[0]!.non2xx).toBe(0);
      expect(finitePositive(setup.requestsPerSecond.median)).toBe(true);
      expect(finitePositive(setup.p99Ms.median)).toBe(true);
      expect(finitePositive(setup.cpuMicrosPerRequest.median)).toBe(true);
      expect(finitePositive(setup.ratio!.requestsPerSecond.median)).toBe(true);
      expect(Number.isFinite(setup.extraCpuMicrosPerRequest!.median)).toBe(true);
      expect(Number.isFinite(setup.extraCpuMicrosOverMiddleware!.median)).toBe(true);
      expect(finitePositive(setup.loadGeneratorCpuShare.median)).toBe(true);
      expect(typeof setup.loadGeneratorBound).toBe('boolean');
      // One round: it is its own median, so the rounds count agrees with the median's verdict.
      expect(setup.loadGeneratorBoundRounds).toBe(setup.loadGeneratorBound ? 1 : 0);
    }
    // Round by round, so bare's own difference to itself is exactly zero.
    expect(hono.setups[0]!.extraCpuMicrosPerRequest!.median).toBe(0);
    // The instrumented servers really exported spans to the sink; bare did not.
    // `kira` is started by `--import @kira/otel-core/register` from the environment alone, and
    // `usual-hono-otel` runs the real @hono/otel middleware.
    const exported = Object.fromEntries(hono.setups.map((setup) => [setup.setup, setup.exportedSpansPerRequest]));
    expect(exported.bare).toBe(0);
    expect(exported['bare-middleware']).toBe(0);
    expect(exported['middleware-5us']).toBe(0);
    expect(exported.kira).toBeGreaterThan(0);
    // The documented setup at sampling ratio 0 records nothing.
    expect(exported['kira-unsampled']).toBe(0);
    expect(exported['usual-hono-otel']).toBeGreaterThan(0);
    expect(typeof hono.bar.met).toBe('boolean');
    // Every server ran with V8's memory reducer off (the run fails otherwise), and the report says so.
    expect(hono.serverV8Flags).toContain('--no-memory-reducer');
    // The run's own reading aids, from the same round's figures: the known cost's scale
    // (middleware-5us over bare-middleware, per µs spun) and the sampled requests' share.
    const cpuOf = (name: string) => hono.setups.find((setup) => setup.setup === name)!.rounds[0]!.cpuMicrosPerRequest;
    expect(hono.knownWork!.micros).toBeGreaterThan(0);
    expect(hono.knownWork!.scale.median).toBeCloseTo((cpuOf('middleware-5us') - cpuOf('bare-middleware')) / hono.knownWork!.micros, 9);
    expect(hono.sampledRequestsCpuMicros!.median).toBeCloseTo(cpuOf('kira') - cpuOf('kira-unsampled'), 9);

    const names = micro.cases.map((result) => `${result.mode}:${result.name}`);
    expect(names).toEqual(expect.arrayContaining(['on:logger.info', 'off:logger.info', 'on:traceAITool', 'off:tracedFetch', 'on:tracedFetch-in-request', 'on:fetch-in-context', 'on:fetch-in-active-span', 'on:fetch-in-span-with-histogram', 'on:fetch-traced', 'on:fetch-untraced', 'on:hono+otelHono', 'on:otelHono-after-idle', 'on:otelHono-after-other-work', 'on:otelHono-over-loopback', 'on:hono-middleware-over-loopback', 'on:floorMiddleware-over-loopback']));
    for (const result of micro.cases) {
      expect(finitePositive(result.nanosecondsPerCall.median)).toBe(true);
      expect(finitePositive(result.ratio.median)).toBe(true);
      expect(Number.isFinite(result.addedNanoseconds.median)).toBe(true);
    }
    expect(micro.cases.find((result) => result.mode === 'off' && result.name === 'tracedFetch')?.noiseBand).toBeUndefined();

    expect(memory.servers.map((server) => server.name)).toEqual(['bare', 'kira', 'kira-target-down']);
    for (const server of memory.servers) {
      expect(server.samples).toHaveLength(2);
      expect(server.after.requests).toBe(SMOKE_CONFIG.memory.requests);
      expect(finitePositive(server.after.rssMiB)).toBe(true);
      expect(finitePositive(server.after.heapUsedMiB)).toBe(true);
    }
  });

  it('turns the raw results into report.md and report.json', async () => {
    mkdirSync(path.join(directory, 'raw'));
    writeFileSync(path.join(directory, 'raw', 'benchmarks.json'), JSON.stringify(raw));
    await promisify(execFile)(process.execPath, [path.join(root, 'scripts', 'bench-report.mjs'), '--dir', directory]);

    const report = JSON.parse(readFileSync(path.join(directory, 'report.json'), 'utf8'));
    expect(report.machine.cores).toBeGreaterThan(0);
    expect(report.machine.node).toBe(process.version);
    expect(report.machine.cpuIdle).toHaveProperty('driver');
    expect(report.versions.hono).toMatch(/^\d+\.\d+\.\d+/);
    expect(report.versions['@opentelemetry/sdk-node']).toMatch(/^\d+\.\d+\.\d+/);
    const ids = report.figures.map((figure: { id: string }) => figure.id);
    expect(ids).toEqual(expect.arrayContaining(['hono.kira.requestsPerSecond', 'hono.kira.p99', 'hono.kira.cpuPerRequest', 'micro.on.traceAITool', 'micro.on.otelHono-after-idle', 'memory.kira-target-down.rssAfter']));
    for (const figure of report.figures) {
      expect(Number.isFinite(figure.median)).toBe(true);
      expect(figure.min).toBeLessThanOrEqual(figure.median);
      expect(figure.max).toBeGreaterThanOrEqual(figure.median);
    }
    const kiraRate = report.figures.find((figure: { id: string }) => figure.id === 'hono.kira.requestsPerSecond');
    expect(finitePositive(kiraRate.ratio.median)).toBe(true);

    const markdown = readFileSync(path.join(directory, 'report.md'), 'utf8');
    expect(markdown).toContain('## Hono under load');
    expect(markdown).toContain('V8 flags for every server: `--no-memory-reducer`');
    expect(markdown).toContain('## In-process');
    expect(markdown).toContain('## Memory');
    // The same middleware pair back to back, after an idle CPU, after other work and over loopback sockets, side by side.
    expect(markdown).toMatch(/otelHono over the empty middleware: -?\d+\.\d µs per request back to back, -?\d+\.\d µs when each request starts on a CPU just back from idle.*, -?\d+\.\d µs when other user-space work \(no I\/O, no idle\) runs before each request.*, -?\d+\.\d µs when each request comes over a loopback socket from the same thread/);
    // Over the same loopback, the API's floor beside it: what any middleware doing that pays there.
    expect(markdown).toMatch(/over the same loopback, the least a middleware does that makes a SERVER span active and records a histogram through the OpenTelemetry API \(`floorMiddleware-over-loopback`, the middleware of `kira-floor`\): -?\d+\.\d µs/);
    // tracedFetch set beside the floor of any wrapper that makes its span active around fetch, and
    // beside the least that also records the histogram; its own work is counted from the latter.
    const tracedLine = /tracedFetch over fetch: (-?\d+\.\d) µs per call; a bare span made active around fetch \(`fetch-in-active-span`.*\): -?\d+\.\d µs, of which (-?\d+\.\d) µs is entering and leaving a context around fetch with no span in it \(`fetch-in-context`.*\); that span plus tracedFetch's duration histogram \(`fetch-in-span-with-histogram`.*\): (-?\d+\.\d) µs; so tracedFetch's own work adds (-?\d+\.\d) µs on top/.exec(markdown);
    expect(tracedLine).not.toBeNull();
    const [, tracedMicros, contextMicros, leastMicros, ownMicros] = tracedLine!.map(Number);
    expect(ownMicros).toBeCloseTo(tracedMicros! - leastMicros!, 0);
    // The context switch alone comes from its own pair, not from the span's.
    const contextPair = raw.micro!.cases.find((result) => result.mode === 'on' && result.name === 'fetch-in-context')!;
    printedWithOneDecimal(contextMicros!, contextPair.addedNanoseconds.median / 1000);
    // What the undici instrumentation adds to a plain fetch, from the round figures of the pair.
    const undiciLine = /otel-core's undici instrumentation on a plain fetch: (-?\d+\.\d) µs per call/.exec(markdown);
    expect(undiciLine).not.toBeNull();
    const undiciPair = raw.micro!.cases.find((result) => result.mode === 'on' && result.name === 'fetch-traced')!;
    printedWithOneDecimal(Number(undiciLine![1]), undiciPair.addedNanoseconds.median / 1000);
    expect(markdown).toMatch(/\*\*Bar\*\*.*→ \*\*(MET|NOT MET)\*\*/);
    // Whether bare set its own pace, said in any case.
    expect(markdown).toMatch(/bare Hono was (\*\*)?(not )?load-generator-bound/);
    expect(markdown).toMatch(/The \d+ % sampled requests add -?\d+\.\d \(-?\d+\.\d–-?\d+\.\d\) µs per request to `kira`/);
    expect(markdown).toMatch(/`middleware-5us` \(the empty middleware spinning \d+ µs per request, a cost known in advance\): -?\d+\.\d µs over bare-middleware, so this harness on this machine shows a known cost ×-?\d+\.\d\d/);
  });

  it('says in how many rounds bare was load-generator-bound when its median was not', async () => {
    // The smoke run has one round, and no machine puts bare at the line on cue: the same raw
    // result, with bare at autocannon's limit in 2 of 3 rounds but not at the median.
    const edited = structuredClone(raw);
    const bare = edited.hono!.setups.find((setup) => setup.setup === 'bare')!;
    bare.rounds = [bare.rounds[0]!, bare.rounds[0]!, bare.rounds[0]!];
    bare.loadGeneratorBound = false;
    bare.loadGeneratorBoundRounds = 2;
    const editedDirectory = path.join(directory, 'bound-rounds');
    mkdirSync(path.join(editedDirectory, 'raw'), { recursive: true });
    writeFileSync(path.join(editedDirectory, 'raw', 'benchmarks.json'), JSON.stringify(edited));
    await promisify(execFile)(process.execPath, [path.join(root, 'scripts', 'bench-report.mjs'), '--dir', editedDirectory]);

    const markdown = readFileSync(path.join(editedDirectory, 'report.md'), 'utf8');
    expect(markdown).toMatch(/^\| bare \|.*\| \d+ % \(LG-bound in 2 of 3 rounds\) \|/m);
    expect(markdown).toMatch(/bare Hono was not load-generator-bound \(autocannon at \d+ % of a core\), but was in 2 of 3 rounds: in those its req\/s and saturated p99 are autocannon's pace/);
  });
});
