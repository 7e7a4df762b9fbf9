// Which OpenTelemetry globals are registered, read from the API's own registry. The packages that
// skip all their work when telemetry is off (otelHono, tracedFetch, traceAITool) ask here, so they
// agree on what "off" means and pay one property read per global per call: asking the API instead
// builds proxy lookups, and `propagation.fields()` a fresh array, on every call.
//
// This package depends on no OpenTelemetry package. Every 1.x `@opentelemetry/api` keeps its
// globals on `globalThis[Symbol.for('opentelemetry.js.api.1')]`, one property per kind, written by
// `trace.setGlobalTracerProvider`, `metrics.setGlobalMeterProvider`, `logs.setGlobalLoggerProvider`
// (api >= 1.10), `propagation.setGlobalPropagator` and `context.setGlobalContextManager`, and
// deleted by their `disable()`. `opentelemetry-globals.test.ts` checks each kind against the
// installed API.

/** The description of the API 1.x globals registry's key: the registry is `globalThis[Symbol.for(it)]`. */
export const API_GLOBALS_KEY_DESCRIPTION = 'opentelemetry.js.api.1';
const API_GLOBALS_KEY = Symbol.for(API_GLOBALS_KEY_DESCRIPTION);

/** The kinds of global the OpenTelemetry API registers. */
export type OpenTelemetryGlobalKind = 'trace' | 'metrics' | 'logs' | 'propagation' | 'context';

type ApiGlobalsRegistry = Partial<Record<OpenTelemetryGlobalKind, unknown>> | undefined;

function apiGlobals(): ApiGlobalsRegistry {
  return (globalThis as Record<symbol, ApiGlobalsRegistry>)[API_GLOBALS_KEY];
}

/**
 * What is registered globally for `kind` (for `trace`, the API's proxy provider that delegates to
 * it), or `undefined` when nothing is. A replaced global is a different object, so a caller can
 * cache what it derived from one (a propagator's `fields()`) and notice the change.
 */
export function registeredOpenTelemetryGlobal(kind: OpenTelemetryGlobalKind): unknown {
  return apiGlobals()?.[kind];
}

/**
 * True when none of `kinds` is registered: no SDK set them up (telemetry off, development), so
 * every span, record, log or header injection through the API for those kinds would be a no-op.
 * A registry written by an incompatible API copy counts as registered: the caller then takes its
 * full path, which is merely slower.
 */
export function noOpenTelemetryGlobals(kinds: readonly OpenTelemetryGlobalKind[]): boolean {
  const globals = apiGlobals();
  if (globals === undefined) return true;
  for (const kind of kinds) if (globals[kind] !== undefined) return false;
  return true;
}
