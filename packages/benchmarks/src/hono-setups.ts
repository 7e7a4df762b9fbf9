/**
 * - `bare`: Hono on @hono/node-server, no telemetry (the baseline).
 * - `kira`: the documented setup: otel-core with `http: { inbound: false }`, otel-hono owning
 *   the SERVER span (`spanOwnership: 'middleware'`), which records `http_request_duration_ms`
 *   through @kira/metrics; 10 % sampling, OTLP/protobuf to the local sink.
 * - `kira-auto`: otel-core defaults (http inbound on) + otel-hono naming the instrumentation's span.
 * - `usual`: NodeSDK + http + undici instrumentations, 10 % ratio sampler, batch OTLP export.
 * - `usual-hono-otel`: `usual` plus an @hono/otel-like middleware (its own nested SERVER span).
 */
export const HONO_SETUPS = ['bare', 'kira', 'kira-auto', 'usual', 'usual-hono-otel'] as const;
export type HonoSetup = (typeof HONO_SETUPS)[number];
