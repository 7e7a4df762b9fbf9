import { reportOnce } from './warn-once';
import { MESSAGE_PREFIX } from './message-prefix';

/**
 * The SDK hands every failed export to the global error handler, whose default prints through
 * `diag` — silent unless OTEL_LOG_LEVEL is set, so a misconfigured token looked exactly like
 * "no traffic". This handler says why once per distinct reason (status code or error code, else
 * the start of the message), never once per batch, so an outage cannot flood the host's logs;
 * `OTEL_LOG_LEVEL=debug` prints every failure.
 */
export function reportExportError(error: unknown): void {
  try {
    const reason = describe(error);
    reportOnce(
      reason,
      `${MESSAGE_PREFIX} telemetry export failed (${reason}); exports that may be retried (network errors, timeouts, 429/502/503/504) are queued and sent when the backend answers again, others are dropped. ` +
        'Further failures for this reason are not printed (OTEL_LOG_LEVEL=debug shows each).',
    );
  } catch {
    // Reporting must never break the host.
  }
}

function describe(error: unknown): string {
  if (error === null || typeof error !== 'object') return String(error).slice(0, 80);
  const { code, message, name } = error as { code?: unknown; message?: unknown; name?: unknown };
  const text = typeof message === 'string' && message !== '' ? message : typeof name === 'string' ? name : 'unknown error';
  // The OTLP exporter drops the status once its retries run out; say what that status can be.
  if (text === 'Export failed with retryable status') {
    return 'the backend kept answering a retryable status (429, 502, 503 or 504) until the retries ran out';
  }
  if (typeof code === 'number' || (typeof code === 'string' && code !== '')) return `${String(code)}: ${text.slice(0, 80)}`;
  return text.slice(0, 80);
}
