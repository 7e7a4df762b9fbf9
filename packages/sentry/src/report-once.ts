import { createReportOnce } from '@kira/conventions';
import { diag } from '@opentelemetry/api';

/** @kira/sentry's own failures, reported through `diag` with the contract's report-once policy. */
export const reportOnce = createReportOnce({ prefix: '@kira/sentry:', write: (message, ...details) => diag.warn(message, ...details) });
