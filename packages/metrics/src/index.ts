export { createKiraMetrics } from './create-kira-metrics';
export { logAIToolExecuted, recordAITool, recordHttpRequest, traceAITool } from './default-metrics';
// Re-exported from @kira/conventions, where the contract lives, so existing imports keep working.
export { AI_TOOL_DURATION_BUCKETS_MS, HTTP_DURATION_BUCKETS_MS, METRIC_NAMES } from '@kira/conventions';
export type {
  AIToolErrorContext,
  HttpRequestRecord,
  HttpRequestRecorder,
  KiraMetrics,
  KiraMetricsOptions,
  TraceAIToolOptions,
} from './types';
