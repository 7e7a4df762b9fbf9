import type { Counter, Histogram, Meter } from '@opentelemetry/api';
import { METRICS, type MetricContract } from '@kira/conventions';

export interface Instruments {
  toolExecutions: Counter;
  toolDuration: Histogram;
  httpDuration: Histogram;
}

export function createInstruments(meter: Meter): Instruments {
  return {
    toolExecutions: meter.createCounter(METRICS.aiToolExecutions.name, instrumentOptions(METRICS.aiToolExecutions)),
    toolDuration: meter.createHistogram(METRICS.aiToolDuration.name, instrumentOptions(METRICS.aiToolDuration)),
    httpDuration: meter.createHistogram(METRICS.httpRequestDuration.name, instrumentOptions(METRICS.httpRequestDuration)),
  };
}

function instrumentOptions(metric: MetricContract) {
  return {
    description: metric.description,
    unit: metric.unit,
    ...(metric.buckets ? { advice: { explicitBucketBoundaries: [...metric.buckets] } } : {}),
  };
}
