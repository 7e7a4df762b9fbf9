export { AI_TOOL_DURATION_BUCKETS_MS, HTTP_DURATION_BUCKETS_MS } from './bucket-boundaries';
export { createKiraMetrics } from './create-kira-metrics';
export { logAIToolExecuted, recordAITool, recordHttpRequest, traceAITool } from './default-metrics';
export { collectHistogramCells } from './histogram-cells';
export type { HistogramCell, HistogramCellsMetric } from './histogram-cells';
export { METRIC_NAMES } from './metric-names';
export type {
  AIToolErrorContext,
  HttpRequestRecord,
  HttpRequestRecorder,
  KiraMetrics,
  KiraMetricsOptions,
  TraceAIToolOptions,
} from './types';
