import { diag } from '@opentelemetry/api';
import { createReportOnce, errorType, INSTRUMENTATION_SCOPES } from '@kira/conventions';

const reportOnce = createReportOnce({
  prefix: `${INSTRUMENTATION_SCOPES.otelHono}:`,
  write: (message, ...details) => diag.warn(message, ...details),
});

/** Telemetry must never break a request: each kind of failure is reported once through `diag`. */
export function reportTelemetryError(error: unknown): void {
  reportOnce(errorType(error), 'recording request telemetry failed; the request continues untouched', error);
}
