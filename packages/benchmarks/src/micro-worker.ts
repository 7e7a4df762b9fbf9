// Child process: runs micro-benchmark cases on request. Argument: `on` or `off` (telemetry).
import { context, createContextKey, metrics, ROOT_CONTEXT, SpanKind, trace } from '@opentelemetry/api';
import { histogramCellsFor, KeyedHistogramCells, METRIC_ATTRIBUTES, METRICS } from '@kira/conventions';
import { getLogger, startTelemetry } from '@kira/otel-core';
import { AB_CASES, AB_PACKAGES, buildUrl, type ABPackage } from './ab-builds.ts';
import { serveParent } from './child-process.ts';
import { floorMiddleware } from './floor-middleware.ts';
import { createBenchApp, emptyMiddleware } from './hono-app.ts';
import { IDLE_BEFORE_CALL_MICROS, MICRO_CASES, UNTRACED_FETCH_PATH } from './micro-cases.ts';
import { steppedMedian } from './stats.ts';

const mode = process.argv[2] === 'on' ? 'on' : 'off';
const endpoint = process.env.BENCH_OTLP_ENDPOINT ?? 'http://127.0.0.1:4318';
const echoUrl = process.env.BENCH_ECHO_URL ?? 'http://127.0.0.1:1/';

if (mode === 'on') {
  const telemetry = startTelemetry({
    enabled: true,
    serviceName: 'bench-micro',
    endpoint,
    sampleRatio: Number(process.env.BENCH_SAMPLE_RATIO ?? '0.1'),
    console: false,
    shutdownOnExit: false,
    // The ignored path is the baseline of `fetch-traced`: the same fetch without the undici
    // instrumentation's span, header and metric. Every other fetch case is traced as before.
    instrumentations: { http: { inbound: false }, undici: { ignoreRequestHook: (request) => request.path === UNTRACED_FETCH_PATH } },
  });
  if (!telemetry.enabled) throw new Error('telemetry did not start');
} else {
  // The development path: telemetry off and the console logger silenced (printing lines is a
  // feature of that mode, not telemetry cost).
  startTelemetry({ enabled: false, console: false });
}

const { recordAITool, recordHttpRequest, traceAITool } = await import('@kira/metrics');
const { tracedFetch } = await import('@kira/external-tracing');
const { otelHono } = await import('@kira/otel-hono');
const { captureToolError } = await import('@kira/sentry');
const { sentryUser } = await import('@kira/sentry/hono');

const logger = getLogger('bench');
const logAttributes = { 'user.id': 'user-1', route: '/users/:id' };
const httpRecord = { method: 'GET', route: '/users/:id', statusCode: 200, durationMs: 1.5 };
const toolOptions = { userId: 'user-1', threadId: 'thread-1' };
const toolError = new Error('tool failed');
const toolInput = { prompt: 'a cat', token: 'secret' };
const fetchOptions = { service: 'bench', operation: 'echo' };
const untracedUrl = new URL(UNTRACED_FETCH_PATH, echoUrl).href;
const empty = async (): Promise<void> => {};
const bareApp = createBenchApp();
// The app of every otelHono case, built through a given otelHono (the workspace's, or an A/B build's).
const otelHonoAppOf = (factory: typeof otelHono) => createBenchApp([factory({ spanOwnership: 'middleware' })]);
const otelApp = otelHonoAppOf(otelHono);
const middlewareApp = createBenchApp([emptyMiddleware]);
const sentryApp = createBenchApp([sentryUser()]);
const honoUrl = 'http://localhost/users/42';

// The otelHono pair over real sockets: each app served by @hono/node-server's `serve` in this
// worker, as the load test's servers serve theirs (hono-server.ts), each request written to a
// keep-alive loopback connection and read back before the next. Both ends run on this thread, so
// the pair measures what the kernel's socket work and the event loop's turns between requests do
// to the middleware's cost, without a second process or an idle CPU (docs/hono-request-cost.md,
// "User time, not system time"). node:http is loaded after otel-core started, as in a service;
// the idle servers cost nothing while the other cases run (src/loopback-caller.ts).
const { getRequestListener } = await import('@hono/node-server');
const { loopbackCaller } = await import('./loopback-caller.ts');
// @hono/node-server's serve and getRequestListener put its own lighter Request and Response in
// place of the global ones (its overrideGlobalObjects option, on by default), as in every service
// it serves. From 2026-12-06 18:00 to the 19:15 run the loopback servers below did that in the
// telemetry-on worker only, so its in-process Hono cases ran on those classes and the off worker's
// on Node's own. Installed here, in both workers, before any case runs, the in-process Hono cases
// of both modes run on the classes a Node service on @hono/node-server has.
const nodeRequest = globalThis.Request;
getRequestListener(bareApp.fetch);
// A later @hono/node-server that stopped doing this would silently change what those cases measure.
if (globalThis.Request === nodeRequest) throw new Error("@hono/node-server no longer replaces the global Request; the in-process Hono cases' note is out of date");
// The pair runs with telemetry on only (MICRO_CASES), so the `off` worker starts no server.
const middlewareOverLoopback = mode === 'on' ? (await loopbackCaller(middlewareApp)).call : undefined;
const otelHonoOverLoopback = mode === 'on' ? (await loopbackCaller(otelApp)).call : undefined;
// The least a middleware owning a SERVER span and a histogram does through the API (the middleware
// of the load test's `kira-floor`), served the same way: what any such middleware pays here.
const floorOverLoopback = mode === 'on' ? (await loopbackCaller(createBenchApp([floorMiddleware()]))).call : undefined;
function overLoopback(caller: (() => Promise<void>) | undefined): () => Promise<void> {
  if (caller === undefined) throw new Error('the loopback servers run in the telemetry-on worker only');
  return caller;
}

// Sleeping through Atomics.wait blocks the thread in the kernel (a futex wait), so the CPU goes
// idle for that long, and none of it counts as this process's CPU time.
const sleepCell = new Int32Array(new SharedArrayBuffer(4));
function sleepMicros(micros: number): void {
  Atomics.wait(sleepCell, 0, 0, micros / 1000);
}

// Results flow into this so no loop body is dead code to the optimiser.
let sink = 0;

// The `-after-other-work` case's work between calls: what other requests of a service do between
// two of one kind, in user space only (zlib and OpenSSL run synchronously on this thread; no I/O,
// no idle, and under strace fewer than one system call per ten runs, from the allocator and V8's
// own threads), so that what it changes is the cache contents the measured call finds.
const { deflateSync } = await import('node:zlib');
const { createHash } = await import('node:crypto');
const otherWorkObject = Array.from({ length: 160 }, (_, index) => ({ id: index, name: `user ${index}`, tags: ['a', 'b', String(index)] }));
const otherWorkInput = Buffer.from(JSON.stringify(otherWorkObject));
function otherWork(): void {
  sink ^= deflateSync(otherWorkInput).length;
  sink ^= createHash('sha256').update(otherWorkInput).digest()[0]!;
  sink ^= JSON.stringify(otherWorkObject).length;
  sink ^= new URL(`https://example.com/users/${sink & 1023}?page=2`).pathname.length;
}

// One in-process request to an app: for the otelHono app, the call of every otelHono pair,
// whatever runs before it.
const inProcessCallOf =
  (app: { fetch: (request: Request) => Response | Promise<Response> }) =>
  async (): Promise<void> => {
    sink ^= (await app.fetch(new Request(honoUrl))).status;
  };
const otelHonoCall = inProcessCallOf(otelApp);

type Run = (iterations: number) => Promise<void> | void;

const runs: Record<string, Run> = {
  loop: (n) => {
    for (let i = 0; i < n; i++) sink = (sink + i) | 0;
  },
  'loop-again': (n) => {
    for (let i = 0; i < n; i++) sink = (sink + i) | 0;
  },
  'logger.info': (n) => {
    for (let i = 0; i < n; i++) {
      sink = (sink + i) | 0;
      logger.info('request handled', logAttributes);
    }
  },
  recordHttpRequest: (n) => {
    for (let i = 0; i < n; i++) {
      sink = (sink + i) | 0;
      recordHttpRequest(httpRecord);
    }
  },
  recordAITool: (n) => {
    for (let i = 0; i < n; i++) {
      sink = (sink + i) | 0;
      recordAITool('bench_tool', true, 12.5);
    }
  },
  captureToolError: (n) => {
    for (let i = 0; i < n; i++) {
      sink = (sink + i) | 0;
      captureToolError(toolError, { toolName: 'bench_tool', input: toolInput });
    }
  },
  'await-empty': async (n) => {
    for (let i = 0; i < n; i++) await empty();
  },
  'await-empty-again': async (n) => {
    for (let i = 0; i < n; i++) await empty();
  },
  traceAITool: async (n) => {
    for (let i = 0; i < n; i++) await traceAITool('bench_tool', toolOptions, empty);
  },
  fetch: async (n) => {
    for (let i = 0; i < n; i++) sink ^= (await (await fetch(echoUrl)).arrayBuffer()).byteLength;
  },
  'fetch-again': async (n) => {
    for (let i = 0; i < n; i++) sink ^= (await (await fetch(echoUrl)).arrayBuffer()).byteLength;
  },
  tracedFetch: async (n) => {
    for (let i = 0; i < n; i++) sink ^= (await (await tracedFetch(echoUrl, undefined, fetchOptions)).arrayBuffer()).byteLength;
  },
  'fetch-in-context': async (n) => {
    for (let i = 0; i < n; i++) await fetchInContext();
  },
  'fetch-in-active-span': async (n) => {
    for (let i = 0; i < n; i++) await fetchInActiveSpan();
  },
  'fetch-in-span-with-histogram': async (n) => {
    for (let i = 0; i < n; i++) await fetchInSpanWithHistogram();
  },
  'fetch-untraced': async (n) => {
    for (let i = 0; i < n; i++) await untracedFetch();
  },
  'fetch-traced': async (n) => {
    for (let i = 0; i < n; i++) await plainFetch();
  },
  'fetch-in-request': async (n) => {
    for (let i = 0; i < n; i++) await inRequest(plainFetch);
  },
  'fetch-in-request-again': async (n) => {
    for (let i = 0; i < n; i++) await inRequest(plainFetch);
  },
  'tracedFetch-in-request': async (n) => {
    for (let i = 0; i < n; i++) await inRequest(tracedFetchCall);
  },
  hono: async (n) => {
    for (let i = 0; i < n; i++) sink ^= (await bareApp.fetch(new Request(honoUrl))).status;
  },
  'hono-again': async (n) => {
    for (let i = 0; i < n; i++) sink ^= (await bareApp.fetch(new Request(honoUrl))).status;
  },
  'hono+otelHono': async (n) => {
    for (let i = 0; i < n; i++) sink ^= (await otelApp.fetch(new Request(honoUrl))).status;
  },
  'hono-middleware': async (n) => {
    for (let i = 0; i < n; i++) sink ^= (await middlewareApp.fetch(new Request(honoUrl))).status;
  },
  'otelHono-back-to-back': async (n) => {
    for (let i = 0; i < n; i++) sink ^= (await otelApp.fetch(new Request(honoUrl))).status;
  },
  // Used only to calibrate the batch size (the pair itself is measured call by call).
  'otelHono-after-idle': async (n) => {
    for (let i = 0; i < n; i++) {
      sleepMicros(IDLE_BEFORE_CALL_MICROS);
      await otelHonoCall();
    }
  },
  // Used only to calibrate the batch size (the pair itself is measured call by call).
  'otelHono-after-other-work': async (n) => {
    for (let i = 0; i < n; i++) {
      otherWork();
      await otelHonoCall();
    }
  },
  'hono+sentryUser': async (n) => {
    for (let i = 0; i < n; i++) sink ^= (await sentryApp.fetch(new Request(honoUrl))).status;
  },
  'hono-middleware-over-loopback': async (n) => {
    const call = overLoopback(middlewareOverLoopback);
    for (let i = 0; i < n; i++) await call();
  },
  'otelHono-over-loopback': async (n) => {
    const call = overLoopback(otelHonoOverLoopback);
    for (let i = 0; i < n; i++) await call();
  },
  'floorMiddleware-over-loopback': async (n) => {
    const call = overLoopback(floorOverLoopback);
    for (let i = 0; i < n; i++) await call();
  },
};

// What a service's request handler is to an outgoing call: the caller's context holds the
// request's SERVER span, sampled or not by the worker's sampler (10 %), started and ended around
// each call on both sides of a comparison.
const requestTracer = trace.getTracer('bench-request');
const requestSpanOptions = { kind: SpanKind.SERVER };
async function inRequest(call: () => Promise<void>): Promise<void> {
  const span = requestTracer.startSpan('GET /users/:id', requestSpanOptions);
  try {
    await context.with(trace.setSpan(context.active(), span), call);
  } finally {
    span.end();
  }
}
const plainFetch = async (): Promise<void> => {
  sink ^= (await (await fetch(echoUrl)).arrayBuffer()).byteLength;
};
const untracedFetch = async (): Promise<void> => {
  sink ^= (await (await fetch(untracedUrl)).arrayBuffer()).byteLength;
};
// The context switch alone: a context that differs from the active one (so the manager really
// enters it) but holds no span, so the undici instrumentation starts the same root span as for a
// plain fetch. Built once: only entering and leaving it is measured.
const switchedContext = ROOT_CONTEXT.setValue(createContextKey('bench switched context'), true);
async function fetchInContext(): Promise<void> {
  sink ^= (await (await context.with(switchedContext, fetch, undefined, echoUrl)).arrayBuffer()).byteLength;
}
// The floor of a tracing wrapper around fetch: one span, made active while fetch starts so the
// undici instrumentation's span is its child, ended when the response arrives. No attributes, no
// histogram, no option handling; the body is read after the end, as tracedFetch's callers do.
const wrapperTracer = trace.getTracer('bench-wrapper');
const clientSpanOptions = { kind: SpanKind.CLIENT };
async function fetchInActiveSpan(): Promise<void> {
  const span = wrapperTracer.startSpan('bench echo', clientSpanOptions);
  let response: Response;
  try {
    response = await context.with(trace.setSpan(context.active(), span), fetch, undefined, echoUrl);
  } finally {
    span.end();
  }
  sink ^= (await response.arrayBuffer()).byteLength;
}
// The floor above plus tracedFetch's histogram: the duration from two clock reads, recorded into
// cells keyed like external_request_duration_ms's (service, operation, outcome) when otel-core's
// reader collects cells, as tracedFetch records it. Its own metric name, so the bench adds nothing
// to tracedFetch's series.
const wrapperCells = new KeyedHistogramCells(
  { scope: { name: 'bench-wrapper', version: '0.0.0' }, name: 'bench_wrapper_duration_ms', description: 'fetch-in-span-with-histogram', unit: 'ms', boundaries: [...METRICS.externalRequestDuration.buckets] },
  [METRIC_ATTRIBUTES.externalService, METRIC_ATTRIBUTES.externalOperation, METRIC_ATTRIBUTES.outcome],
);
const existingWrapperCells = (): KeyedHistogramCells => wrapperCells;
// The case stands for tracedFetch's histogram path only if it takes the cells path tracedFetch
// takes with otel-core on; fail the run rather than measure the SDK instrument instead.
if (mode === 'on' && histogramCellsFor(metrics.getMeterProvider(), 'bench_wrapper_duration_ms', existingWrapperCells) === undefined) {
  throw new Error("otel-core's reader collects no histogram cells: fetch-in-span-with-histogram would not measure tracedFetch's histogram path");
}
const wrapperHistogram = metrics.getMeter('bench-wrapper').createHistogram('bench_wrapper_duration_ms');
const wrapperAttributes = {
  [METRIC_ATTRIBUTES.externalService]: fetchOptions.service,
  [METRIC_ATTRIBUTES.externalOperation]: fetchOptions.operation,
  [METRIC_ATTRIBUTES.outcome]: 'ok',
};
async function fetchInSpanWithHistogram(): Promise<void> {
  const startedAt = performance.now();
  const span = wrapperTracer.startSpan('bench echo', clientSpanOptions);
  let response: Response;
  try {
    response = await context.with(trace.setSpan(context.active(), span), fetch, undefined, echoUrl);
  } finally {
    const durationMs = performance.now() - startedAt;
    const cells = histogramCellsFor(metrics.getMeterProvider(), 'bench_wrapper_duration_ms', existingWrapperCells);
    if (cells !== undefined) cells.recordValues(fetchOptions.service, fetchOptions.operation, 'ok', durationMs);
    else wrapperHistogram.record(durationMs, wrapperAttributes);
    span.end();
  }
  sink ^= (await response.arrayBuffer()).byteLength;
}
// fetch-untraced stands for fetch without the undici instrumentation only if the instrumentation
// really leaves that path alone (and still traces the other): fail the run rather than measure
// two traced fetches against each other.
if (mode === 'on') {
  const traceHeaderSeen = async (url: string): Promise<string | null> => {
    const response = await fetch(url);
    await response.arrayBuffer();
    return response.headers.get('x-traceparent-seen');
  };
  const untraced = await traceHeaderSeen(untracedUrl);
  const traced = await traceHeaderSeen(echoUrl);
  if (untraced !== 'no' || traced !== 'yes') {
    throw new Error(`the undici instrumentation's ignoreRequestHook did not split the fetch cases (trace header seen: ${untraced} on ${UNTRACED_FETCH_PATH}, ${traced} on the traced path)`);
  }
}
// One tracedFetch of the echo server, through a given tracedFetch (the workspace's, or an A/B build's).
const tracedFetchCallOf =
  (call: typeof tracedFetch) =>
  async (): Promise<void> => {
    sink ^= (await (await call(echoUrl, undefined, fetchOptions)).arrayBuffer()).byteLength;
  };
const tracedFetchCall = tracedFetchCallOf(tracedFetch);

// One call each, for the interleaved cases (case and baseline alternate call by call).
const singleCalls: Record<string, () => Promise<void>> = {
  'fetch-in-request': () => inRequest(plainFetch),
  'fetch-in-request-again': () => inRequest(plainFetch),
  'tracedFetch-in-request': () => inRequest(tracedFetchCall),
  fetch: async () => {
    sink ^= (await (await fetch(echoUrl)).arrayBuffer()).byteLength;
  },
  'fetch-again': async () => {
    sink ^= (await (await fetch(echoUrl)).arrayBuffer()).byteLength;
  },
  'fetch-in-context': fetchInContext,
  'fetch-in-active-span': fetchInActiveSpan,
  'fetch-in-span-with-histogram': fetchInSpanWithHistogram,
  // The same plain fetch on both sides; only the path tells the undici instrumentation apart.
  'fetch-untraced': untracedFetch,
  'fetch-traced': plainFetch,
  tracedFetch: tracedFetchCall,
  'hono-middleware': inProcessCallOf(middlewareApp),
  'otelHono-back-to-back': otelHonoCall,
  'otelHono-after-idle': otelHonoCall,
  'otelHono-after-other-work': otelHonoCall,
  'hono-middleware-over-loopback': () => overLoopback(middlewareOverLoopback)(),
  'otelHono-over-loopback': () => overLoopback(otelHonoOverLoopback)(),
  'floorMiddleware-over-loopback': () => overLoopback(floorOverLoopback)(),
};

// A/B runs (ab-bench.ts): each package's saved build, loaded twice (the A/A row), and its current
// build, each a module instance of its own (a query on the URL), used by the A/B cases alone.
// Sharing instances skewed identical builds (README, "A/B"): one instance on two sides runs back
// to back with itself, which the other side never does, and the current side's otelHono came out
// 0.6 µs dearer; with the instance the other cases share (run on other apps, the loopback servers'
// included) as the current side as well, 1.1 µs.
const abSavedDirectoryName = process.env.BENCH_AB_SAVED_DIRECTORY_NAME;
const abCurrentDirectoryName = process.env.BENCH_AB_CURRENT_DIRECTORY_NAME;
const abBuilds: Partial<Record<ABPackage, { saved: unknown; savedAgain: unknown; current: unknown }>> = {};
if (abSavedDirectoryName !== undefined && abCurrentDirectoryName !== undefined) {
  for (const pkg of AB_PACKAGES) {
    const saved = buildUrl(pkg, abSavedDirectoryName);
    const current = buildUrl(pkg, abCurrentDirectoryName);
    if (saved === undefined || current === undefined) continue;
    abBuilds[pkg] = { saved: await import(`${saved}?ab=saved`), savedAgain: await import(`${saved}?ab=saved-again`), current: await import(`${current}?ab=current`) };
  }
}
type ABCall = () => Promise<void> | void;
function abCallOf(name: string, build: unknown): ABCall {
  switch (name) {
    case 'tracedFetch':
    case 'tracedFetch-in-request': {
      const one = tracedFetchCallOf((build as { tracedFetch: typeof tracedFetch }).tracedFetch);
      return name === 'tracedFetch' ? one : () => inRequest(one);
    }
    case 'otelHono':
      return inProcessCallOf(otelHonoAppOf((build as { otelHono: typeof otelHono }).otelHono));
    case 'otelHono-over-loopback':
      return abLoopbackCallers.get(build)!;
    case 'recordHttpRequest': {
      const record = (build as { recordHttpRequest: typeof recordHttpRequest }).recordHttpRequest;
      const calls = abCallsPerSlot(name);
      return () => {
        for (let index = 0; index < calls; index++) record(httpRecord);
      };
    }
    default:
      throw new Error(`no A/B call for ${name}`);
  }
}
function abCallsPerSlot(name: string): number {
  return AB_CASES.find((info) => info.name === name)?.callsPerSlot ?? 1;
}
// A server per instance, started before the cases are built (abCallOf is synchronous).
const abLoopbackCallers = new Map<unknown, ABCall>();
for (const builds of Object.values(abBuilds)) {
  for (const build of [builds.saved, builds.current, builds.savedAgain]) {
    if (typeof (build as { otelHono?: unknown }).otelHono !== 'function') continue;
    abLoopbackCallers.set(build, (await loopbackCaller(otelHonoAppOf((build as { otelHono: typeof otelHono }).otelHono))).call);
  }
}
const abSides = new Map<string, [saved: ABCall, current: ABCall, savedAgain: ABCall]>();
for (const info of AB_CASES) {
  const builds = abBuilds[info.package];
  if (builds !== undefined) abSides.set(info.name, [abCallOf(info.name, builds.saved), abCallOf(info.name, builds.current), abCallOf(info.name, builds.savedAgain)]);
}

for (const info of MICRO_CASES) {
  if (runs[info.name] === undefined) throw new Error(`no run for ${info.name}`);
  if (info.interleaved === true && (singleCalls[info.name] === undefined || singleCalls[info.baseline] === undefined)) {
    throw new Error(`no single call for ${info.name} or ${info.baseline}`);
  }
}

// process.cpuUsage counts in whole microseconds.
const CPU_USAGE_STEP_NANOS = 1000;

const cpuNanosSince = (start: NodeJS.CpuUsage): number => {
  const used = process.cpuUsage(start);
  return (used.user + used.system) * 1000;
};

const iterationsByCase = new Map<string, number>();
const MIN_ITERATIONS = 20;

interface Timing {
  /** Wall time of the batch, ns. */
  wall: number;
  /** CPU time of this process (all threads, so GC counts) during the batch, ns. */
  cpu: number;
}

// CPU time is the primary figure: on a shared machine the wall clock also counts the time other
// processes held the core, CPU time only what this work cost.
async function timed(run: Run, iterations: number): Promise<Timing> {
  const cpuStart = process.cpuUsage();
  const start = process.hrtime.bigint();
  await run(iterations);
  const wall = Number(process.hrtime.bigint() - start);
  const cpu = process.cpuUsage(cpuStart);
  return { wall, cpu: (cpu.user + cpu.system) * 1000 };
}

serveParent(
  {
    /**
     * First call per case: warm up and pick the iteration count that takes about `targetMs`; it
     * then stays fixed so every round of a case does the same work.
     */
    calibrate: async (payload) => {
      const { name, targetMs } = payload as { name: string; targetMs: number };
      const run = runs[name]!;
      let iterations = 16;
      let elapsed = (await timed(run, iterations)).cpu;
      while (elapsed < targetMs * 1e6 * 0.25 && iterations < 1e8) {
        iterations *= 4;
        elapsed = (await timed(run, iterations)).cpu;
      }
      // The cheapest of three runs at this size, so a burst from another process during
      // calibration does not shrink every later batch.
      for (let again = 0; again < 2; again++) elapsed = Math.min(elapsed, (await timed(run, iterations)).cpu);
      iterations = Math.max(MIN_ITERATIONS, Math.round((iterations * targetMs * 1e6) / Math.max(1, elapsed)));
      iterationsByCase.set(name, iterations);
      await timed(run, iterations);
      return iterations;
    },
    /**
     * Case and baseline alternating call by call (which one goes first alternates too), each call
     * after `idleBeforeMicros` of sleep or the other work when the case asks for it. Returns the
     * median CPU ns of each side's calls (a GC pause or a preempted call lands on one call; the
     * median ignores it), interpolated within the microsecond steps a call's CPU time comes in,
     * and the case's mean wall ns.
     */
    measureInterleaved: async (payload) => {
      const { name, baseline, idleBeforeMicros, otherWorkBeforeCall } = payload as { name: string; baseline: string; idleBeforeMicros?: number; otherWorkBeforeCall?: boolean };
      const iterations = iterationsByCase.get(name) ?? 100;
      const own = singleCalls[name]!;
      const base = singleCalls[baseline]!;
      const ownCpu: number[] = [];
      const baseCpu: number[] = [];
      let ownWall = 0;
      for (let index = 0; index < iterations; index++) {
        for (const side of index % 2 === 0 ? [0, 1] : [1, 0]) {
          if (idleBeforeMicros !== undefined) sleepMicros(idleBeforeMicros);
          if (otherWorkBeforeCall === true) otherWork();
          const wallStart = process.hrtime.bigint();
          const cpuStart = process.cpuUsage();
          await (side === 0 ? base() : own());
          const cpu = cpuNanosSince(cpuStart);
          if (side === 0) baseCpu.push(cpu);
          else {
            ownCpu.push(cpu);
            ownWall += Number(process.hrtime.bigint() - wallStart);
          }
        }
      }
      return { cpu: steppedMedian(ownCpu, CPU_USAGE_STEP_NANOS), baselineCpu: steppedMedian(baseCpu, CPU_USAGE_STEP_NANOS), wall: ownWall / iterations };
    },
    /**
     * One A/B measurement: the saved build, the current build and the saved build's second
     * instance (the A/A row) in turn, call by call, the order rotating each iteration so every side
     * takes every position. Returns each side's step-interpolated median CPU ns per call, and the
     * wall ms.
     */
    measureAB: async (payload) => {
      const { name, iterations } = payload as { name: string; iterations: number };
      const sides = abSides.get(name);
      if (sides === undefined) throw new Error(`no saved build for the A/B case ${name}`);
      const cpu: number[][] = [[], [], []];
      const wallStart = process.hrtime.bigint();
      for (let index = 0; index < iterations; index++) {
        for (let offset = 0; offset < sides.length; offset++) {
          const side = (index + offset) % sides.length;
          const cpuStart = process.cpuUsage();
          await sides[side]!();
          cpu[side]!.push(cpuNanosSince(cpuStart));
        }
      }
      const perCall = (values: number[]) => steppedMedian(values, CPU_USAGE_STEP_NANOS) / abCallsPerSlot(name);
      return { saved: perCall(cpu[0]!), current: perCall(cpu[1]!), savedAgain: perCall(cpu[2]!), wallMs: Number(process.hrtime.bigint() - wallStart) / 1e6 };
    },
    /** CPU and wall nanoseconds per iteration of one timed batch. */
    measure: async (payload) => {
      const { name } = payload as { name: string };
      const iterations = iterationsByCase.get(name) ?? 1000;
      const timing = await timed(runs[name]!, iterations);
      // `sink` is read so the optimiser must keep every loop body.
      const keep = sink === Number.MIN_VALUE ? 1 : 0;
      return { cpu: timing.cpu / iterations + keep, wall: timing.wall / iterations };
    },
  },
  { mode },
);
