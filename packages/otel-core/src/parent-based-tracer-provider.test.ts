import { context, ROOT_CONTEXT, SpanKind, trace, TraceFlags, type Span } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { suppressTracing, TraceState, W3CTraceContextPropagator } from '@opentelemetry/core';
import {
  InMemorySpanExporter,
  ParentBasedSampler,
  SimpleSpanProcessor,
  TraceIdRatioBasedSampler,
  SamplingDecision,
  TracerProvider,
  type IdGenerator,
} from '@opentelemetry/sdk-trace';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { spanContextIdsKnownValid } from '@kira/conventions';
import { ParentBasedTracerProvider, traceIdRatioUpperBound } from './parent-based-tracer-provider';
import { PooledIdGenerator } from './pooled-id-generator';

/** Replays given trace ids, so the SDK's own provider can be asked about exactly those. */
class ReplayedTraceIds implements IdGenerator {
  private readonly spanIds = new PooledIdGenerator();
  constructor(private readonly traceIds: string[]) {}
  generateTraceId(): string {
    return this.traceIds.shift()!;
  }
  generateSpanId(): string {
    return this.spanIds.generateSpanId();
  }
}

function providers(sampleRatio: number) {
  const ourSpans = new InMemorySpanExporter();
  const ours = new ParentBasedTracerProvider({
    sampleRatio,
    idGenerator: new PooledIdGenerator(),
    spanProcessors: [new SimpleSpanProcessor({ exporter: ourSpans })],
  });
  return { ours, ourSpans };
}

const describeSpan = (span: Span) => ({ recording: span.isRecording(), traceId: span.spanContext().traceId, flags: span.spanContext().traceFlags });

describe('ParentBasedTracerProvider', () => {
  afterEach(() => context.disable());

  it('makes the SDK ParentBased(TraceIdRatioBased) decision for every root span, on the same trace ids', async () => {
    const { ours, ourSpans } = providers(0.25);
    const ourTracer = ours.getTracer('t');
    const ourResults = [];
    for (let index = 0; index < 4_000; index++) {
      const span = ourTracer.startSpan('GET', { kind: SpanKind.SERVER });
      ourResults.push(describeSpan(span));
      span.end();
    }
    const sdkSpans = new InMemorySpanExporter();
    const sdk = new TracerProvider({
      sampler: new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(0.25) }),
      idGenerator: new ReplayedTraceIds(ourResults.map((result) => result.traceId)),
      spanProcessors: [new SimpleSpanProcessor({ exporter: sdkSpans })],
    });
    const sdkResults = ourResults.map(() => {
      const span = sdk.getTracer('t').startSpan('GET', { kind: SpanKind.SERVER });
      const described = describeSpan(span);
      span.end();
      return described;
    });
    await Promise.all([ours.forceFlush(), sdk.forceFlush()]);

    expect(ourResults).toEqual(sdkResults);
    const sampled = ourResults.filter((result) => result.recording);
    expect(sampled.length).toBeGreaterThan(700);
    expect(sampled.length).toBeLessThan(1_300);
    for (const result of ourResults) expect(result.flags).toBe(result.recording ? TraceFlags.SAMPLED : TraceFlags.NONE);
    // Exactly the recorded spans are exported, with the trace id they were sampled on.
    expect(ourSpans.getFinishedSpans().map((span) => span.spanContext().traceId)).toEqual(sampled.map((result) => result.traceId));
    expect(sdkSpans.getFinishedSpans()).toHaveLength(sampled.length);
  });

  it('does not have the SDK decide a second time for a root span it sampled, and leaves it every other decision', () => {
    const ratioSampler = vi.spyOn(TraceIdRatioBasedSampler.prototype, 'shouldSample');
    try {
      const { ours } = providers(1);
      const tracer = ours.getTracer('t');
      for (let index = 0; index < 100; index++) {
        const span = tracer.startSpan('GET', { kind: SpanKind.SERVER });
        expect(span.isRecording()).toBe(true);
        span.end();
      }
      expect(ratioSampler).not.toHaveBeenCalled();
      // `root: true` goes to the SDK as it is, and the SDK's sampler decides it.
      tracer.startSpan('GET', { root: true }).end();
      expect(ratioSampler).toHaveBeenCalledTimes(1);
    } finally {
      ratioSampler.mockRestore();
    }
  });

  it('decides from the id bytes exactly as TraceIdRatioBased parses the hex, for every ratio', () => {
    const ids = new PooledIdGenerator();
    for (const ratio of [0, 1e-9, 0.1, 0.25, 0.5, 0.999, 1, -1, 2, Number.NaN]) {
      const sdkSampler = new TraceIdRatioBasedSampler(ratio);
      const bound = traceIdRatioUpperBound(ratio);
      for (let index = 0; index < 3_000; index++) {
        const traceId = ids.generateTraceId();
        const sdkSampled = sdkSampler.shouldSample(ROOT_CONTEXT, traceId).decision === SamplingDecision.RECORD_AND_SAMPLED;
        expect(ids.lastTraceIdWordsXor < bound).toBe(sdkSampled);
      }
    }
  });

  it('children follow their parent: dropped under a dropped parent (same trace, parent trace state), recorded under a sampled one', async () => {
    const { ours, ourSpans } = providers(0.5);
    const tracer = ours.getTracer('t');
    let sampledParent: Span | undefined;
    let droppedParent: Span | undefined;
    while (sampledParent === undefined || droppedParent === undefined) {
      const span = tracer.startSpan('root');
      if (span.isRecording()) sampledParent ??= span;
      else droppedParent ??= span;
    }
    const droppedChild = tracer.startSpan('child', {}, trace.setSpan(ROOT_CONTEXT, droppedParent));
    expect(droppedChild.isRecording()).toBe(false);
    expect(droppedChild.spanContext().traceId).toBe(droppedParent.spanContext().traceId);
    expect(droppedChild.spanContext().spanId).not.toBe(droppedParent.spanContext().spanId);
    expect(droppedChild.spanContext().traceFlags).toBe(TraceFlags.NONE);

    const sampledChild = tracer.startSpan('child', {}, trace.setSpan(ROOT_CONTEXT, sampledParent));
    expect(sampledChild.isRecording()).toBe(true);
    sampledChild.end();
    await ours.forceFlush();
    const exported = ourSpans.getFinishedSpans().find((span) => span.name === 'child');
    expect(exported?.parentSpanContext?.spanId).toBe(sampledParent.spanContext().spanId);
    expect(exported?.spanContext().traceId).toBe(sampledParent.spanContext().traceId);

    // A dropped request span still propagates its trace to the services it calls.
    const headers: Record<string, string> = {};
    new W3CTraceContextPropagator().inject(trace.setSpan(ROOT_CONTEXT, droppedChild), headers, { set: (carrier, key, value) => (carrier[key] = value) });
    expect(headers.traceparent).toBe(`00-${droppedParent.spanContext().traceId}-${droppedChild.spanContext().spanId}-00`);

    // A remote caller that did not sample: dropped, its trace id and trace state propagated on.
    const traceState = new TraceState('vendor=value');
    const remote = trace.wrapSpanContext({ traceId: 'a'.repeat(32), spanId: 'b'.repeat(16), traceFlags: TraceFlags.NONE, isRemote: true, traceState });
    const underRemote = tracer.startSpan('server', { kind: SpanKind.SERVER }, trace.setSpan(ROOT_CONTEXT, remote));
    expect(underRemote.isRecording()).toBe(false);
    expect(underRemote.spanContext().traceId).toBe('a'.repeat(32));
    expect(underRemote.spanContext().traceState?.serialize()).toBe('vendor=value');
    // A remote caller that sampled: recorded whatever the ratio says.
    const sampledRemote = trace.wrapSpanContext({ traceId: 'c'.repeat(32), spanId: 'd'.repeat(16), traceFlags: TraceFlags.SAMPLED, isRemote: true });
    expect(tracer.startSpan('server', {}, trace.setSpan(ROOT_CONTEXT, sampledRemote)).isRecording()).toBe(true);
  });

  it('trusts the ids of the spans it started, and checks every other parent', () => {
    const { ours } = providers(0);
    const tracer = ours.getTracer('t');
    const own = tracer.startSpan('root').spanContext();
    expect(trace.isSpanContextValid(own)).toBe(true);
    expect(spanContextIdsKnownValid(own)).toBe(true);
    const child = tracer.startSpan('child', {}, trace.setSpan(ROOT_CONTEXT, trace.wrapSpanContext(own))).spanContext();
    expect(child.traceId).toBe(own.traceId);
    // The child's ids are as valid as its parent's: its trace id is the parent's, its span id fresh.
    expect(spanContextIdsKnownValid(child) && trace.isSpanContextValid(child)).toBe(true);

    // A parent from anywhere else (a propagator, another tracer) is validated: an invalid one is
    // no parent, and the span starts a trace of its own, as under the SDK's ParentBased sampler.
    const invalidParents = [
      { traceId: 'z'.repeat(32), spanId: 'b'.repeat(16), traceFlags: TraceFlags.SAMPLED },
      { traceId: '0'.repeat(32), spanId: 'b'.repeat(16), traceFlags: TraceFlags.SAMPLED },
      { traceId: 'a'.repeat(32), spanId: '0'.repeat(16), traceFlags: TraceFlags.SAMPLED },
    ];
    for (const parent of invalidParents) {
      const child = tracer.startSpan('child', {}, trace.setSpan(ROOT_CONTEXT, trace.wrapSpanContext(parent))).spanContext();
      expect(trace.isSpanContextValid(child)).toBe(true);
      expect(child.traceId).not.toBe(parent.traceId);
      // Ratio 0: only a (wrongly) followed sampled parent could have sampled it.
      expect(child.traceFlags).toBe(TraceFlags.NONE);
    }
  });

  it('records sampled spans and root: true spans of one tracer under one scope object, as the SDK does', async () => {
    const { ours, ourSpans } = providers(1);
    const tracer = ours.getTracer('scoped', '2.0.0', { schemaUrl: 'https://opentelemetry.io/schemas/1.37.0' });
    tracer.startSpan('ours').end();
    tracer.startSpan('the SDK tracer', { root: true }).end();
    await ours.forceFlush();
    const [recorded, sdkMade] = ourSpans.getFinishedSpans();
    expect(recorded?.instrumentationScope).toEqual({ name: 'scoped', version: '2.0.0', schemaUrl: 'https://opentelemetry.io/schemas/1.37.0' });
    // One object: an export request groups its spans by it into one ScopeSpans.
    expect(recorded?.instrumentationScope).toBe(sdkMade?.instrumentationScope);
    expect(recorded?.resource).toBe(sdkMade?.resource);
  });

  it('leaves root: true, suppressed tracing and startActiveSpan working as in the SDK', () => {
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    const { ours } = providers(1);
    const tracer = ours.getTracer('t');
    const parent = tracer.startSpan('parent');
    const root = tracer.startSpan('new root', { root: true }, trace.setSpan(ROOT_CONTEXT, parent));
    expect(root.isRecording()).toBe(true);
    expect(root.spanContext().traceId).not.toBe(parent.spanContext().traceId);
    expect(trace.isSpanContextValid(tracer.startSpan('x', {}, suppressTracing(ROOT_CONTEXT)).spanContext())).toBe(false);

    const returned = tracer.startActiveSpan('active', { kind: SpanKind.INTERNAL }, (span) => {
      expect(trace.getSpan(context.active())).toBe(span);
      span.end();
      return 42;
    });
    expect(returned).toBe(42);
    expect(tracer.startActiveSpan('two-args', (span) => span.isRecording())).toBe(true);
    expect(ours.getTracer('t')).toBe(tracer);
  });
});
