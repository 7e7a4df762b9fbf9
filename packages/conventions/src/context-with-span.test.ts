import { createContextKey, ROOT_CONTEXT, trace, type Context } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { ACTIVE_SPAN_KEY_DESCRIPTION, contextWithSpan } from './index';

describe('the OpenTelemetry API contextWithSpan relies on (against the installed package)', () => {
  it(`keeps the active span under Symbol.for("${ACTIVE_SPAN_KEY_DESCRIPTION}")`, () => {
    const span = trace.wrapSpanContext({ traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: 1 });
    // Named in the message, so an @opentelemetry/api upgrade that moves the key fails loudly here.
    const moved = `OpenTelemetry's active-span key "${ACTIVE_SPAN_KEY_DESCRIPTION}" moved: child spans would not find the span contextWithSpan makes active; update src/context-with-span.ts`;
    expect(trace.setSpan(ROOT_CONTEXT, span).getValue(Symbol.for(ACTIVE_SPAN_KEY_DESCRIPTION)), moved).toBe(span);
    expect(trace.getSpan(contextWithSpan(ROOT_CONTEXT, span)), moved).toBe(span);
  });
});

describe('contextWithSpan', () => {
  const remoteParent = trace.wrapSpanContext({ traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: 1, isRemote: true });
  const requestSpan = trace.wrapSpanContext({ traceId: '0af7651916cd43dd8448eb211c80319c', spanId: '00f067aa0ba902b7', traceFlags: 1 });
  const childSpan = trace.wrapSpanContext({ traceId: '0af7651916cd43dd8448eb211c80319c', spanId: '53995c3f42cd8ad8', traceFlags: 1 });
  const baggageKey = createContextKey('test baggage');
  const otherKey = createContextKey('test other');
  const parent = trace.setSpan(ROOT_CONTEXT.setValue(baggageKey, 'b1'), remoteParent);
  const keys = [Symbol.for(ACTIVE_SPAN_KEY_DESCRIPTION), baggageKey, otherKey];

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

  it.each([null, undefined, 'context', {}])('throws a TypeError naming the function for a parent that is not a context: %s', (notContext) => {
    const call = () => contextWithSpan(notContext as Context, requestSpan);
    expect(call).toThrow(TypeError);
    expect(call).toThrow(/^@kira\/conventions: contextWithSpan expects an OpenTelemetry context, got /);
  });
});
