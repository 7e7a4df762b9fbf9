import { ROOT_CONTEXT, SpanKind, trace, TraceFlags, type Context, type SpanContext, type TextMapSetter } from '@opentelemetry/api';
import { suppressTracing, TraceState, W3CTraceContextPropagator } from '@opentelemetry/core';
import { describe, expect, it } from 'vitest';
import { declareSpanContextIdsValid, spanContextIdsKnownValid } from '@kira/conventions';
import { ParentBasedTracerProvider } from './parent-based-tracer-provider';
import { PooledIdGenerator } from './pooled-id-generator';
import { TraceContextPropagator } from './trace-context-propagator';

const recordSetter: TextMapSetter<Record<string, string>> = { set: (carrier, key, value) => (carrier[key] = value) };

function headersFrom(propagator: W3CTraceContextPropagator, context: Context): Record<string, string> {
  const headers: Record<string, string> = {};
  propagator.inject(context, headers, recordSetter);
  return headers;
}

function tracer(sampleRatio: number) {
  return new ParentBasedTracerProvider({ sampleRatio, idGenerator: new PooledIdGenerator() }).getTracer('propagator-test');
}

describe('TraceContextPropagator', () => {
  it("writes the SDK propagator's headers for every kind of context", () => {
    const remoteState = new TraceState('vendor=value,other=1');
    const remoteUnsampled = trace.wrapSpanContext({ traceId: 'a'.repeat(32), spanId: 'b'.repeat(16), traceFlags: TraceFlags.NONE, isRemote: true, traceState: remoteState });
    const remoteSampled = trace.wrapSpanContext({ traceId: 'c'.repeat(32), spanId: 'd'.repeat(16), traceFlags: TraceFlags.SAMPLED, isRemote: true, traceState: remoteState });
    const sampledRoot = tracer(1).startSpan('sampled root', { kind: SpanKind.SERVER });
    const droppedRoot = tracer(0).startSpan('dropped root', { kind: SpanKind.SERVER });
    const contexts: Record<string, Context> = {
      'no span': ROOT_CONTEXT,
      'a sampled root span of the tracer': trace.setSpan(ROOT_CONTEXT, sampledRoot),
      'a dropped root span of the tracer': trace.setSpan(ROOT_CONTEXT, droppedRoot),
      'a dropped child of a remote parent with trace state': trace.setSpan(ROOT_CONTEXT, tracer(1).startSpan('child', {}, trace.setSpan(ROOT_CONTEXT, remoteUnsampled))),
      'a sampled child of a remote parent with trace state': trace.setSpan(ROOT_CONTEXT, tracer(0).startSpan('child', {}, trace.setSpan(ROOT_CONTEXT, remoteSampled))),
      'a remote span context': trace.setSpan(ROOT_CONTEXT, remoteSampled),
      'a span context with an all-zero span id': trace.setSpanContext(ROOT_CONTEXT, { traceId: 'e'.repeat(32), spanId: '0'.repeat(16), traceFlags: TraceFlags.SAMPLED }),
      'a span context with upper-case ids': trace.setSpanContext(ROOT_CONTEXT, { traceId: 'E'.repeat(32), spanId: 'F'.repeat(16), traceFlags: TraceFlags.SAMPLED }),
      'a span context with flags above 15': trace.setSpanContext(ROOT_CONTEXT, { traceId: 'e'.repeat(32), spanId: 'f'.repeat(16), traceFlags: 0x13 }),
      'suppressed tracing around a span of the tracer': suppressTracing(trace.setSpan(ROOT_CONTEXT, sampledRoot)),
    };
    const sdk = new W3CTraceContextPropagator();
    const ours = new TraceContextPropagator();
    for (const [name, context] of Object.entries(contexts)) {
      expect({ name, headers: headersFrom(ours, context) }).toEqual({ name, headers: headersFrom(sdk, context) });
    }
    // The comparison covers both paths: the tracer's own span contexts and the SDK's check.
    expect(spanContextIdsKnownValid(sampledRoot.spanContext())).toBe(true);
    expect(spanContextIdsKnownValid(droppedRoot.spanContext())).toBe(true);
    expect(spanContextIdsKnownValid(remoteSampled.spanContext())).toBe(false);
    expect(headersFrom(ours, contexts['a dropped child of a remote parent with trace state']!)).toEqual({
      traceparent: expect.stringMatching(new RegExp(`^00-${'a'.repeat(32)}-[0-9a-f]{16}-00$`)),
      tracestate: 'vendor=value,other=1',
    });
  });

  it('trusts the ids of a span context class declared valid, and checks every other one', () => {
    // A declared class is trusted as declared: its ids are not run through the regular expressions
    // again (here deliberately invalid, to show the check is skipped; otel-core's own class only
    // ever holds generated or checked ids).
    class DeclaredSpanContext implements SpanContext {
      readonly traceId = 'a'.repeat(32);
      readonly spanId = '0'.repeat(16);
      readonly traceFlags = TraceFlags.SAMPLED;
    }
    declareSpanContextIdsValid(DeclaredSpanContext);
    const declared = trace.setSpanContext(ROOT_CONTEXT, new DeclaredSpanContext());
    const undeclared = trace.setSpanContext(ROOT_CONTEXT, { traceId: 'a'.repeat(32), spanId: '0'.repeat(16), traceFlags: TraceFlags.SAMPLED });
    expect(headersFrom(new TraceContextPropagator(), declared)).toEqual({ traceparent: `00-${'a'.repeat(32)}-${'0'.repeat(16)}-01` });
    expect(headersFrom(new TraceContextPropagator(), undeclared)).toEqual({});
    expect(headersFrom(new W3CTraceContextPropagator(), declared)).toEqual({});
  });

  it("extracts and lists its fields as the SDK's propagator does", () => {
    const carrier = { traceparent: `00-${'a'.repeat(32)}-${'b'.repeat(16)}-01`, tracestate: 'vendor=value' };
    const getter = { get: (headers: Record<string, string>, key: string) => headers[key], keys: (headers: Record<string, string>) => Object.keys(headers) };
    const extracted = trace.getSpanContext(new TraceContextPropagator().extract(ROOT_CONTEXT, carrier, getter));
    expect(extracted).toMatchObject({ traceId: 'a'.repeat(32), spanId: 'b'.repeat(16), traceFlags: TraceFlags.SAMPLED, isRemote: true });
    expect(extracted?.traceState?.serialize()).toBe('vendor=value');
    expect(new TraceContextPropagator().fields()).toEqual(new W3CTraceContextPropagator().fields());
  });
});
