import { context as contextApi, trace, TraceFlags, type Context, type Span, type SpanContext, type SpanOptions, type Tracer } from '@opentelemetry/api';
import { isTracingSuppressed, type InstrumentationScope } from '@opentelemetry/core';
import { defaultResource, type Resource } from '@opentelemetry/resources';
import { contextWithSpan, declareSpanContextIdsValid, spanContextIdsKnownValid } from '@kira/conventions';
import {
  ParentBasedSampler,
  TraceIdRatioBasedSampler,
  TracerProvider,
  type SpanLimits,
  type SpanProcessor,
  type TracerProviderOptions,
} from '@opentelemetry/sdk-trace';
import type { PooledIdGenerator } from './pooled-id-generator';
import { RecordingSpan, type RecordingSpanScope } from './recording-span';
import { completeSpanLimits } from './resolve-batch-and-limits';

const NO_OPTIONS: SpanOptions = Object.freeze({});

/**
 * The span context of a span this tracer started: a span id from the pooled generator, and a trace
 * id from it too or from a parent that passed the check, so valid W3C ids either way. Declared to
 * `@kira/conventions`, so a child started under it (the undici instrumentation's span under a
 * `tracedFetch` span, every child of a request's span) and tracedFetch skip `isSpanContextValid`'s
 * regular expressions over its ids. Span contexts are immutable under OpenTelemetry's
 * specification, and the ids stay valid on that ground; not frozen, since `Object.freeze` (about
 * 45 ns per object in a loop) would cost every span, where the check it guards is paid only by
 * children.
 */
class GeneratedSpanContext implements SpanContext {
  readonly traceId: string;
  readonly spanId: string;
  readonly traceFlags: number;
  readonly traceState: SpanContext['traceState'];

  constructor(traceId: string, spanId: string, traceFlags: number, traceState: SpanContext['traceState']) {
    this.traceId = traceId;
    this.spanId = spanId;
    this.traceFlags = traceFlags;
    this.traceState = traceState;
  }
}
declareSpanContextIdsValid(GeneratedSpanContext);

/**
 * TraceIdRatioBased's bound for a ratio, as the SDK computes it: a root span is sampled when the
 * XOR of its trace id's four 32-bit words is below it.
 */
export function traceIdRatioUpperBound(ratio: number): number {
  const normalized = typeof ratio !== 'number' || Number.isNaN(ratio) ? 0 : ratio >= 1 ? 1 : ratio <= 0 ? 0 : ratio;
  return normalized === 1 ? 2 ** 32 : Math.floor(normalized * 0xffffffff);
}

/**
 * The tracer of `ParentBased(TraceIdRatioBased(ratio))`, deciding each span as that sampler does.
 * - The spans it drops (90 % of requests at the default ratio) are what the SDK returns for them: a
 *   non-recording span over a fresh span id, trace flags NONE. None of the SDK's per-span work: the
 *   ratio sampler re-parsing the 32 hex digits of the id, two attribute cleanings, a links copy, the
 *   sampler chain and its self-metrics call.
 * - The spans it samples are {@link RecordingSpan}s: the SDK's span, started without the SDK
 *   tracer's second pass over the decision already made here.
 * - `root: true` and suppressed tracing are rare: the SDK's tracer handles them as it always did.
 */
class ParentBasedTracer implements Tracer {
  private readonly sdkTracer: Tracer;
  private readonly upperBound: number;
  private readonly ids: PooledIdGenerator;
  private readonly scope: RecordingSpanScope;

  constructor(sdkTracer: Tracer, upperBound: number, ids: PooledIdGenerator, scope: RecordingSpanScope) {
    this.sdkTracer = sdkTracer;
    this.upperBound = upperBound;
    this.ids = ids;
    this.scope = scope;
  }

  startSpan(name: string, options: SpanOptions = NO_OPTIONS, context: Context = contextApi.active()): Span {
    if (options.root === true || isTracingSuppressed(context)) return this.sdkTracer.startSpan(name, options, context);
    const parent = trace.getSpanContext(context);
    if (parent !== undefined && (spanContextIdsKnownValid(parent) || trace.isSpanContextValid(parent))) {
      // ParentBased's defaults: follow the parent's decision, local or remote; the trace state goes on.
      const sampled = (parent.traceFlags & TraceFlags.SAMPLED) !== 0;
      return this.span(name, options, context, parent.traceId, sampled, parent);
    }
    const traceId = this.ids.generateTraceId();
    return this.span(name, options, context, traceId, this.ids.lastTraceIdWordsXor < this.upperBound, undefined);
  }

  private span(name: string, options: SpanOptions, context: Context, traceId: string, sampled: boolean, parent: SpanContext | undefined): Span {
    const spanContext = new GeneratedSpanContext(traceId, this.ids.generateSpanId(), sampled ? TraceFlags.SAMPLED : TraceFlags.NONE, parent?.traceState);
    return sampled ? new RecordingSpan(this.scope, spanContext, parent, name, options, context) : trace.wrapSpanContext(spanContext);
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

/**
 * Options of {@link ParentBasedTracerProvider}: the SDK's, with a ratio instead of `sampler`, and
 * no `meterProvider`: the SDK's span self-metrics are not recorded (otel-core never asked for them).
 */
export interface ParentBasedTracerProviderOptions extends Omit<TracerProviderOptions, 'sampler' | 'idGenerator' | 'meterProvider'> {
  /** TraceIdRatioBased's ratio for root spans; children follow their parent. */
  sampleRatio: number;
  idGenerator: PooledIdGenerator;
}

/**
 * The SDK's TracerProvider with `ParentBased(TraceIdRatioBased(sampleRatio))` as its sampler,
 * whose tracers make that sampler's decisions themselves (see ParentBasedTracer). Same decisions,
 * same ids, same spans exported; flush, shutdown and the processors are the SDK's.
 */
export class ParentBasedTracerProvider extends TracerProvider {
  private readonly upperBound: number;
  private readonly ids: PooledIdGenerator;
  private readonly resource: Resource;
  private readonly limits: Required<SpanLimits>;
  private readonly processors: readonly SpanProcessor[];
  private readonly tracers = new WeakMap<Tracer, Tracer>();

  constructor(options: ParentBasedTracerProviderOptions) {
    const { sampleRatio, idGenerator, ...rest } = options;
    // The SDK's defaults, filled in here so that its spans and ours read the very same objects.
    const resource = rest.resource ?? defaultResource();
    const spanLimits = completeSpanLimits(rest.spanLimits);
    const spanProcessors = rest.spanProcessors ?? [];
    super({ ...rest, resource, spanLimits, spanProcessors, idGenerator, sampler: new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(sampleRatio) }) });
    this.upperBound = traceIdRatioUpperBound(sampleRatio);
    this.ids = idGenerator;
    this.resource = resource;
    this.limits = spanLimits;
    this.processors = spanProcessors;
  }

  override getTracer(name: string, version?: string, options?: { schemaUrl?: string }): Tracer {
    const sdkTracer = super.getTracer(name, version, options);
    let tracer = this.tracers.get(sdkTracer);
    if (tracer === undefined) {
      // The SDK tracer's own scope object when it has one (a field its class does not declare in
      // its types), so that its spans (`root: true`) and ours land in one ScopeSpans of an export
      // request: the encoder groups spans by that object. Otherwise the same scope, built alike.
      const sdkScope = (sdkTracer as { instrumentationScope?: unknown }).instrumentationScope;
      const instrumentationScope = isScopeNamed(sdkScope, name) ? sdkScope : { name, version, schemaUrl: options?.schemaUrl };
      tracer = new ParentBasedTracer(sdkTracer, this.upperBound, this.ids, { resource: this.resource, instrumentationScope, limits: this.limits, processors: this.processors });
      this.tracers.set(sdkTracer, tracer);
    }
    return tracer;
  }
}

function isScopeNamed(scope: unknown, name: string): scope is InstrumentationScope {
  return typeof scope === 'object' && scope !== null && (scope as { name?: unknown }).name === name;
}
