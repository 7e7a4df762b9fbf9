import { createReportOnce } from '@kira/conventions';

/**
 * otel-core's reporter, with the contract's report-once policy. It prints to stderr directly:
 * configuration and export problems must be visible without a diag logger (nobody installs one
 * in production). Messages carry their own `@kira/otel-core:` prefix.
 */
export const reportOnce = createReportOnce();

/** Prints a configuration warning once per process (every time at `OTEL_LOG_LEVEL=debug`). */
export function warnOnce(message: string): void {
  reportOnce(message, message);
}
