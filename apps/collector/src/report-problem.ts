import { createReportOnce } from '@kira/conventions';

/**
 * The collector's problem reports, on stderr under the shared report-once policy of
 * `@kira/conventions`: the first occurrence of each reason, every one at `OTEL_LOG_LEVEL=debug`.
 */
export const reportCollectorProblem = createReportOnce({
  prefix: 'kira-collector:',
  write: (message, ...details) => console.error(message, ...details),
});
