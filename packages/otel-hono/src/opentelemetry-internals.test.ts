import { createRequire } from 'node:module';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createContextKey, propagation, ROOT_CONTEXT, trace, type Context, type TextMapPropagator } from '@opentelemetry/api';
import * as core from '@opentelemetry/core';
import { afterEach, describe, expect, it } from 'vitest';
import {
  API_GLOBALS_KEY_DESCRIPTION,
  RPC_METADATA_KEY_DESCRIPTION,
  SPAN_KEY_DESCRIPTION,
  contextWithSpan,
  getHttpRpcMetadata,
  registeredGlobalPropagator,
} from './opentelemetry-internals';

// Each check throws a message naming the key, so an @opentelemetry/* upgrade that moves it fails
// here, loudly, instead of silently losing route names or caching stale propagator fields.
function mustHold(condition: boolean, key: string, consequence: string): void {
  if (!condition) throw new Error(`OpenTelemetry internal "${key}" is no longer provided as expected: ${consequence}; update src/opentelemetry-internals.ts`);
}

afterEach(() => {
  propagation.disable();
});

describe('OpenTelemetry internals otel-hono relies on (against the installed packages)', () => {
  it(`@opentelemetry/core stores the RPC metadata under "${RPC_METADATA_KEY_DESCRIPTION}"`, () => {
    const span = trace.wrapSpanContext({ traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: 1 });
    const metadata: core.RPCMetadata = { type: core.RPCType.HTTP, span };
    const fromCore = core.setRPCMetadata(ROOT_CONTEXT, metadata);
    mustHold(getHttpRpcMetadata(fromCore) === metadata, RPC_METADATA_KEY_DESCRIPTION, 'otelHono would no longer see the http instrumentation\'s SERVER span');
    mustHold((core.RPCType.HTTP as string) === 'http', RPC_METADATA_KEY_DESCRIPTION, `RPCType.HTTP is now "${String(core.RPCType.HTTP)}"`);
    expect(getHttpRpcMetadata(ROOT_CONTEXT)).toBeUndefined();
  });

  it('@opentelemetry/instrumentation-http still names its SERVER span from the RPC metadata route', () => {
    // A static look at the installed build; the behaviour itself is covered end to end by
    // otel-core-auto.test.ts (the real instrumentation on a real server).
    const require = createRequire(import.meta.url);
    const distDir = dirname(require.resolve('@opentelemetry/instrumentation-http'));
    const source = readdirSync(distDir)
      .filter((file) => file.endsWith('.cjs'))
      .map((file) => readFileSync(join(distDir, file), 'utf8'))
      .join('\n');
    mustHold(
      source.includes('setRPCMetadata') && source.includes('getRPCMetadata') && source.includes('rpcMetadata.route'),
      RPC_METADATA_KEY_DESCRIPTION,
      'the http instrumentation no longer reads rpcMetadata.route to name its SERVER span',
    );
  });

  it(`@opentelemetry/api keeps its globals under Symbol.for("${API_GLOBALS_KEY_DESCRIPTION}")`, () => {
    const propagator: TextMapPropagator = { inject() {}, extract: (context) => context, fields: () => ['x-probe'] };
    propagation.setGlobalPropagator(propagator);
    mustHold(registeredGlobalPropagator() === propagator, API_GLOBALS_KEY_DESCRIPTION, 'a replaced propagator would not be noticed');
    expect(propagation.fields()).toEqual(['x-probe']);
  });

  it(`@opentelemetry/api keeps the active span under Symbol.for("${SPAN_KEY_DESCRIPTION}")`, () => {
    const span = trace.wrapSpanContext({ traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: 1 });
    const consequence = 'child spans would not find the request span as their parent';
    mustHold(trace.setSpan(ROOT_CONTEXT, span).getValue(Symbol.for(SPAN_KEY_DESCRIPTION)) === span, SPAN_KEY_DESCRIPTION, consequence);
    mustHold(trace.getSpan(contextWithSpan(ROOT_CONTEXT, span)) === span, SPAN_KEY_DESCRIPTION, consequence);
  });
});

describe('contextWithSpan', () => {
  const remoteParent = trace.wrapSpanContext({ traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: 1, isRemote: true });
  const requestSpan = trace.wrapSpanContext({ traceId: '0af7651916cd43dd8448eb211c80319c', spanId: '00f067aa0ba902b7', traceFlags: 1 });
  const childSpan = trace.wrapSpanContext({ traceId: '0af7651916cd43dd8448eb211c80319c', spanId: '53995c3f42cd8ad8', traceFlags: 1 });
  const baggageKey = createContextKey('test baggage');
  const otherKey = createContextKey('test other');
  const parent = trace.setSpan(ROOT_CONTEXT.setValue(baggageKey, 'b1'), remoteParent);
  const keys = [Symbol.for(SPAN_KEY_DESCRIPTION), baggageKey, otherKey];

  // The API's own context is the reference: every read after every write must agree with it.
  function readAll(context: Context): unknown[] {
    return keys.map((key) => context.getValue(key));
  }
  const operations: Array<[string, (context: Context) => Context]> = [
    ['nothing', (context) => context],
    ['set another key', (context) => context.setValue(otherKey, 'o1')],
    ['overwrite a parent key', (context) => context.setValue(baggageKey, 'b2')],
    ['set a child span', (context) => trace.setSpan(context, childSpan)],
    ['delete the span', (context) => trace.deleteSpan(context)],
    ['delete a parent key', (context) => context.deleteValue(baggageKey)],
    ['set a child span, then delete a parent key', (context) => trace.setSpan(context, childSpan).deleteValue(baggageKey)],
  ];

  it.each(operations)('reads like trace.setSpan after: %s', (_name, operation) => {
    const expected = readAll(operation(trace.setSpan(parent, requestSpan)));
    expect(readAll(operation(contextWithSpan(parent, requestSpan)))).toEqual(expected);
  });

  it('leaves the parent unchanged and replaces a span it already holds', () => {
    const context = contextWithSpan(parent, requestSpan);
    context.setValue(otherKey, 'o1');
    trace.deleteSpan(context);
    expect(readAll(parent)).toEqual([remoteParent, 'b1', undefined]);
    const nested = contextWithSpan(context, childSpan);
    expect(readAll(nested)).toEqual([childSpan, 'b1', undefined]);
    expect(trace.getSpan(trace.deleteSpan(nested))).toBeUndefined();
  });
});
