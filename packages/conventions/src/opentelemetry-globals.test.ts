import {
  context,
  createNoopMeter,
  logs,
  metrics,
  propagation,
  ProxyTracerProvider,
  ROOT_CONTEXT,
  trace,
  type ContextManager,
  type LoggerProvider,
  type MeterProvider,
  type TextMapPropagator,
  type TracerProvider,
} from '@opentelemetry/api';
import { afterEach, describe, expect, it } from 'vitest';
import { API_GLOBALS_KEY_DESCRIPTION, noOpenTelemetryGlobals, noOpenTelemetryGlobalsCheck, registeredOpenTelemetryGlobal, type OpenTelemetryGlobalKind } from './index';

// Minimal globals of each kind, registered through the API's own setters.
const tracerProvider: TracerProvider = new ProxyTracerProvider();
const meterProvider: MeterProvider = { getMeter: () => createNoopMeter() };
const loggerProvider: LoggerProvider = logs.getLoggerProvider();
const propagator: TextMapPropagator = { inject() {}, extract: (carrier) => carrier, fields: () => ['x-probe'] };
const contextManager: ContextManager = {
  active: () => ROOT_CONTEXT,
  with: (_context, fn, thisArg, ...args) => fn.call(thisArg, ...args),
  bind: (_context, target) => target,
  enable() {
    return this;
  },
  disable() {
    return this;
  },
};

// Each kind: how the API registers it, how it unregisters it, and what the registry then holds.
const KINDS: Array<[OpenTelemetryGlobalKind, () => void, () => void, (registered: unknown) => boolean]> = [
  ['trace', () => trace.setGlobalTracerProvider(tracerProvider), () => trace.disable(), (registered) => registered instanceof ProxyTracerProvider && registered.getDelegate() === tracerProvider],
  ['metrics', () => metrics.setGlobalMeterProvider(meterProvider), () => metrics.disable(), (registered) => registered === meterProvider],
  ['logs', () => logs.setGlobalLoggerProvider(loggerProvider), () => logs.disable(), (registered) => registered === loggerProvider],
  ['propagation', () => propagation.setGlobalPropagator(propagator), () => propagation.disable(), (registered) => registered === propagator],
  ['context', () => context.setGlobalContextManager(contextManager), () => context.disable(), (registered) => registered === contextManager],
];
const ALL_KINDS = KINDS.map(([kind]) => kind);

afterEach(() => {
  for (const [, , unregister] of KINDS) unregister();
});

// The message names the key, so an @opentelemetry/api upgrade that moves a global fails loudly here
// instead of otelHono, tracedFetch and traceAITool skipping their work with telemetry on.
function moved(kind: string): string {
  return `@opentelemetry/api no longer keeps its "${kind}" global on Symbol.for("${API_GLOBALS_KEY_DESCRIPTION}"); update src/opentelemetry-globals.ts`;
}

describe('the OpenTelemetry API registry the telemetry-off checks read (against the installed package)', () => {
  it('reports nothing registered before any SDK starts', () => {
    for (const kind of ALL_KINDS) expect(registeredOpenTelemetryGlobal(kind), kind).toBeUndefined();
    expect(noOpenTelemetryGlobals(ALL_KINDS)).toBe(true);
  });

  it.each(KINDS)('sees a registered "%s" global, and its removal', (kind, register, unregister, isTheRegistered) => {
    // Made before the SDK starts, as a middleware is: it reads the registry on every call.
    const check = noOpenTelemetryGlobalsCheck([kind]);
    expect(check()).toBe(true);
    register();
    expect(check(), moved(kind)).toBe(false);
    expect(isTheRegistered(registeredOpenTelemetryGlobal(kind)), moved(kind)).toBe(true);
    expect(noOpenTelemetryGlobals([kind]), moved(kind)).toBe(false);
    expect(noOpenTelemetryGlobals(ALL_KINDS)).toBe(false);
    // The other kinds stay unregistered: one registered global does not turn the others on.
    const others = ALL_KINDS.filter((other) => other !== kind);
    expect(noOpenTelemetryGlobals(others)).toBe(true);

    unregister();
    expect(check()).toBe(true);
    expect(registeredOpenTelemetryGlobal(kind), moved(kind)).toBeUndefined();
    expect(noOpenTelemetryGlobals(ALL_KINDS)).toBe(true);
  });

  it('answers true for an empty list of kinds', () => {
    propagation.setGlobalPropagator(propagator);
    expect(noOpenTelemetryGlobals([])).toBe(true);
    expect(noOpenTelemetryGlobalsCheck([])()).toBe(true);
  });

  it('keeps the kinds it was made with when the caller changes its list afterwards', () => {
    const kinds: OpenTelemetryGlobalKind[] = ['trace'];
    const check = noOpenTelemetryGlobalsCheck(kinds);
    kinds[0] = 'propagation';
    propagation.setGlobalPropagator(propagator);
    expect(check()).toBe(true);
    trace.setGlobalTracerProvider(tracerProvider);
    expect(check()).toBe(false);
  });
});

describe('bad input', () => {
  // A misspelt kind would otherwise read as "nothing registered": telemetry off with an SDK running.
  it.each<[string, () => unknown, RegExp]>([
    ['a misspelt kind', () => registeredOpenTelemetryGlobal('tracing' as OpenTelemetryGlobalKind), /registeredOpenTelemetryGlobal expects one of "trace", "metrics", "logs", "propagation", "context", got .*tracing/],
    ['a kind that is not a string', () => registeredOpenTelemetryGlobal(undefined as unknown as OpenTelemetryGlobalKind), /registeredOpenTelemetryGlobal expects one of/],
    ['a single kind instead of a list', () => noOpenTelemetryGlobals('trace' as unknown as OpenTelemetryGlobalKind[]), /noOpenTelemetryGlobals expects a list of kinds/],
    ['a misspelt kind in the list', () => noOpenTelemetryGlobals(['trace', 'metric' as OpenTelemetryGlobalKind]), /noOpenTelemetryGlobals expects one of .*metric.*\(kinds\[1\]\)/],
    // Checked when the check is made, not on the first request.
    ['a misspelt kind for a check', () => noOpenTelemetryGlobalsCheck(['trace', 'metric' as OpenTelemetryGlobalKind]), /noOpenTelemetryGlobalsCheck expects one of .*metric.*\(kinds\[1\]\)/],
    ['a single kind instead of a list for a check', () => noOpenTelemetryGlobalsCheck('trace' as unknown as OpenTelemetryGlobalKind[]), /noOpenTelemetryGlobalsCheck expects a list of kinds/],
  ])('%s is a TypeError naming the function', (_name, call, message) => {
    expect(call).toThrow(TypeError);
    expect(call).toThrow(message);
  });

  it('checks every kind even when an earlier one is registered', () => {
    propagation.setGlobalPropagator(propagator);
    expect(() => noOpenTelemetryGlobals(['propagation', 'bogus' as OpenTelemetryGlobalKind])).toThrow(TypeError);
  });
});
