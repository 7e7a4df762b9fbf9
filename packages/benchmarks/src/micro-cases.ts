/**
 * In-process micro-benchmarks. Each case is measured in a worker whose telemetry is `on`
 * (otel-core exporting to the local sink, 10 % sampling) or `off` (otel-core not started — the
 * development path), and is compared with its `baseline` case measured in the same worker and
 * round: the same loop without the call under test.
 */
export interface MicroCaseInfo {
  name: string;
  /** The case it is compared with (same worker, same round). */
  baseline: string;
  /** What the figure means, for the report. */
  description: string;
  modes: ReadonlyArray<'on' | 'off'>;
  /** A realistic host operation: the disabled path must be within its noise band. */
  host?: boolean;
  /**
   * Case and baseline alternate call by call inside one batch, each call's CPU time counted to its
   * side: for calls costing hundreds of µs (a loopback fetch), where the drift between whole batches
   * on a busy machine is far larger than the few µs being measured.
   */
  interleaved?: boolean;
  /**
   * For interleaved cases: the worker's thread sleeps this long before every call of either side,
   * outside the timed call, so each call starts on a CPU that has just come back from idle, as a
   * server's first request after a pause does. On a virtual machine whose idle vCPU halts at once,
   * code run after the halt costs several times what it costs back to back (see the README).
   */
  idleBeforeMicros?: number;
  /**
   * For interleaved cases: before every call of either side, outside the timed call, the worker
   * runs a fixed piece of unrelated user-space work (compression, a hash, JSON, a URL parse; no
   * I/O, no idle, and under strace fewer than one system call per ten runs), as a server runs its
   * other requests' work between two of one kind. Code and data that work brings in push the
   * measured call's own out of the CPU's caches.
   */
  otherWorkBeforeCall?: boolean;
}

/** The echo server path the micro worker's undici instrumentation ignores (`fetch-untraced`). */
export const UNTRACED_FETCH_PATH = '/untraced';

/** How long the `-after-idle` cases sleep before each call. */
export const IDLE_BEFORE_CALL_MICROS = 50;

export const MICRO_CASES: readonly MicroCaseInfo[] = [
  { name: 'loop', baseline: 'loop', description: 'empty loop body (baseline of the synchronous cases)', modes: ['on', 'off'] },
  { name: 'loop-again', baseline: 'loop', description: 'the same empty loop again (A/A: the noise band)', modes: ['on', 'off'] },
  { name: 'logger.info', baseline: 'loop', description: "getLogger('bench').info(body, attributes)", modes: ['on', 'off'] },
  { name: 'recordHttpRequest', baseline: 'loop', description: '@kira/metrics recordHttpRequest (one histogram record)', modes: ['on', 'off'] },
  { name: 'recordAITool', baseline: 'loop', description: '@kira/metrics recordAITool (counter add + histogram record)', modes: ['on', 'off'] },
  { name: 'captureToolError', baseline: 'loop', description: '@kira/sentry captureToolError while Sentry is off', modes: ['off'] },
  { name: 'await-empty', baseline: 'await-empty', description: 'await an empty async function (baseline of traceAITool)', modes: ['on', 'off'] },
  { name: 'await-empty-again', baseline: 'await-empty', description: 'the same again (A/A: the noise band)', modes: ['on', 'off'] },
  { name: 'traceAITool', baseline: 'await-empty', description: 'traceAITool around the empty async function', modes: ['on', 'off'] },
  { name: 'fetch', baseline: 'fetch', description: 'fetch() of a loopback server (baseline of tracedFetch)', modes: ['on', 'off'], host: true },
  { name: 'fetch-again', baseline: 'fetch', description: 'the same again (A/A: the noise band), alternating call by call with fetch', modes: ['on', 'off'], host: true, interleaved: true },
  { name: 'tracedFetch', baseline: 'fetch', description: 'tracedFetch() of the same server, alternating call by call with fetch', modes: ['on', 'off'], host: true, interleaved: true },
  {
    name: 'fetch-in-context',
    baseline: 'fetch',
    description:
      "fetch() run inside context.with of a constant context that holds no span (nothing started, nothing recorded), alternating call by call with fetch: what entering and leaving a context around fetch costs by itself, the first part of fetch-in-active-span. On Node 24 the context manager's AsyncLocalStorage.run builds a new AsyncContextFrame (a copy of a Map) on entry and another on exit",
    modes: ['on'],
    host: true,
    interleaved: true,
  },
  {
    name: 'fetch-in-active-span',
    baseline: 'fetch',
    description:
      "fetch() inside a span started and made active for the call (startSpan, context.with, end), alternating call by call with fetch: the least a wrapper adds whose span is the parent of undici's",
    modes: ['on', 'off'],
    host: true,
    interleaved: true,
  },
  {
    name: 'fetch-in-span-with-histogram',
    baseline: 'fetch',
    description:
      "fetch-in-active-span plus what tracedFetch records besides its span: two clock reads and one duration into histogram cells keyed by (service, operation, outcome), otel-core's cheapest histogram path and the one tracedFetch takes. The least a wrapper adds that emits both things the contract asks of tracedFetch",
    modes: ['on', 'off'],
    host: true,
    interleaved: true,
  },
  {
    name: 'fetch-untraced',
    baseline: 'fetch-untraced',
    description: `fetch() of a path (${UNTRACED_FETCH_PATH}) that otel-core's undici instrumentation is told to ignore through its ignoreRequestHook: no span, no trace header, no metric record (baseline of fetch-traced)`,
    modes: ['on'],
  },
  {
    name: 'fetch-traced',
    baseline: 'fetch-untraced',
    description:
      "plain fetch() of the same server at a path the undici instrumentation traces, alternating call by call with fetch-untraced: what otel-core's default undici instrumentation adds to every outgoing fetch (a root CLIENT span, sampled at the worker's ratio, its traceparent, one http.client.request.duration record)",
    modes: ['on'],
    interleaved: true,
  },
  { name: 'fetch-in-request', baseline: 'fetch-in-request', description: "fetch() inside a request's span (started per call, sampled at the worker's ratio): how services call APIs (baseline)", modes: ['on', 'off'], host: true },
  { name: 'fetch-in-request-again', baseline: 'fetch-in-request', description: 'the same again (A/A: the noise band), alternating call by call', modes: ['on', 'off'], host: true, interleaved: true },
  { name: 'tracedFetch-in-request', baseline: 'fetch-in-request', description: "tracedFetch() inside a request's span, alternating call by call with fetch-in-request", modes: ['on', 'off'], host: true, interleaved: true },
  { name: 'hono', baseline: 'hono', description: 'in-process app.fetch(request) of bare Hono', modes: ['on', 'off'], host: true },
  { name: 'hono-again', baseline: 'hono', description: 'the same again (A/A: the noise band)', modes: ['on', 'off'], host: true },
  { name: 'hono+otelHono', baseline: 'hono', description: "app.fetch with otelHono({ spanOwnership: 'middleware' })", modes: ['on', 'off'], host: true },
  { name: 'hono-middleware', baseline: 'hono-middleware', description: 'in-process app.fetch of Hono with one empty async middleware (baseline of the otelHono pairs)', modes: ['on'] },
  { name: 'otelHono-back-to-back', baseline: 'hono-middleware', description: 'the app of hono+otelHono against the empty middleware, alternating call by call', modes: ['on'], interleaved: true },
  {
    name: 'otelHono-after-idle',
    baseline: 'hono-middleware',
    description: `the same pair, with the worker asleep for ${IDLE_BEFORE_CALL_MICROS} µs before every call (outside the timed call): each request starts on a CPU back from idle`,
    modes: ['on'],
    interleaved: true,
    idleBeforeMicros: IDLE_BEFORE_CALL_MICROS,
  },
  {
    name: 'otelHono-after-other-work',
    baseline: 'hono-middleware',
    description:
      'the same pair, with a fixed piece of unrelated user-space work (zlib deflate, SHA-256 and JSON of 8 KB, a URL parse; no I/O, no idle) run before every call, outside the timed call: each request starts after other code has used the caches',
    modes: ['on'],
    interleaved: true,
    otherWorkBeforeCall: true,
  },
  {
    name: 'hono-middleware-over-loopback',
    baseline: 'hono-middleware-over-loopback',
    description:
      "the app of hono-middleware served by @hono/node-server's serve in the worker (as the load test's servers serve theirs), each request sent over a keep-alive loopback TCP connection from the worker and answered before the next (baseline of otelHono-over-loopback)",
    modes: ['on'],
  },
  {
    name: 'otelHono-over-loopback',
    baseline: 'hono-middleware-over-loopback',
    description:
      "the app of hono+otelHono served the same way, alternating call by call: the kernel's socket work and the event loop's turns run between requests as in a server, with no other process and no idle (the worker's own thread sends, serves and reads)",
    modes: ['on'],
    interleaved: true,
  },
  {
    name: 'floorMiddleware-over-loopback',
    baseline: 'hono-middleware-over-loopback',
    description:
      "the same, with the middleware of the load test's kira-floor in place of otelHono: the least any middleware does that makes a SERVER span active and records a duration histogram through the OpenTelemetry API",
    modes: ['on'],
    interleaved: true,
  },
  { name: 'hono+sentryUser', baseline: 'hono', description: '@kira/sentry/hono sentryUser() while Sentry is off', modes: ['off'], host: true },
];
