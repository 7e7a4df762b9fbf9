import { diag } from '@opentelemetry/api';
import { createReportOnce, INSTRUMENTATION_SCOPES } from '@kira/conventions';

/** This package's reporter: the contract's report-once policy, through `diag`. */
export const warnOnce = createReportOnce({
  prefix: `${INSTRUMENTATION_SCOPES.externalTracing}:`,
  write: (message, ...details) => diag.warn(message, ...details),
});
