import { trace, TraceFlags, type Context, type TextMapSetter } from '@opentelemetry/api';
import { isTracingSuppressed, TRACE_PARENT_HEADER, TRACE_STATE_HEADER, W3CTraceContextPropagator } from '@opentelemetry/core';
import { spanContextIdsKnownValid } from '@kira/conventions';

/**
 * The SDK's W3C trace context propagator, without its re-check of ids this process generated.
 *
 * Every outgoing `fetch` and `http.request` injects `traceparent` for the span the undici or http
 * instrumentation just started, and the SDK's `inject` first runs `isSpanContextValid` (two regular
 * expressions over the ids) on it. That span comes from otel-core's tracer, whose span contexts
 * are declared valid to `@kira/conventions` (`GeneratedSpanContext`): for those the header is
 * written here, in the same format, without the check. Every other span context (a propagated
 * parent, another tracer's span) goes through the SDK's `inject` unchanged, and `extract` and
 * `fields` are the SDK's. `trace-context-propagator.test.ts` compares both on the same contexts.
 */
export class TraceContextPropagator extends W3CTraceContextPropagator {
  override inject(context: Context, carrier: unknown, setter: TextMapSetter): void {
    const spanContext = trace.getSpanContext(context);
    if (spanContext === undefined || !spanContextIdsKnownValid(spanContext)) {
      super.inject(context, carrier, setter);
      return;
    }
    if (isTracingSuppressed(context)) return;
    // The SDK's format, flags included (`0` and the flags in hex), so the header is the same string.
    setter.set(carrier, TRACE_PARENT_HEADER, `00-${spanContext.traceId}-${spanContext.spanId}-0${Number(spanContext.traceFlags || TraceFlags.NONE).toString(16)}`);
    if (spanContext.traceState) setter.set(carrier, TRACE_STATE_HEADER, spanContext.traceState.serialize());
  }
}
