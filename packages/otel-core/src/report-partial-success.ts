import { MESSAGE_PREFIX } from './message-prefix';
import type { SpoolSignal } from './spool-directory';
import { reportOnce } from './warn-once';

/** The OTLP exporters' response handler (`IOtlpResponseHandler` of `@opentelemetry/otlp-exporter-base`). */
export interface OtlpResponseHandler {
  handleResponse(response: unknown): void;
}

// The OTLP/HTTP spec's `partial_success` field of each signal's Export*ServiceResponse.
const REJECTED: Record<SpoolSignal, { field: string; items: string }> = {
  traces: { field: 'rejectedSpans', items: 'span(s)' },
  metrics: { field: 'rejectedDataPoints', items: 'metric data point(s)' },
  logs: { field: 'rejectedLogRecords', items: 'log record(s)' },
};
const MAX_MESSAGE_LENGTH = 200;

/**
 * Says once per reason when the backend took an export only in part. The OTLP/HTTP spec
 * (https://opentelemetry.io/docs/specs/otlp/#partial-success-1) has a server that rejects some of
 * a request answer 200 with `partial_success` (how many it rejected, and why), and the client must
 * not send it again. The SDK's own handler tells only `diag`, silent unless OTEL_LOG_LEVEL is set,
 * so data a backend turned away (a collector refusing rows out of its time range, a size limit)
 * vanished without a word. A `partial_success` with nothing rejected carries a warning from the
 * backend, and is printed as one.
 */
export function partialSuccessReporter(signal: SpoolSignal): OtlpResponseHandler {
  const { field, items } = REJECTED[signal];
  return {
    handleResponse(response) {
      try {
        const partial = (response as { partialSuccess?: Record<string, unknown> } | null | undefined)?.partialSuccess;
        if (partial === null || typeof partial !== 'object') return;
        const rejected = asCount(partial[field]);
        const message = typeof partial.errorMessage === 'string' ? partial.errorMessage.slice(0, MAX_MESSAGE_LENGTH) : '';
        if (rejected === 0 && message === '') return;
        const why = message === '' ? 'no reason given' : JSON.stringify(message);
        const line =
          rejected > 0
            ? `${MESSAGE_PREFIX} the telemetry backend rejected ${rejected} ${items} of an export (${why}); rejected data is not sent again.`
            : `${MESSAGE_PREFIX} the telemetry backend took an export with a warning (${why}).`;
        reportOnce(
          // Backends put counts in their messages ("3 of 512 …"): the same reason with other
          // numbers is not a new one.
          `partial-success ${signal} ${rejected > 0 ? 'rejected' : 'warning'} ${message.replace(/\d+/g, '#')}`,
          `${line} Further answers with this reason are not printed (OTEL_LOG_LEVEL=debug shows each).`,
        );
      } catch {
        // Reporting must never break the host.
      }
    },
  };
}

/**
 * An int64 count as the serializers hand it over: a number (protobuf, when it fits), a decimal
 * string (the proto3 JSON mapping), or a protobufjs `Long`; 0 for anything else.
 */
function asCount(value: unknown): number {
  let count = 0;
  if (typeof value === 'number' || typeof value === 'string' || typeof value === 'bigint') count = Number(value);
  else if (typeof (value as { toNumber?: unknown } | null)?.toNumber === 'function') count = Number((value as { toNumber(): unknown }).toNumber());
  return Number.isFinite(count) && count > 0 ? count : 0;
}
