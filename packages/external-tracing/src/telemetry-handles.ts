import { metrics, ProxyTracerProvider, trace, type Histogram, type MeterProvider, type Tracer, type TracerProvider } from '@opentelemetry/api';
import { histogramCellsFor, INSTRUMENTATION_SCOPES, KeyedHistogramCells, METRIC_ATTRIBUTES, METRICS, samplerFollowsParent, samplerIgnoresAttributes } from '@kira/conventions';
import { version } from '../package.json';

/** Name of the histogram this package records. */
export const EXTERNAL_REQUEST_DURATION_METRIC: typeof METRICS.externalRequestDuration.name = METRICS.externalRequestDuration.name;

const SCOPE_NAME = INSTRUMENTATION_SCOPES.externalTracing;

// Keyed by provider because the metrics API has no proxy meter: a histogram created before the SDK
// registers its MeterProvider would stay a no-op forever. Looking the provider up per call costs
// one global read and a WeakMap hit.
const histograms = new WeakMap<MeterProvider, Histogram>();

// The API's no-op provider is a module singleton it hands out as the delegate of any proxy that has
// none; a fresh proxy is the public way to get hold of it.
const NOOP_TRACER_PROVIDER = new ProxyTracerProvider().getDelegate();

/** How to trace with one tracer provider. */
export interface Tracing {
  readonly tracer: Tracer;
  /**
   * The provider declared that its sampler reads no start attributes (@kira/otel-core's does):
   * start the span bare and set the attributes only when it records.
   */
  readonly attributesAfterStart: boolean;
  /** The provider declared that its sampler never samples a child of an unsampled parent (@kira/otel-core's). */
  readonly followsParent: boolean;
}

const tracings = new WeakMap<TracerProvider, Tracing>();

/**
 * The tracer for `provider` (default: the global one), or `undefined` when tracing is the API's
 * no-op (no SDK registered, telemetry off): then every span would be a non-recording copy of its
 * parent, so callers skip building one. A proxy of another copy of the API never matches here and
 * takes the full path, which is merely slower.
 */
export function tracingFor(provider: TracerProvider | undefined): Tracing | undefined {
  const resolved = provider ?? trace.getTracerProvider();
  if (resolved instanceof ProxyTracerProvider && resolved.getDelegate() === NOOP_TRACER_PROVIDER) return undefined;
  let tracing = tracings.get(resolved);
  if (!tracing) {
    tracing = {
      tracer: resolved.getTracer(SCOPE_NAME, version),
      attributesAfterStart: samplerIgnoresAttributes(resolved),
      followsParent: samplerFollowsParent(resolved),
    };
    tracings.set(resolved, tracing);
  }
  return tracing;
}

export function durationHistogramFor(provider: MeterProvider | undefined): Histogram {
  const resolved = provider ?? metrics.getMeterProvider();
  let histogram = histograms.get(resolved);
  if (!histogram) {
    const metric = METRICS.externalRequestDuration;
    histogram = resolved.getMeter(SCOPE_NAME, version).createHistogram(metric.name, {
      description: metric.description,
      unit: metric.unit,
      advice: { explicitBucketBoundaries: [...metric.buckets] },
    });
    histograms.set(resolved, histogram);
  }
  return histogram;
}

/**
 * `external_request_duration_ms` as cells when @kira/otel-core's reader collects cells for this
 * meter provider (no per-record attribute hashing; exported as the same histogram), else undefined:
 * then record through {@link durationHistogramFor}.
 */
export function durationCellsFor(provider: MeterProvider | undefined): KeyedHistogramCells | undefined {
  return histogramCellsFor(provider ?? metrics.getMeterProvider(), METRICS.externalRequestDuration.name, newDurationCells);
}

// Shared, not a closure per call: it only runs when the reader has no cells for the metric yet.
function newDurationCells(): KeyedHistogramCells {
  const metric = METRICS.externalRequestDuration;
  return new KeyedHistogramCells(
    { scope: { name: SCOPE_NAME, version }, name: metric.name, description: metric.description, unit: metric.unit, boundaries: [...metric.buckets] },
    [METRIC_ATTRIBUTES.externalService, METRIC_ATTRIBUTES.externalOperation, METRIC_ATTRIBUTES.outcome],
  );
}
