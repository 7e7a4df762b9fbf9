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

import { argumentError } from './values';

/** The description of the API 1.x globals registry's key: the registry is `globalThis[Symbol.for(it)]`. */
export const API_GLOBALS_KEY_DESCRIPTION = 'opentelemetry.js.api.1';
const API_GLOBALS_KEY = Symbol.for(API_GLOBALS_KEY_DESCRIPTION);

/** The kinds of global the OpenTelemetry API registers. */
export type OpenTelemetryGlobalKind = 'trace' | 'metrics' | 'logs' | 'propagation' | 'context';

/**
 * The globals an HTTP instrumentation's work goes through: its span (`trace`), its duration
 * histogram (`metrics`) and the W3C headers it reads or writes (`propagation`). With none of them
 * registered, otelHono and tracedFetch have nothing to do. A propagator alone still counts as on:
 * a service that registers only a context manager and the W3C propagator passes its callers'
 * `traceparent` on to the services it calls, as the API's no-op tracer does for any
 * instrumentation.
 */
export const HTTP_TELEMETRY_GLOBALS: readonly OpenTelemetryGlobalKind[] = Object.freeze(['trace', 'metrics', 'propagation']);

const KINDS: ReadonlySet<string> = new Set<OpenTelemetryGlobalKind>(['trace', 'metrics', 'logs', 'propagation', 'context']);
const EXPECTED_KIND = `one of ${[...KINDS].map((kind) => `"${kind}"`).join(', ')}`;

// A misspelt kind would read as "nothing registered", i.e. telemetry off: refused instead.
function checkKind(fn: string, kind: unknown, where = ''): asserts kind is OpenTelemetryGlobalKind {
  if (typeof kind !== 'string' || !KINDS.has(kind)) throw argumentError(fn, EXPECTED_KIND, kind, where);
}

type ApiGlobalsRegistry = Partial<Record<OpenTelemetryGlobalKind, unknown>> | undefined;

function apiGlobals(): ApiGlobalsRegistry {
  return (globalThis as Record<symbol, ApiGlobalsRegistry>)[API_GLOBALS_KEY];
}

/**
 * What is registered globally for `kind` (for `trace`, the API's proxy provider that delegates to
 * it), or `undefined` when nothing is. A replaced global is a different object, so a caller can
 * cache what it derived from one (a propagator's `fields()`) and notice the change. Throws a
 * `TypeError` for an unknown kind.
 */
export function registeredOpenTelemetryGlobal(kind: OpenTelemetryGlobalKind): unknown {
  checkKind('registeredOpenTelemetryGlobal', kind);
  return apiGlobals()?.[kind];
}

/**
 * True when none of `kinds` is registered: no SDK set them up (telemetry off, development), so
 * every span, record, log or header injection through the API for those kinds would be a no-op.
 * A registry written by an incompatible API copy counts as registered: the caller then takes its
 * full path, which is merely slower. Throws a `TypeError` for anything but a list of known kinds.
 * A per-request path should use {@link noOpenTelemetryGlobalsCheck}, which checks the list once.
 */
export function noOpenTelemetryGlobals(kinds: readonly OpenTelemetryGlobalKind[]): boolean {
  checkKinds('noOpenTelemetryGlobals', kinds);
  return noneRegistered(kinds);
}

/**
 * {@link noOpenTelemetryGlobals} for a fixed list: the list is checked (and copied) once, here, and
 * the returned function only reads the registry, on every call, so it follows an SDK that starts
 * or stops later. For code that asks once per request or call. Checking the list and reading every
 * kind on each call cost 1.2–1.6 µs on a request that followed 50 µs of idle CPU on the benchmark
 * VM, against 0.2 µs back to back; a plain read of the registry cost too little to measure
 * (packages/benchmarks/README.md).
 *
 * @example
 * const httpTelemetryOff = noOpenTelemetryGlobalsCheck(HTTP_TELEMETRY_GLOBALS);
 * if (httpTelemetryOff()) return next();
 */
export function noOpenTelemetryGlobalsCheck(kinds: readonly OpenTelemetryGlobalKind[]): () => boolean {
  checkKinds('noOpenTelemetryGlobalsCheck', kinds);
  const fixed: readonly OpenTelemetryGlobalKind[] = Object.freeze([...kinds]);
  return () => noneRegistered(fixed);
}

// Every kind is checked before any is read, so a misspelt kind fails every time, whatever is registered.
function checkKinds(fn: string, kinds: unknown): asserts kinds is readonly OpenTelemetryGlobalKind[] {
  if (!Array.isArray(kinds)) throw argumentError(fn, `a list of kinds, each ${EXPECTED_KIND}`, kinds);
  for (let index = 0; index < kinds.length; index++) checkKind(fn, kinds[index], ` (kinds[${index}])`);
}

function noneRegistered(kinds: readonly OpenTelemetryGlobalKind[]): boolean {
  const globals = apiGlobals();
  if (globals === undefined) return true;
  for (let index = 0; index < kinds.length; index++) {
    if (globals[kinds[index]!] !== undefined) return false;
  }
  return true;
}
