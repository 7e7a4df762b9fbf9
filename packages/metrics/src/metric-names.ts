/**
 * The metric names of the Kira telemetry contract (DESIGN.md). They are API: dashboards and
 * alerts query them, so changing one is a breaking change.
 *
 * `externalRequestDuration` is emitted by `@kira/external-tracing`; it is listed here so the
 * whole contract can be checked against one constant.
 *
 * @example
 * import { METRIC_NAMES } from '@kira/metrics';
 * METRIC_NAMES.aiToolExecutions; // 'ai_tool_executions'
 */
export const METRIC_NAMES = {
  aiToolExecutions: 'ai_tool_executions',
  aiToolDuration: 'ai_tool_duration_ms',
  httpRequestDuration: 'http_request_duration_ms',
  externalRequestDuration: 'external_request_duration_ms',
} as const;
