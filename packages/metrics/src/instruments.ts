import { createNoopMeter, type Counter, type Histogram, type Meter } from '@opentelemetry/api';
import { METRICS, type MetricContract } from '@kira/conventions';

export interface Instruments {
  toolExecutions: Counter;
  toolDuration: Histogram;
  httpDuration: Histogram;
  /**
   * False on the API's no-op meter (no SDK registered yet, telemetry off): what is recorded there
   * is dropped, so it must not cost state that outlives it, such as a place among `maxToolNames`.
   */
  recording: boolean;
}

export function createInstruments(meter: Meter): Instruments {
  return {
    toolExecutions: meter.createCounter(METRICS.aiToolExecutions.name, instrumentOptions(METRICS.aiToolExecutions)),
    toolDuration: meter.createHistogram(METRICS.aiToolDuration.name, instrumentOptions(METRICS.aiToolDuration)),
    httpDuration: meter.createHistogram(METRICS.httpRequestDuration.name, instrumentOptions(METRICS.httpRequestDuration)),
    // The no-op provider hands out one shared meter, the one createNoopMeter returns.
    recording: meter !== createNoopMeter(),
  };
}

function instrumentOptions(metric: MetricContract) {
  return {
    description: metric.description,
    unit: metric.unit,
    ...(metric.buckets ? { advice: { explicitBucketBoundaries: [...metric.buckets] } } : {}),
  };
}
