import { createNoopMeter, type Attributes, type Counter, type Meter, type MeterProvider } from '@opentelemetry/api';
import { SPAN_ATTRIBUTES } from '@kira/conventions';
import { MESSAGE_PREFIX } from './message-prefix';
import { batchProcessorVariable } from './resolve-batch-and-limits';
import { reportOnce } from './warn-once';

/** What a batch processor holds, and the variable that sizes its queue. */
export type QueuedItems = 'spans' | 'log records';

const QUEUE_SIZE_VARIABLE: Record<QueuedItems, string> = {
  spans: batchProcessorVariable('OTEL_BSP', 'maxQueueSize'),
  'log records': batchProcessorVariable('OTEL_BLRP', 'maxQueueSize'),
};

/**
 * Says once that a batch processor dropped `items` because its queue was full: telemetry was made
 * faster than it could be sent (a backend that answers slowly holds up the one export in flight,
 * or a burst). The SDK's processors say it only to `diag` (spans) or not at all (log records), so
 * the loss went unseen.
 */
export function reportQueueFull(items: QueuedItems, maxQueueSize: number): void {
  reportOnce(
    `queue-full ${items}`,
    `${MESSAGE_PREFIX} dropped ${items}: their export queue was full (${QUEUE_SIZE_VARIABLE[items]}=${maxQueueSize}), because they were made faster than they could be sent ` +
      '(a slow backend holds up the one export in flight, or a burst). Further drops are not printed (OTEL_LOG_LEVEL=debug shows each).',
  );
}

// The SDK processors' own count of what they processed (OpenTelemetry's SDK self-observability
// semantic conventions): a drop at a full queue is added with `error.type` `queue_full`. The names
// are copied here, as the SDK copies them into its own semconv file: they live only in
// semantic-conventions' unstable `incubating` entry.
const PROCESSED_COUNTERS: Record<QueuedItems, string> = {
  spans: 'otel.sdk.processor.span.processed',
  'log records': 'otel.sdk.processor.log.processed',
};
const QUEUE_FULL = 'queue_full';

/**
 * A meter provider for a processor's `selfObsMeterProvider` option (the SDK's `BatchSpanProcessor`
 * and `BatchLogRecordProcessor`) that keeps no metric: its only use is to hear the processor count
 * a drop at a full queue, and report it. Every other instrument is the API's no-op one.
 */
export function queueFullListener(items: QueuedItems, maxQueueSize: number): MeterProvider {
  const noop = createNoopMeter();
  const droppedCounter: Counter = Object.assign(Object.create(noop.createCounter('')) as Counter, {
    add(_value: number, attributes?: Attributes): void {
      if (attributes?.[SPAN_ATTRIBUTES.errorType] === QUEUE_FULL) reportQueueFull(items, maxQueueSize);
    },
  });
  const meter: Meter = Object.assign(Object.create(noop) as Meter, {
    createCounter: (name: string) => (name === PROCESSED_COUNTERS[items] ? droppedCounter : noop.createCounter(name)),
  });
  return { getMeter: () => meter };
}
