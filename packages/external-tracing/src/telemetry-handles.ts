import { metrics, trace, type Histogram, type MeterProvider, type Tracer, type TracerProvider } from '@opentelemetry/api';
import { EXTERNAL_REQUEST_DURATION_BUCKETS_MS } from './bucket-boundaries';
import { EXTERNAL_REQUEST_DURATION_METRIC } from './metric-name';
import { SCOPE_NAME, SCOPE_VERSION } from './scope';

// Keyed by provider because the metrics API has no proxy meter: a histogram created before the SDK
// registers its MeterProvider would stay a no-op forever. Looking the provider up per call costs
// one global read and a WeakMap hit.
const tracers = new WeakMap<TracerProvider, Tracer>();
const histograms = new WeakMap<MeterProvider, Histogram>();

export function tracerFor(provider: TracerProvider | undefined): Tracer {
  const resolved = provider ?? trace.getTracerProvider();
  let tracer = tracers.get(resolved);
  if (!tracer) {
    tracer = resolved.getTracer(SCOPE_NAME, SCOPE_VERSION);
    tracers.set(resolved, tracer);
  }
  return tracer;
}

export function durationHistogramFor(provider: MeterProvider | undefined): Histogram {
  const resolved = provider ?? metrics.getMeterProvider();
  let histogram = histograms.get(resolved);
  if (!histogram) {
    histogram = resolved.getMeter(SCOPE_NAME, SCOPE_VERSION).createHistogram(EXTERNAL_REQUEST_DURATION_METRIC, {
      description: 'Duration of calls to external services (AI providers and other APIs), by service, operation and outcome.',
      unit: 'ms',
      advice: { explicitBucketBoundaries: [...EXTERNAL_REQUEST_DURATION_BUCKETS_MS] },
    });
    histograms.set(resolved, histogram);
  }
  return histogram;
}
