import {
  context as contextApi,
  SamplingDecision,
  trace,
  TraceFlags,
  type Attributes,
  type Context,
  type Link,
  type Span,
  type SpanContext,
  type SpanKind,
  type SpanOptions,
  type Tracer,
} from '@opentelemetry/api';
import { isTracingSuppressed } from '@opentelemetry/core';
import { contextWithSpan } from '@kira/conventions';
import {
  ParentBasedSampler,
  TraceIdRatioBasedSampler,
  TracerProvider,
  type IdGenerator,
  type Sampler,
  type SamplingResult,
  type TracerProviderOptions,
} from '@opentelemetry/sdk-trace';
import type { PooledIdGenerator } from './pooled-id-generator';

const NO_OPTIONS: SpanOptions = Object.freeze({});

/**
 * TraceIdRatioBased's bound for a ratio, as the SDK computes it: a root span is sampled when the
 * XOR of its trace id's four 32-bit words is below it.
 */
export function traceIdRatioUpperBound(ratio: number): number {
  const normalized = typeof ratio !== 'number' || Number.isNaN(ratio) ? 0 : ratio >= 1 ? 1 : ratio <= 0 ? 0 : ratio;
  return normalized === 1 ? 2 ** 32 : Math.floor(normalized * 0xffffffff);
}

/**
 * The pooled ids, plus a one-shot hand-off: the SDK's next trace id is the one a root span was
 * already sampled on, so the span it builds carries the very id the decision was made for.
 */
class HandOffIdGenerator implements IdGenerator {
  private handedOff: string | undefined;
  /** The trace id handed off, until the SDK's startSpan for it returns: already sampled. */
  sampledTraceId: string | undefined;
  readonly ids: PooledIdGenerator;

  constructor(ids: PooledIdGenerator) {
    this.ids = ids;
  }

  handOff(traceId: string | undefined): void {
    this.handedOff = traceId;
    this.sampledTraceId = traceId;
  }

  generateTraceId(): string {
    const traceId = this.handedOff;
    if (traceId === undefined) return this.ids.generateTraceId();
    this.handedOff = undefined;
    return traceId;
  }

  generateSpanId(): string {
    return this.ids.generateSpanId();
  }
}

const SAMPLED: SamplingResult = Object.freeze({ decision: SamplingDecision.RECORD_AND_SAMPLED });

/**
 * The SDK's sampler, `ParentBased(TraceIdRatioBased(ratio))`, except for the root span the tracer
 * below has just sampled on its trace id: that one is not decided a second time (TraceIdRatioBased
 * checks the id with a regular expression and re-parses its 32 hex digits, about 1 µs of a sampled
 * request on a busy server). The answer is the one TraceIdRatioBased gives for that id.
 */
class HandOffSampler implements Sampler {
  private readonly sampler: Sampler;
  private readonly ids: HandOffIdGenerator;

  constructor(sampler: Sampler, ids: HandOffIdGenerator) {
    this.sampler = sampler;
    this.ids = ids;
  }

  shouldSample(context: Context, traceId: string, spanName: string, spanKind: SpanKind, attributes: Attributes, links: Link[]): SamplingResult {
    if (traceId === this.ids.sampledTraceId) return SAMPLED;
    return this.sampler.shouldSample(context, traceId, spanName, spanKind, attributes, links);
  }

  toString(): string {
    return this.sampler.toString();
  }
}

/**
 * The SDK's tracer for the spans it records; the spans `ParentBased(TraceIdRatioBased(ratio))`
 * drops (90 % of requests at the default ratio) are made here as what the SDK returns for them —
 * a non-recording span over a fresh span id, trace flags NONE — without its per-span work: the
 * ratio sampler re-parsing the 32 hex digits of the id (about 0.3 µs), two attribute cleanings, a
 * links copy, the sampler chain and its self-metrics call.
 */
class ParentBasedTracer implements Tracer {
  private readonly sdkTracer: Tracer;
  private readonly upperBound: number;
  private readonly ids: HandOffIdGenerator;

  constructor(sdkTracer: Tracer, upperBound: number, ids: HandOffIdGenerator) {
    this.sdkTracer = sdkTracer;
    this.upperBound = upperBound;
    this.ids = ids;
  }

  startSpan(name: string, options: SpanOptions = NO_OPTIONS, context: Context = contextApi.active()): Span {
    // `root: true` and suppressed tracing are rare; the SDK handles them exactly as before.
    if (options.root === true || isTracingSuppressed(context)) return this.sdkTracer.startSpan(name, options, context);
    const parent = trace.getSpanContext(context);
    if (parent !== undefined && trace.isSpanContextValid(parent)) {
      // ParentBased's defaults: follow the parent's decision, local or remote.
      if ((parent.traceFlags & TraceFlags.SAMPLED) !== 0) return this.sdkTracer.startSpan(name, options, context);
      return dropped(parent.traceId, this.ids.generateSpanId(), parent.traceState);
    }
    const traceId = this.ids.ids.generateTraceId();
    if (this.ids.ids.lastTraceIdWordsXor >= this.upperBound) return dropped(traceId, this.ids.generateSpanId(), undefined);
    this.ids.handOff(traceId);
    try {
      return this.sdkTracer.startSpan(name, options, context);
    } finally {
      this.ids.handOff(undefined);
    }
  }

  // The SDK's startActiveSpan, over this startSpan; the span is made active without copying the context.
  startActiveSpan<F extends (span: Span) => unknown>(name: string, ...rest: [F] | [SpanOptions, F] | [SpanOptions, Context, F]): ReturnType<F> {
    const fn = rest[rest.length - 1] as (span: Span) => ReturnType<F>;
    const options = rest.length >= 2 ? (rest[0] as SpanOptions) : undefined;
    const parentContext = rest.length === 3 ? rest[1] : contextApi.active();
    const span = this.startSpan(name, options, parentContext);
    return contextApi.with(contextWithSpan(parentContext, span), fn, undefined, span);
  }
}

function dropped(traceId: string, spanId: string, traceState: SpanContext['traceState']): Span {
  return trace.wrapSpanContext({ traceId, spanId, traceFlags: TraceFlags.NONE, traceState });
}

/** Options of {@link ParentBasedTracerProvider}: the SDK's, with a ratio instead of `sampler`. */
export interface ParentBasedTracerProviderOptions extends Omit<TracerProviderOptions, 'sampler' | 'idGenerator'> {
  /** TraceIdRatioBased's ratio for root spans; children follow their parent. */
  sampleRatio: number;
  idGenerator: PooledIdGenerator;
}

/**
 * The SDK's TracerProvider with `ParentBased(TraceIdRatioBased(sampleRatio))` as its sampler,
 * whose tracers build the spans that sampler drops without the SDK's span machinery. Same
 * decisions, same ids, same spans exported; flush, shutdown and processors are the SDK's.
 */
export class ParentBasedTracerProvider extends TracerProvider {
  private readonly upperBound: number;
  private readonly handOffIds: HandOffIdGenerator;
  private readonly tracers = new WeakMap<Tracer, Tracer>();

  constructor(options: ParentBasedTracerProviderOptions) {
    const { sampleRatio, idGenerator, ...rest } = options;
    const handOffIds = new HandOffIdGenerator(idGenerator);
    const sampler = new HandOffSampler(new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(sampleRatio) }), handOffIds);
    super({ ...rest, sampler, idGenerator: handOffIds });
    this.upperBound = traceIdRatioUpperBound(sampleRatio);
    this.handOffIds = handOffIds;
  }

  override getTracer(name: string, version?: string, options?: { schemaUrl?: string }): Tracer {
    const sdkTracer = super.getTracer(name, version, options);
    let tracer = this.tracers.get(sdkTracer);
    if (tracer === undefined) {
      tracer = new ParentBasedTracer(sdkTracer, this.upperBound, this.handOffIds);
      this.tracers.set(sdkTracer, tracer);
    }
    return tracer;
  }
}
