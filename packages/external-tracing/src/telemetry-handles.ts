import { metrics, trace, type Histogram, type MeterProvider, type Tracer, type TracerProvider } from '@opentelemetry/api';
import { INSTRUMENTATION_SCOPES, METRICS } from '@kira/conventions';
import { version } from '../package.json';

/** Name of the histogram this package records. */
export const EXTERNAL_REQUEST_DURATION_METRIC: typeof METRICS.externalRequestDuration.name = METRICS.externalRequestDuration.name;

const SCOPE_NAME = INSTRUMENTATION_SCOPES.externalTracing;

// Keyed by provider because the metrics API has no proxy meter: a histogram created before the SDK
// registers its MeterProvider would stay a no-op forever. Looking the provider up per call costs
// one global read and a WeakMap hit.
const tracers = new WeakMap<TracerProvider, Tracer>();
const histograms = new WeakMap<MeterProvider, Histogram>();

export function tracerFor(provider: TracerProvider | undefined): Tracer {
  const resolved = provider ?? trace.getTracerProvider();
  let tracer = tracers.get(resolved);
  if (!tracer) {
    tracer = resolved.getTracer(SCOPE_NAME, version);
    tracers.set(resolved, tracer);
  }
  return tracer;
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
