/** The µs per request `middleware-5us` spins on purpose (its name says it). */
export const KNOWN_WORK_MICROS = 5;

/**
 * - `bare`: Hono on @hono/node-server, no telemetry (the baseline).
 * - `bare-again`: a second, identical bare server (A/A: its difference to `bare` is the noise band).
 * - `bare-middleware`: bare plus one empty `async (c, next) => { await next() }` middleware: the
 *   cost of having any middleware at all (Hono then leaves its synchronous fast path).
 * - `kira-off`: `otelHono()` with no SDK started (telemetry off, the development path).
 * - `kira`: **the documented setup, which is otel-core's defaults**: `node --import
 *   @kira/otel-core/register` and `otelHono()`, ratio 0.1, OTLP/protobuf to the local sink.
 *   Creating `otelHono()` claims the SERVER span, so the http instrumentation's inbound side
 *   (patched at start) steps aside: no `KIRA_HTTP_INBOUND` flag.
 * - `kira-unsampled`: `kira` with sampling ratio 0 (`OTEL_TRACES_SAMPLER_ARG=0`): every request
 *   takes the unsampled path (ids, context, `traceparent`, histogram) and none is recorded, so
 *   `kira` − `kira-unsampled` is what the sampled requests cost (spans recorded, encoded, exported).
 * - `middleware-5us`: `bare-middleware` whose middleware also spins on the clock for 5 µs per
 *   request: a cost known in advance, so its figure shows how this harness on this machine scales
 *   work per request (the server's write to the socket gets dearer as the server gets slower).
 * - `kira-floor`: otel-core as in `kira` (with `KIRA_HTTP_INBOUND=off`: this middleware claims
 *   nothing), but the middleware does only what any API-based SERVER
 *   span + histogram must do (start a span, run `next` in its context, end it, one histogram
 *   record with a constant attribute object): the SDK's own floor, whatever otel-hono does.
 * - `kira-inbound-on`: `kira` with `KIRA_HTTP_INBOUND=on`: the http instrumentation keeps its
 *   inbound side by choice and `otelHono()` names its span (what the defaults did before the
 *   hand-off).
 * - `usual`: NodeSDK + http + undici instrumentations, ParentBased(TraceIdRatio 0.1), batch OTLP export.
 * - `usual-hono-otel`: `usual` plus the real `@hono/otel` middleware (its own nested SERVER span).
 */
export const HONO_SETUPS = ['bare', 'bare-again', 'bare-middleware', 'middleware-5us', 'kira-off', 'kira', 'kira-unsampled', 'kira-floor', 'kira-inbound-on', 'usual', 'usual-hono-otel'] as const;
export type HonoSetup = (typeof HONO_SETUPS)[number];

/**
 * The steps from `bare-middleware` to `kira-floor`, for the cache count only (`pnpm bench` never
 * runs them: their CPU figures would be within the noise of their neighbours'). Each adds one
 * piece of what the floor does (docs/hono-request-cost.md, "The count as a command, and the floor
 * taken apart"):
 * - `als-only`: no SDK; the middleware runs `next` inside `run` of its own `AsyncLocalStorage`
 *   with a constant store, the least any middleware can do to hand the handler a context.
 * - `sdk-empty`: otel-core as for `kira-floor`, and the empty middleware: the SDK there, unused.
 * - `sdk-ctx`: `context.with(constant context, next)` through the API and otel-core's context
 *   manager, no span.
 * - `sdk-span-ctx`: a span made active around `next` as `kira-floor` does, without its histogram.
 */
export const FLOOR_STEP_SETUPS = ['als-only', 'sdk-empty', 'sdk-ctx', 'sdk-span-ctx'] as const;
export type FloorStepSetup = (typeof FLOOR_STEP_SETUPS)[number];
/** Any setup `src/hono-server.ts` can serve. */
export type ServerSetup = HonoSetup | FloorStepSetup;
export const SERVER_SETUPS: readonly ServerSetup[] = [...HONO_SETUPS, ...FLOOR_STEP_SETUPS];

/**
 * The cyclic order in which the rounds measure the servers (the rotation keeps neighbours
 * neighbours). The machine's speed drifts by tens of percent within a minute (bare's CPU per
 * request moved 11.8 → 21.5 µs between rounds of one run), so each headline comparison is
 * measured back to back: `bare-again` next to `bare` (the A/A band, at the same distance as the
 * main figure it judges), `bare-middleware` next to `bare`, `kira` next to `bare-middleware`
 * (the main figure), `kira-unsampled` next to `kira` (their difference is the sampled requests'
 * share), then `kira-off` and `middleware-5us`. Reports keep {@link HONO_SETUPS}' order.
 */
const MEASUREMENT_ORDER: readonly HonoSetup[] = ['bare-again', 'bare', 'bare-middleware', 'kira', 'kira-unsampled', 'kira-off', 'middleware-5us', 'kira-floor', 'kira-inbound-on', 'usual', 'usual-hono-otel'];

/** `setups` in {@link MEASUREMENT_ORDER} (every setup is listed there; a missing one would sort last). */
export function inMeasurementOrder(setups: readonly HonoSetup[]): HonoSetup[] {
  const rank = (setup: HonoSetup) => {
    const index = MEASUREMENT_ORDER.indexOf(setup);
    return index === -1 ? MEASUREMENT_ORDER.length : index;
  };
  return [...setups].sort((a, b) => rank(a) - rank(b));
}

/**
 * V8 flags every Hono server child gets, whatever its setup. Each server idles about 30 s between
 * its measurements, and in that time V8's memory reducer (its GCs for an idle heap) runs in some
 * servers and not in others. A server it ran in stayed 6 to 12 µs per request dearer for the rest
 * of the run (the baselines in round 2 or 3 of every full run, `kira` in some runs only), so a
 * round compared processes at two levels. With the reducer off, no server moved in two 11-server
 * runs (docs/hono-request-cost.md, "Two speeds per server process"). The same flag for every
 * setup, so a comparison stays between equals; a service gets no flag from us.
 */
export const HONO_SERVER_V8_FLAGS: readonly string[] = Object.freeze(['--no-memory-reducer']);

/**
 * The Node flags of a Hono server child: `--expose-gc` (the memory reads collect first), the shared
 * {@link HONO_SERVER_V8_FLAGS}, then what its setup's launch adds.
 */
export function honoServerExecArgv(launchExecArgv: readonly string[]): string[] {
  return ['--expose-gc', ...HONO_SERVER_V8_FLAGS, ...launchExecArgv];
}

/**
 * The flags of {@link HONO_SERVER_V8_FLAGS} that a server does not run with, from the `execArgv` it
 * reports when ready (what the child process really got, not what the parent meant to give it).
 */
export function missingServerV8Flags(serverExecArgv: readonly string[]): string[] {
  return HONO_SERVER_V8_FLAGS.filter((flag) => !serverExecArgv.includes(flag));
}

/**
 * The environment variable that sets a Hono server child's `keepAliveTimeout`, in ms (Node's
 * default when unset, as in `pnpm bench`). The cache count sets it: under valgrind a whole-heap
 * collection can hold the server's event loop longer than Node's default of 5 s (and the 1 s
 * `keepAliveTimeoutBuffer` Node 24 adds), and the server then closes every kept-alive connection
 * whose next request is waiting unread (its timers run before it reads), so autocannon sees
 * `ECONNRESET`. `hono-server-flags.test.ts` shows it on a real server and client.
 */
export const KEEP_ALIVE_TIMEOUT_ENV = 'BENCH_KEEP_ALIVE_TIMEOUT_MS';

/** The `keepAliveTimeout` set by {@link KEEP_ALIVE_TIMEOUT_ENV}, or undefined for Node's default; anything but a positive whole number of ms is an error. */
export function keepAliveTimeoutFrom(value: string | undefined): number | undefined {
  if (value === undefined || value === '') return undefined;
  const ms = Number(value);
  if (!Number.isSafeInteger(ms) || ms <= 0) throw new Error(`${KEEP_ALIVE_TIMEOUT_ENV}: expected a positive whole number of ms, got "${value}"`);
  return ms;
}

/** Setups started through `--import @kira/otel-core/register`, configured by environment only. */
const REGISTER_SETUPS: ReadonlySet<ServerSetup> = new Set(['kira', 'kira-unsampled', 'kira-floor', 'kira-inbound-on', 'sdk-empty', 'sdk-ctx', 'sdk-span-ctx']);
/** Setups whose middleware claims no SERVER span, so the http instrumentation's inbound side is turned off. */
const INBOUND_OFF_SETUPS: ReadonlySet<ServerSetup> = new Set(['kira-floor', 'sdk-empty', 'sdk-ctx', 'sdk-span-ctx']);

/** How a server child of `setup` is launched: what a real service would put on its command line. */
export function honoServerLaunch(setup: ServerSetup, endpoint: string, sampleRatio: number): { execArgv: string[]; env: Record<string, string> } {
  const env: Record<string, string> = { BENCH_OTLP_ENDPOINT: endpoint, BENCH_SAMPLE_RATIO: String(sampleRatio), NODE_ENV: 'production' };
  if (!REGISTER_SETUPS.has(setup)) return { execArgv: [], env };
  Object.assign(env, {
    KIRA_TELEMETRY: 'on',
    OTEL_EXPORTER_OTLP_ENDPOINT: endpoint,
    OTEL_SERVICE_NAME: `bench-${setup}`,
    OTEL_TRACES_SAMPLER_ARG: String(sampleRatio),
  });
  if (setup === 'kira-inbound-on') env.KIRA_HTTP_INBOUND = 'on';
  if (setup === 'kira-unsampled') env.OTEL_TRACES_SAMPLER_ARG = '0';
  // The floor middleware claims nothing: the instrumentation's inbound side is turned off by flag.
  if (INBOUND_OFF_SETUPS.has(setup)) env.KIRA_HTTP_INBOUND = 'off';
  // Resolved here so the child does not depend on its working directory.
  return { execArgv: ['--import', import.meta.resolve('@kira/otel-core/register')], env };
}

/** `BENCH_SETUPS=bare,kira` picks a subset (for profiling one setup); unknown names are an error. */
export function honoSetupsFrom(value: string | undefined): HonoSetup[] {
  if (value === undefined || value.trim() === '') return [...HONO_SETUPS];
  return setupsFrom(value, HONO_SETUPS, 'BENCH_SETUPS');
}

/**
 * The names in a comma list, each one of `known`; an unknown name is an error that says where the
 * list came from (`source`) and lists the known ones.
 */
export function setupsFrom<Setup extends string>(value: string, known: readonly Setup[], source: string): Setup[] {
  const names = value.split(',').map((name) => name.trim()).filter((name) => name !== '');
  for (const name of names) {
    if (!(known as readonly string[]).includes(name)) throw new Error(`${source}: unknown setup "${name}" (known: ${known.join(', ')})`);
  }
  return names as Setup[];
}
