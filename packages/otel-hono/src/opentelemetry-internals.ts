import { createContextKey, type Context, type Span } from '@opentelemetry/api';

// The one place this package reaches into OpenTelemetry internals. It may depend on
// `@opentelemetry/api` alone (a runtime library must never pull an SDK into a service), and the
// API offers no public way to do the things below. `opentelemetry-internals.test.ts`
// checks each against the installed @opentelemetry/* packages and fails naming the key.

/**
 * The shape @opentelemetry/core's `setRPCMetadata` stores; the http instrumentation reads
 * `route` back when the response closes to set `http.route` and rename its SERVER span.
 */
export interface HttpRpcMetadata {
  type: string;
  span: Span;
  route?: string;
}

/**
 * `getRPCMetadata` is public only in `@opentelemetry/core` (an SDK package). The API's
 * `createContextKey(description)` is `Symbol.for(description)`, so the same description is the
 * very key core uses.
 */
export const RPC_METADATA_KEY_DESCRIPTION = 'OpenTelemetry SDK Context Key RPC_METADATA';
const RPC_METADATA_KEY = createContextKey(RPC_METADATA_KEY_DESCRIPTION);

/** The http instrumentation's metadata for the current inbound request, if it is active. */
export function getHttpRpcMetadata(context: Context): HttpRpcMetadata | undefined {
  const value = context.getValue(RPC_METADATA_KEY) as HttpRpcMetadata | undefined;
  return value !== undefined && value.type === 'http' && value.span !== undefined ? value : undefined;
}

/**
 * The API's registry of globals (the key every 1.x `@opentelemetry/api` shares). The API exposes
 * `propagation.fields()` but not the propagator itself, and `fields()` builds a fresh array per
 * call; reading the registered instance tells when it was replaced, so the fields are asked once
 * per propagator instead of once per request.
 */
export const API_GLOBALS_KEY_DESCRIPTION = 'opentelemetry.js.api.1';
const API_GLOBALS = Symbol.for(API_GLOBALS_KEY_DESCRIPTION);

type ApiGlobals = { propagation?: unknown; trace?: unknown; metrics?: unknown } | undefined;

/** The registered global propagator, or `undefined` when the registry layout is not the known one. */
export function registeredGlobalPropagator(): unknown {
  return (globalThis as Record<symbol, ApiGlobals>)[API_GLOBALS]?.propagation;
}

/**
 * True when no tracer provider and no meter provider is registered globally (no SDK: telemetry
 * off, development): every span would be a no-op and every histogram record dropped. One property
 * read per request, where asking the API would build a proxy tracer's lookups each time.
 */
export function noGlobalTracingOrMetrics(): boolean {
  const globals = (globalThis as Record<symbol, ApiGlobals>)[API_GLOBALS];
  return globals === undefined || (globals.trace === undefined && globals.metrics === undefined);
}
