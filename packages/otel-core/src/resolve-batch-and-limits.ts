import type { LogRecordLimits } from '@opentelemetry/sdk-logs';
import type { SpanLimits } from '@opentelemetry/sdk-trace';
import { MESSAGE_PREFIX } from './message-prefix';
import type { Env } from './resolve-exporter-config';
import { pick } from './resolve-settings';

/**
 * A batch processor's settings, under the names the SDK's `BatchSpanProcessor` and
 * `BatchLogRecordProcessor` and otel-core's `EncodeOnEndSpanProcessor` all take.
 */
export interface BatchProcessorSettings {
  scheduledDelayMillis: number;
  exportTimeoutMillis: number;
  maxQueueSize: number;
  maxExportBatchSize: number;
}

export interface BatchAndLimits {
  /** Both span paths: `EncodeOnEndSpanProcessor` (protobuf) and the SDK's `BatchSpanProcessor` (JSON). */
  spanBatching: BatchProcessorSettings;
  logRecordBatching: BatchProcessorSettings;
  spanLimits: Required<SpanLimits>;
  logRecordLimits: Required<LogRecordLimits>;
}

// Defaults and precedence are those of the OpenTelemetry SDK environment variable specification,
// https://opentelemetry.io/docs/specs/otel/configuration/sdk-environment-variables/ (batch span
// processor, batch log record processor, attribute, span and log record limits).
const SPAN_BATCHING_DEFAULTS: BatchProcessorSettings = { scheduledDelayMillis: 5000, exportTimeoutMillis: 30_000, maxQueueSize: 2048, maxExportBatchSize: 512 };
const LOG_RECORD_BATCHING_DEFAULTS: BatchProcessorSettings = { scheduledDelayMillis: 1000, exportTimeoutMillis: 30_000, maxQueueSize: 2048, maxExportBatchSize: 512 };
const DEFAULT_COUNT_LIMIT = 128;
const NO_LENGTH_LIMIT = Number.POSITIVE_INFINITY;

/**
 * Span limits with the defaults the SDK's TracerProvider fills in for the ones not given (the
 * spec's, above; the provider reads no general `OTEL_ATTRIBUTE_*` fallback itself).
 */
export function completeSpanLimits(limits: SpanLimits = {}): Required<SpanLimits> {
  return {
    attributeCountLimit: limits.attributeCountLimit ?? DEFAULT_COUNT_LIMIT,
    attributeValueLengthLimit: limits.attributeValueLengthLimit ?? NO_LENGTH_LIMIT,
    eventCountLimit: limits.eventCountLimit ?? DEFAULT_COUNT_LIMIT,
    linkCountLimit: limits.linkCountLimit ?? DEFAULT_COUNT_LIMIT,
    attributePerEventCountLimit: limits.attributePerEventCountLimit ?? DEFAULT_COUNT_LIMIT,
    attributePerLinkCountLimit: limits.attributePerLinkCountLimit ?? DEFAULT_COUNT_LIMIT,
  };
}

/** Each setting's variable, after `OTEL_BSP_` or `OTEL_BLRP_`. */
const BATCH_VARIABLE_SUFFIXES: Record<keyof BatchProcessorSettings, string> = {
  scheduledDelayMillis: 'SCHEDULE_DELAY',
  exportTimeoutMillis: 'EXPORT_TIMEOUT',
  maxQueueSize: 'MAX_QUEUE_SIZE',
  maxExportBatchSize: 'MAX_EXPORT_BATCH_SIZE',
};

/** The variable that sets one batch-processor setting: `OTEL_BSP_MAX_QUEUE_SIZE`, `OTEL_BLRP_SCHEDULE_DELAY`, … */
export function batchProcessorVariable(prefix: 'OTEL_BSP' | 'OTEL_BLRP', key: keyof BatchProcessorSettings): string {
  return `${prefix}_${BATCH_VARIABLE_SUFFIXES[key]}`;
}

const isPositiveInteger = (value: number): boolean => Number.isSafeInteger(value) && value > 0;
const isNonNegativeInteger = (value: number): boolean => Number.isSafeInteger(value) && value >= 0;

/**
 * The batch-processor and limit variables NodeSDK reads: `OTEL_BSP_*`, `OTEL_BLRP_*`,
 * `OTEL_ATTRIBUTE_*`, `OTEL_SPAN_*` / `OTEL_EVENT_*` / `OTEL_LINK_*` and `OTEL_LOGRECORD_*` limits.
 * The SDK 3.x providers and processors read none of them themselves. An invalid value warns and
 * the default applies; for a span or log record limit the default is the general
 * `OTEL_ATTRIBUTE_*` limit when that is set (the spec's model-specific-first rule).
 */
export function resolveBatchAndLimits(env: Env, warnings: string[]): BatchAndLimits {
  const read = (name: string, fallback: number, valid: (value: number) => boolean, expected: string): number =>
    pick(undefined, '', env[name], name, fallback, valid, expected, warnings);
  const readLimit = (name: string, fallback: number): number => read(name, fallback, isNonNegativeInteger, 'a non-negative integer');
  // 0 is a valid count (keep no attributes), but not a length: the SDK ignores a value length
  // limit of 0 or less, so accepting it would promise empty strings and deliver full ones.
  const readLengthLimit = (name: string, fallback: number): number => read(name, fallback, isPositiveInteger, 'a positive integer');

  const batching = (prefix: 'OTEL_BSP' | 'OTEL_BLRP', defaults: BatchProcessorSettings): BatchProcessorSettings => {
    const variable = (key: keyof BatchProcessorSettings): string => batchProcessorVariable(prefix, key);
    const millis = (key: 'scheduledDelayMillis' | 'exportTimeoutMillis'): number =>
      read(variable(key), defaults[key], isPositiveInteger, 'a positive whole number of milliseconds');
    const size = (key: 'maxQueueSize' | 'maxExportBatchSize'): number => read(variable(key), defaults[key], isPositiveInteger, 'a positive integer');
    const scheduledDelayMillis = millis('scheduledDelayMillis');
    const exportTimeoutMillis = millis('exportTimeoutMillis');
    const maxQueueSize = size('maxQueueSize');
    const requestedBatchSize = size('maxExportBatchSize');
    // The spec: the batch size must not exceed the queue size. A batch size the user set is named
    // in a warning; the default one (512) under a smaller queue is lowered without a word.
    if (requestedBatchSize > maxQueueSize && Number(env[variable('maxExportBatchSize')]) === requestedBatchSize) {
      warnings.push(
        `${MESSAGE_PREFIX} ${variable('maxExportBatchSize')}="${requestedBatchSize}" is greater than the queue size (${maxQueueSize}, ${variable('maxQueueSize')}); using ${maxQueueSize}`,
      );
    }
    return { scheduledDelayMillis, exportTimeoutMillis, maxQueueSize, maxExportBatchSize: Math.min(requestedBatchSize, maxQueueSize) };
  };

  const generalValueLength = readLengthLimit('OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT', NO_LENGTH_LIMIT);
  const generalCount = readLimit('OTEL_ATTRIBUTE_COUNT_LIMIT', DEFAULT_COUNT_LIMIT);
  return {
    spanBatching: batching('OTEL_BSP', SPAN_BATCHING_DEFAULTS),
    logRecordBatching: batching('OTEL_BLRP', LOG_RECORD_BATCHING_DEFAULTS),
    spanLimits: {
      attributeValueLengthLimit: readLengthLimit('OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT', generalValueLength),
      attributeCountLimit: readLimit('OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT', generalCount),
      eventCountLimit: readLimit('OTEL_SPAN_EVENT_COUNT_LIMIT', DEFAULT_COUNT_LIMIT),
      linkCountLimit: readLimit('OTEL_SPAN_LINK_COUNT_LIMIT', DEFAULT_COUNT_LIMIT),
      // Per event and per link the spec has no general fallback (nor do NodeSDK and the declarative
      // configuration schema): 128 unless set.
      attributePerEventCountLimit: readLimit('OTEL_EVENT_ATTRIBUTE_COUNT_LIMIT', DEFAULT_COUNT_LIMIT),
      attributePerLinkCountLimit: readLimit('OTEL_LINK_ATTRIBUTE_COUNT_LIMIT', DEFAULT_COUNT_LIMIT),
    },
    logRecordLimits: {
      attributeValueLengthLimit: readLengthLimit('OTEL_LOGRECORD_ATTRIBUTE_VALUE_LENGTH_LIMIT', generalValueLength),
      attributeCountLimit: readLimit('OTEL_LOGRECORD_ATTRIBUTE_COUNT_LIMIT', generalCount),
    },
  };
}
