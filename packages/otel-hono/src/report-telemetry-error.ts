import { diag } from '@opentelemetry/api';

let reported = false;

/** Telemetry must never break a request: the first failure is reported through `diag`, later ones are dropped. */
export function reportTelemetryError(error: unknown): void {
  if (reported) return;
  reported = true;
  diag.warn('@kira/otel-hono: recording request telemetry failed; the request continues untouched', error);
}
