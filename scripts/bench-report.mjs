#!/usr/bin/env node
// Second half of `pnpm bench`: after turbo has run every package's `bench` script (each writes
// bench-results/raw/<name>.json), this writes ONE report, bench-results/report.md + report.json,
// with the machine, the versions of the key packages and every figure as median and min–max over
// interleaved rounds, next to its ratio to the baseline measured in the same run.
// Usage: node scripts/bench-report.mjs [--dir bench-results]
//
// Contract for a package's raw file (bench-results/raw/<package-dir>.json): `@kira/benchmarks`
// writes its own detailed shape (hono / micro / memory); any other package writes
// `{ "package": "@kira/x", "figures": [{ "id", "unit", "median", "min", "max", "baseline"?,
// "ratio"?: { "median", "min", "max" } }] }` and gets a table of its own.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dirFlag = process.argv.indexOf('--dir');
const directory = path.resolve(dirFlag > 0 ? process.argv[dirFlag + 1] : process.env.BENCH_OUTPUT_DIR ?? path.join(root, 'bench-results'));
const rawDirectory = path.join(directory, 'raw');

if (!existsSync(rawDirectory)) {
  console.error(`bench-report: ${rawDirectory} does not exist; run the packages' bench scripts first (pnpm bench)`);
  process.exit(1);
}
const raws = readdirSync(rawDirectory)
  .filter((name) => name.endsWith('.json'))
  .sort()
  .map((name) => JSON.parse(readFileSync(path.join(rawDirectory, name), 'utf8')));
if (raws.length === 0) {
  console.error(`bench-report: no raw results in ${rawDirectory}`);
  process.exit(1);
}

const cpus = os.cpus();
const machine = {
  cpuModel: cpus[0]?.model ?? 'unknown',
  cores: cpus.length,
  memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
  platform: `${os.platform()} ${os.release()} ${os.arch()}`,
  node: process.version,
  loadAverageAtReport: os.loadavg().map((value) => Math.round(value * 100) / 100),
  cpuIdle: readCpuIdle(),
};

/**
 * How an idle CPU waits (Linux only): the cpuidle driver and, for the guest `haltpoll` driver, how
 * long an idle vCPU polls before it halts. A halted vCPU comes back with cold caches on a busy
 * host, which multiplies what every request's code costs (see packages/benchmarks/README.md).
 */
function readCpuIdle() {
  const read = (file) => {
    try {
      return readFileSync(file, 'utf8').trim();
    } catch {
      return undefined;
    }
  };
  const driver = read('/sys/devices/system/cpu/cpuidle/current_driver');
  const haltPollNs = read('/sys/module/haltpoll/parameters/guest_halt_poll_ns');
  return { driver: driver ?? null, guestHaltPollNs: haltPollNs === undefined ? null : Number(haltPollNs) };
}

// Resolved the way the benchmark children resolve them (from packages/benchmarks).
const KEY_PACKAGES = [
  'hono',
  '@hono/node-server',
  'autocannon',
  '@opentelemetry/api',
  '@opentelemetry/sdk-node',
  '@opentelemetry/sdk-trace',
  '@opentelemetry/sdk-metrics',
  '@opentelemetry/instrumentation-http',
  '@opentelemetry/instrumentation-undici',
  '@opentelemetry/exporter-trace-otlp-proto',
  '@kira/otel-core',
  '@kira/otel-hono',
  '@kira/metrics',
  '@kira/external-tracing',
  '@kira/sentry',
];
const versions = {};
for (const name of KEY_PACKAGES) {
  const manifest = path.join(root, 'packages', 'benchmarks', 'node_modules', name, 'package.json');
  versions[name] = existsSync(manifest) ? JSON.parse(readFileSync(manifest, 'utf8')).version : 'not installed';
}

const figures = [];
const lines = [];
const fmt = (value, digits = 2) => (Number.isFinite(value) ? value.toFixed(digits) : 'n/a');
const range = (summary, digits = 2) => `${fmt(summary.median, digits)} (${fmt(summary.min, digits)}–${fmt(summary.max, digits)})`;
const pick = (summary) => ({ median: summary.median, min: summary.min, max: summary.max });

lines.push('# Benchmark report', '');
lines.push(`Generated ${new Date().toISOString()} by \`pnpm bench\`. Every figure is the median and (min–max) over interleaved rounds; ratios are computed round by round against the baseline measured in the same run.`, '');
lines.push('## Machine', '');
lines.push(`- CPU: ${machine.cpuModel}, ${machine.cores} cores; memory ${machine.memoryGiB} GiB; ${machine.platform}`);
lines.push(`- Node ${machine.node}; load average when the report was written: ${machine.loadAverageAtReport.join(', ')}`);
if (machine.cpuIdle.driver !== null) {
  const polling = machine.cpuIdle.guestHaltPollNs === null ? '' : machine.cpuIdle.guestHaltPollNs === 0 ? ', guest halt polling 0 ns (an idle vCPU halts at once)' : `, guest halt polling up to ${machine.cpuIdle.guestHaltPollNs} ns`;
  lines.push(`- CPU idle: driver ${machine.cpuIdle.driver}${polling}`);
}
lines.push('', '| package | version |', '|---|---|');
for (const [name, version] of Object.entries(versions)) lines.push(`| ${name} | ${version} |`);
lines.push('');

for (const raw of raws) {
  if (raw.hono) {
    const { hono } = raw;
    const o = hono.options;
    lines.push('## Hono under load', '');
    // Older raw results have no serverV8Flags: their servers ran without extra flags.
    const serverFlags = hono.serverV8Flags?.length ? ` (V8 flags for every server: ${hono.serverV8Flags.map((flag) => `\`${flag}\``).join(' ')}: V8's memory reducer, which runs in some idle servers and not in others, would leave those at a higher level of CPU per request)` : '';
    lines.push(`${o.setups.length} servers, each in its own process${serverFlags}; autocannon in the parent, ${o.connections} connections, ${o.rounds} interleaved rounds of ${o.durationSeconds} s (neighbours in the measurement order compared back to back: \`bare-again\`, \`bare\`, \`bare-middleware\`, \`kira\`, \`kira-unsampled\`, …) after a ${o.warmupSeconds} s warm-up each; sampling ${raw.config.sampleRatio * 100} %, OTLP/protobuf to a local sink that answers at once and decodes between measurements. Baseline: \`bare\`.`, '');
    lines.push('Main figure: **extra CPU µs per request over `bare`**, computed round by round (server process CPU ÷ requests served; CPU time is what a busy shared machine distorts least). "over middleware" is the same against `bare-middleware` (one empty async middleware). "LG CPU" is the load generator\'s CPU share of one core during the measurement; ≥ 85 % means autocannon, not the server, set the pace (marked LG-bound).', '');
    lines.push('| setup | extra CPU µs/req over bare | over middleware | CPU µs/req | p99 ratio | p99 ms | req/s | req/s ratio | LG CPU | spans exported/req | RSS MiB |');
    lines.push('|---|---|---|---|---|---|---|---|---|---|---|');
    for (const setup of hono.setups) {
      const ratio = setup.ratio;
      // Older raw results have no loadGeneratorBoundRounds: only the median's verdict.
      const boundRounds = setup.loadGeneratorBoundRounds ?? 0;
      const lgBound = setup.loadGeneratorBound ? ' (LG-bound)' : boundRounds > 0 ? ` (LG-bound in ${boundRounds} of ${setup.rounds.length} rounds)` : '';
      const lgShare = setup.loadGeneratorCpuShare ? `${fmt(setup.loadGeneratorCpuShare.median * 100, 0)} %${lgBound}` : '';
      lines.push(
        `| ${setup.setup} | ${setup.extraCpuMicrosPerRequest ? `**${range(setup.extraCpuMicrosPerRequest, 1)}**` : ''} | ${setup.extraCpuMicrosOverMiddleware ? range(setup.extraCpuMicrosOverMiddleware, 1) : ''} | ${range(setup.cpuMicrosPerRequest, 1)} | ${ratio ? range(ratio.p99) : ''} | ${range(setup.p99Ms)} | ${range(setup.requestsPerSecond, 0)} | ${ratio ? range(ratio.requestsPerSecond) : ''} | ${lgShare} | ${fmt(setup.exportedSpansPerRequest, 3)} | ${fmt(setup.rssMiB, 0)} |`,
      );
      figures.push({ id: `hono.${setup.setup}.requestsPerSecond`, unit: 'req/s', baseline: 'hono.bare.requestsPerSecond', ...pick(setup.requestsPerSecond), ratio: ratio ? pick(ratio.requestsPerSecond) : null });
      figures.push({ id: `hono.${setup.setup}.p99`, unit: 'ms', baseline: 'hono.bare.p99', ...pick(setup.p99Ms), ratio: ratio ? pick(ratio.p99) : null });
      figures.push({ id: `hono.${setup.setup}.cpuPerRequest`, unit: 'µs', baseline: 'hono.bare.cpuPerRequest', ...pick(setup.cpuMicrosPerRequest), ratio: ratio ? pick(ratio.cpuMicrosPerRequest) : null });
      if (setup.extraCpuMicrosPerRequest) figures.push({ id: `hono.${setup.setup}.extraCpuPerRequest`, unit: 'CPU µs/req over bare', baseline: 'hono.bare.cpuPerRequest', ...pick(setup.extraCpuMicrosPerRequest) });
      if (setup.extraCpuMicrosOverMiddleware) figures.push({ id: `hono.${setup.setup}.extraCpuOverMiddleware`, unit: 'CPU µs/req over bare-middleware', baseline: 'hono.bare-middleware.cpuPerRequest', ...pick(setup.extraCpuMicrosOverMiddleware) });
    }
    if (hono.setups.some((setup) => setup.fixedRate)) {
      lines.push('', `**Latency at a fixed pace** (${hono.options.fixedRate} req/s released evenly on a 1 ms clock for every setup, ${hono.options.fixedRateSeconds} s per measurement, same interleaving): no server is saturated, so p99 shows the latency a setup adds, where the saturated p99 above mostly tracks CPU per request. \`bare-again\` is the A/A row.`, '');
      lines.push('| setup | p99 ms | p99 ratio to bare | req/s |', '|---|---|---|---|');
      for (const setup of hono.setups) {
        if (!setup.fixedRate) continue;
        lines.push(`| ${setup.setup} | ${range(setup.fixedRate.p99Ms, 3)} | ${setup.fixedRate.p99Ratio ? range(setup.fixedRate.p99Ratio) : ''} | ${range(setup.fixedRate.requestsPerSecond, 0)} |`);
        figures.push({ id: `hono.${setup.setup}.fixedRateP99`, unit: 'ms', baseline: 'hono.bare.fixedRateP99', ...pick(setup.fixedRate.p99Ms), ratio: setup.fixedRate.p99Ratio ? pick(setup.fixedRate.p99Ratio) : null });
      }
    }
    const bySetup = Object.fromEntries(hono.setups.map((setup) => [setup.setup, setup]));
    const bareSetup = bySetup.bare;
    if (bareSetup?.loadGeneratorCpuShare) {
      lines.push('', bareSetup.loadGeneratorBound
        ? `**bare Hono was load-generator-bound** (autocannon at ${fmt(bareSetup.loadGeneratorCpuShare.median * 100, 0)} % of a core): its req/s is the load generator's ceiling, so req/s ratios understate every setup's cost; read the CPU figures.`
        : `bare Hono was not load-generator-bound (autocannon at ${fmt(bareSetup.loadGeneratorCpuShare.median * 100, 0)} % of a core)${
            bareSetup.loadGeneratorBoundRounds > 0
              ? `, but was in ${bareSetup.loadGeneratorBoundRounds} of ${bareSetup.rounds.length} rounds: in those its req/s and saturated p99 are autocannon's pace, so the saturated p99 ratios to bare overstate every other setup's latency there.`
              : '.'
          }`);
    }
    const kira = bySetup.kira;
    if (kira?.ratio && hono.bar.extraCpuMicrosOverMiddleware !== undefined) {
      const verdict = hono.bar.met ? 'MET' : 'NOT MET';
      const cpu = kira.extraCpuMicrosOverMiddleware
        ? `${fmt(kira.extraCpuMicrosOverMiddleware.median, 1)} µs over bare-middleware (target ≤ ${hono.bar.extraCpuMicrosOverMiddleware})`
        : `${fmt(kira.extraCpuMicrosPerRequest?.median, 1)} µs over bare (target ≤ ${hono.bar.extraCpuMicrosOverBare})`;
      const paced = kira.fixedRate?.p99Ratio ? `; at the fixed pace, p99 ratio ${fmt(kira.fixedRate.p99Ratio.median)}` : '';
      lines.push('', `**Bar** (documented \`kira\` setup, medians of the rounds): extra CPU ${cpu}, p99 ratio ${fmt(kira.ratio.p99.median)} at saturation (target ≤ ${hono.bar.p99Ratio})${paced} → **${verdict}** (the verdict uses the saturated p99).`);
    } else if (kira?.ratio) {
      lines.push('', `**Bar** (older raw file): req/s ratio ${fmt(kira.ratio.requestsPerSecond.median)}, p99 ratio ${fmt(kira.ratio.p99.median)} → **${hono.bar.met ? 'MET' : 'NOT MET'}**.`);
    }
    // Since the inbound hand-off the documented setup *is* otel-core's defaults (no flag). The
    // target reads "≤ 20 µs over bare, or the flag is no longer needed": both clauses are shown.
    if (kira?.extraCpuMicrosPerRequest) {
      lines.push('', `otel-core defaults + \`otelHono()\` (= \`kira\`): the \`KIRA_HTTP_INBOUND\` flag is no longer needed for a Hono service, the target's second clause; on the number alone, ${fmt(kira.extraCpuMicrosPerRequest.median, 1)} µs over bare (≤ 20) → **${kira.extraCpuMicrosPerRequest.median <= 20 ? 'MET' : 'NOT MET'}**.`);
    }
    const inboundOn = bySetup['kira-inbound-on'];
    if (inboundOn?.extraCpuMicrosPerRequest) {
      lines.push('', `\`kira-inbound-on\` (\`KIRA_HTTP_INBOUND=on\`: the http instrumentation keeps the SERVER span): ${fmt(inboundOn.extraCpuMicrosPerRequest.median, 1)} µs over bare.`);
    }
    const off = bySetup['kira-off'];
    const again = bySetup['bare-again'];
    if (off?.extraCpuMicrosOverMiddleware && again?.extraCpuMicrosPerRequest) {
      lines.push('', `\`kira-off\` (otelHono, no SDK): ${fmt(off.extraCpuMicrosOverMiddleware.median, 1)} µs over bare-middleware; A/A band (bare-again − bare) ${fmt(again.extraCpuMicrosPerRequest.min, 1)} to ${fmt(again.extraCpuMicrosPerRequest.max, 1)} µs.`);
    }
    // What the run says about its own figures: the sampled requests' share of `kira`, and how the
    // harness scales a cost known in advance (packages/benchmarks/README.md explains both).
    const unsampled = bySetup['kira-unsampled'];
    const sampled = hono.sampledRequestsCpuMicros;
    if (unsampled?.extraCpuMicrosOverMiddleware && sampled) {
      const ratio = raw.config.sampleRatio;
      const perSampled = ratio > 0 ? `, about ${fmt(sampled.median / ratio, 0)} µs per sampled request` : '';
      lines.push('', `\`kira-unsampled\` (\`kira\` at sampling ratio 0: ids, context and histogram, no span recorded): ${fmt(unsampled.extraCpuMicrosOverMiddleware.median, 1)} µs over bare-middleware. The ${ratio * 100} % sampled requests add ${range(sampled, 1)} µs per request to \`kira\` (kira − kira-unsampled, round by round)${perSampled}.`);
      figures.push({ id: 'hono.kira.sampledRequestsCpu', unit: 'CPU µs/req over kira-unsampled', baseline: 'hono.kira-unsampled.cpuPerRequest', ...pick(sampled) });
    }
    const knownWork = bySetup['middleware-5us'];
    if (knownWork?.extraCpuMicrosOverMiddleware && hono.knownWork) {
      lines.push('', `\`middleware-5us\` (the empty middleware spinning ${hono.knownWork.micros} µs per request, a cost known in advance): ${fmt(knownWork.extraCpuMicrosOverMiddleware.median, 1)} µs over bare-middleware, so this harness on this machine shows a known cost ×${range(hono.knownWork.scale)} (1 would be exact).`);
      figures.push({ id: 'hono.knownWorkScale', unit: 'shown ÷ spent', baseline: 'hono.bare-middleware.cpuPerRequest', ...pick(hono.knownWork.scale) });
    }
    lines.push('');
  }
  if (raw.micro) {
    lines.push('## In-process', '');
    lines.push(`Workers with telemetry \`on\` (otel-core exporting to the sink, ${raw.config.sampleRatio * 100} % sampling) and \`off\` (not started: the development path). Each case is measured baseline, case, case, baseline in every round; ${raw.micro.options.rounds} rounds of ${raw.micro.options.batchMs} ms batches${raw.micro.options.interleavedBatchMs ? ` (the fetch cases and the otelHono pairs alternate with their baseline call by call in batches of ${raw.micro.options.interleavedBatchMs} ms, and each side's figure is the median CPU time of its calls, interpolated within the whole µs that \`process.cpuUsage\` counts in)` : ''}. Figures are CPU time of the worker process per call (wall time, inflated by other processes on a shared machine, is in report.json). "added" = case − baseline per round. The \`-again\` rows repeat the baseline: their ratio is the noise band.`, '');
    lines.push('| telemetry | case | CPU ns/call | baseline | added CPU ns/call | ratio | noise band | within noise |');
    lines.push('|---|---|---|---|---|---|---|---|');
    for (const result of raw.micro.cases) {
      const band = result.noiseBand ? `${fmt(result.noiseBand.min)}–${fmt(result.noiseBand.max)}` : '';
      const within = result.withinNoise === undefined ? '' : result.withinNoise ? 'yes' : 'no';
      lines.push(`| ${result.mode} | ${result.name} | ${range(result.nanosecondsPerCall, 0)} | ${result.baseline} | ${range(result.addedNanoseconds, 0)} | ${range(result.ratio)} | ${band} | ${within} |`);
      figures.push({ id: `micro.${result.mode}.${result.name}`, unit: 'CPU ns/call', baseline: `micro.${result.mode}.${result.baseline}`, ...pick(result.nanosecondsPerCall), wall: result.wallNanosecondsPerCall ? pick(result.wallNanosecondsPerCall) : null, added: pick(result.addedNanoseconds), ratio: pick(result.ratio), noiseBand: result.noiseBand ?? null, withinNoise: result.withinNoise ?? null });
    }
    const onCase = (name) => raw.micro.cases.find((result) => result.mode === 'on' && result.name === name);
    const backToBack = onCase('otelHono-back-to-back');
    const afterIdle = onCase('otelHono-after-idle');
    const afterOtherWork = onCase('otelHono-after-other-work');
    const overLoopback = onCase('otelHono-over-loopback');
    const floorOverLoopback = onCase('floorMiddleware-over-loopback');
    const timesBackToBack = (result) => {
      const factor = result.addedNanoseconds.median / backToBack.addedNanoseconds.median;
      return Number.isFinite(factor) && factor > 0 ? ` (${fmt(factor, 1)}×)` : '';
    };
    if (backToBack && afterIdle) {
      lines.push(
        '',
        `otelHono over the empty middleware: ${fmt(backToBack.addedNanoseconds.median / 1000, 1)} µs per request back to back, ${fmt(afterIdle.addedNanoseconds.median / 1000, 1)} µs when each request starts on a CPU just back from idle${timesBackToBack(afterIdle)}${afterOtherWork ? `, ${fmt(afterOtherWork.addedNanoseconds.median / 1000, 1)} µs when other user-space work (no I/O, no idle) runs before each request${timesBackToBack(afterOtherWork)}` : ''}${overLoopback ? `, ${fmt(overLoopback.addedNanoseconds.median / 1000, 1)} µs when each request comes over a loopback socket from the same thread${timesBackToBack(overLoopback)}` : ''}${floorOverLoopback ? `; over the same loopback, the least a middleware does that makes a SERVER span active and records a histogram through the OpenTelemetry API (\`floorMiddleware-over-loopback\`, the middleware of \`kira-floor\`): ${fmt(floorOverLoopback.addedNanoseconds.median / 1000, 1)} µs` : ''}. A server's CPU goes idle between bursts of requests, and its socket work and other requests run between requests, so its requests pay much of the later figures, not the first (packages/benchmarks/docs/hono-request-cost.md, "User time, not system time", "Other work between requests").`,
      );
    }
    const traced = onCase('tracedFetch');
    const activeSpan = onCase('fetch-in-active-span');
    const spanWithHistogram = onCase('fetch-in-span-with-histogram');
    const contextSwitch = onCase('fetch-in-context');
    if (traced && activeSpan) {
      const tracedMicros = traced.addedNanoseconds.median / 1000;
      const floorMicros = activeSpan.addedNanoseconds.median / 1000;
      // The least that emits what the contract asks of tracedFetch (its span and its histogram),
      // when the run measured it; else the span alone.
      const leastMicros = spanWithHistogram ? spanWithHistogram.addedNanoseconds.median / 1000 : floorMicros;
      const withHistogram = spanWithHistogram
        ? ` that span plus tracedFetch's duration histogram (\`fetch-in-span-with-histogram\`, the least a wrapper adds that emits both the span and the histogram the contract asks for): ${fmt(leastMicros, 1)} µs;`
        : '';
      // The part of that floor no span is needed for, when the run measured it.
      const ofWhichContext = contextSwitch
        ? `, of which ${fmt(contextSwitch.addedNanoseconds.median / 1000, 1)} µs is entering and leaving a context around fetch with no span in it (\`fetch-in-context\`: Node's AsyncLocalStorage.run, which builds two context frames)`
        : '';
      lines.push(
        '',
        `tracedFetch over fetch: ${fmt(tracedMicros, 1)} µs per call; a bare span made active around fetch (\`fetch-in-active-span\`, the least a wrapper adds whose span is the parent of undici's): ${fmt(floorMicros, 1)} µs${ofWhichContext};${withHistogram} so tracedFetch's own work adds ${fmt(tracedMicros - leastMicros, 1)} µs on top (packages/benchmarks/docs/traced-fetch-cost.md).`,
      );
    }
    const undiciTraced = onCase('fetch-traced');
    if (undiciTraced) {
      lines.push(
        '',
        `otel-core's undici instrumentation on a plain fetch: ${fmt(undiciTraced.addedNanoseconds.median / 1000, 1)} µs per call (${fmt(undiciTraced.addedNanoseconds.min / 1000, 1)}–${fmt(undiciTraced.addedNanoseconds.max / 1000, 1)}), \`fetch-traced\` over \`fetch-untraced\`: what every outgoing fetch of a service pays with the documented setup, traced or not by tracedFetch (packages/otel-core/README.md, "Cost per request").`,
      );
    }
    lines.push('', 'Case descriptions:', '');
    for (const result of raw.micro.cases.filter((r, i, all) => all.findIndex((other) => other.name === r.name) === i)) lines.push(`- \`${result.name}\`: ${result.description}`);
    lines.push('');
  }
  if (Array.isArray(raw.figures) && !raw.hono && !raw.micro && !raw.memory) {
    lines.push(`## ${raw.package ?? 'package'}`, '');
    lines.push('| figure | unit | median (min–max) | baseline | ratio |', '|---|---|---|---|---|');
    for (const figure of raw.figures) {
      lines.push(`| ${figure.id} | ${figure.unit ?? ''} | ${range(figure)} | ${figure.baseline ?? ''} | ${figure.ratio ? range(figure.ratio) : ''} |`);
      figures.push({ ...figure, id: `${raw.package ?? 'package'}.${figure.id}` });
    }
    lines.push('');
  }
  if (raw.memory) {
    const { memory } = raw;
    lines.push('## Memory', '');
    lines.push(`${memory.options.requests} requests per server in chunks of ${memory.options.chunk} (interleaved across servers); memory read after a forced GC. \`kira-target-down\` samples 100 % and exports to a port that refuses connections.`, '');
    lines.push('| server | sampling | RSS before MiB | RSS after MiB | heap before MiB | heap after MiB | external after MiB | heap slope, 2nd half (MiB per 10k req) |');
    lines.push('|---|---|---|---|---|---|---|---|');
    for (const server of memory.servers) {
      lines.push(`| ${server.name} | ${server.sampleRatio * 100} % | ${fmt(server.before.rssMiB, 1)} | ${fmt(server.after.rssMiB, 1)} | ${fmt(server.before.heapUsedMiB, 1)} | ${fmt(server.after.heapUsedMiB, 1)} | ${fmt(server.after.externalMiB, 1)} | ${fmt(server.secondHalfHeapSlopeMiBPer10k, 3)} |`);
      figures.push({ id: `memory.${server.name}.rssAfter`, unit: 'MiB', baseline: 'memory.bare.rssAfter', median: server.after.rssMiB, min: server.after.rssMiB, max: server.after.rssMiB, ratio: null });
      figures.push({ id: `memory.${server.name}.heapAfter`, unit: 'MiB', baseline: 'memory.bare.heapAfter', median: server.after.heapUsedMiB, min: server.after.heapUsedMiB, max: server.after.heapUsedMiB, ratio: null });
    }
    const bare = memory.servers.find((server) => server.name === 'bare');
    for (const figure of figures.filter((f) => f.id.startsWith('memory.'))) {
      const base = figure.id.endsWith('rssAfter') ? bare?.after.rssMiB : bare?.after.heapUsedMiB;
      if (base) figure.ratio = { median: figure.median / base, min: figure.median / base, max: figure.median / base };
    }
    lines.push('', 'RSS / heap (MiB) over time:', '');
    lines.push(`| requests | ${memory.servers.map((server) => `${server.name} RSS | ${server.name} heap`).join(' | ')} |`);
    lines.push(`|---|${memory.servers.map(() => '---|---').join('|')}|`);
    const steps = Math.max(...memory.servers.map((server) => server.samples.length));
    for (let step = 0; step < steps; step++) {
      const cells = memory.servers.map((server) => {
        const sample = server.samples[step];
        return sample ? `${fmt(sample.rssMiB, 1)} | ${fmt(sample.heapUsedMiB, 1)}` : ' | ';
      });
      lines.push(`| ${memory.servers[0].samples[step]?.requests ?? ''} | ${cells.join(' | ')} |`);
    }
    lines.push('');
  }
}

const report = { generatedAt: new Date().toISOString(), machine, versions, figures, raw: raws };
writeFileSync(path.join(directory, 'report.json'), `${JSON.stringify(report, null, 2)}\n`);
writeFileSync(path.join(directory, 'report.md'), `${lines.join('\n')}\n`);
console.log(`bench-report: wrote ${path.join(directory, 'report.md')} and report.json (${figures.length} figures)`);
