import type { Counter, Histogram, Meter } from '@opentelemetry/api';
import { AI_TOOL_DURATION_BUCKETS_MS, HTTP_DURATION_BUCKETS_MS } from './bucket-boundaries';
import { METRIC_NAMES } from './metric-names';

export const HTTP_DURATION_DESCRIPTION = 'Inbound HTTP request duration, by method, route template and status code.';

export interface Instruments {
  toolExecutions: Counter;
  toolDuration: Histogram;
  httpDuration: Histogram;
}

export function createInstruments(meter: Meter): Instruments {
  return {
    toolExecutions: meter.createCounter(METRIC_NAMES.aiToolExecutions, {
      description: 'AI tool executions, by tool and outcome.',
      unit: '1',
    }),
    toolDuration: meter.createHistogram(METRIC_NAMES.aiToolDuration, {
      description: 'AI tool execution time.',
      unit: 'ms',
      advice: { explicitBucketBoundaries: [...AI_TOOL_DURATION_BUCKETS_MS] },
    }),
    httpDuration: meter.createHistogram(METRIC_NAMES.httpRequestDuration, {
      description: HTTP_DURATION_DESCRIPTION,
      unit: 'ms',
      advice: { explicitBucketBoundaries: [...HTTP_DURATION_BUCKETS_MS] },
    }),
  };
}
