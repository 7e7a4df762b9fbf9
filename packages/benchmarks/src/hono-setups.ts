/**
 * - `bare`: Hono on @hono/node-server, no telemetry (the baseline).
 * - `bare-again`: a second, identical bare server (A/A: its ratio to `bare` is the noise band).
 * - `bare-middleware`: bare plus one empty `async (c, next) => { await next() }` middleware: the
 *   cost of having any middleware at all (Hono then leaves its synchronous fast path).
 * - `kira-off`: the documented code with telemetry off (the development path).
 * - `kira-floor`: otel-core as in `kira`, but the middleware does only what any API-based SERVER
 *   span + histogram must do (start a span, run `next` in its context, end it, one histogram
 *   record with a constant attribute object): the SDK's own floor, whatever otel-hono does.
 * - `kira`: the documented setup: otel-core with `http: { inbound: false }`, otel-hono owning
 *   the SERVER span (`spanOwnership: 'middleware'`), which records `http_request_duration_ms`
 *   through @kira/metrics; 10 % sampling, OTLP/protobuf to the local sink.
 * - `kira-auto`: otel-core defaults (http inbound on) + otel-hono naming the instrumentation's span.
 * - `usual`: NodeSDK + http + undici instrumentations, 10 % ratio sampler, batch OTLP export.
 * - `usual-hono-otel`: `usual` plus an @hono/otel-like middleware (its own nested SERVER span).
 */
export const HONO_SETUPS = ['bare', 'bare-again', 'bare-middleware', 'kira', 'kira-floor', 'kira-off', 'kira-auto', 'usual', 'usual-hono-otel'] as const;
export type HonoSetup = (typeof HONO_SETUPS)[number];
