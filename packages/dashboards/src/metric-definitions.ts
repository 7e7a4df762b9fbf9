import type { MetricDefinition } from './types';

const MIB = 1048576;

/**
 * Metric names of kira-be, re-declared here because @kira/dashboards has no runtime dependencies
 * (DESIGN.md); `metric-definitions.test.ts` checks them against `METRIC_NAMES` of @kira/metrics.
 */
export const KIRA_BE_METRIC_NAMES = {
  aiToolExecutions: 'ai_tool_executions',
  aiToolDuration: 'ai_tool_duration_ms',
  httpRequestDuration: 'http_request_duration_ms',
  externalRequestDuration: 'external_request_duration_ms',
} as const;

/** Metrics imgproxy exports over OTLP (not our code; names as imgproxy emits them). */
export const IMGPROXY_METRIC_NAMES = {
  workersUtilization: 'workers_utilization',
  requestsInProgress: 'requests_in_progress',
  imagesInProgress: 'images_in_progress',
  vipsMemoryBytes: 'vips_memory_bytes',
  processResidentMemoryBytes: 'process_resident_memory_bytes',
  goGoroutines: 'go_goroutines',
  goHeapInuseBytes: 'go_memstats_heap_inuse_bytes',
} as const;

/** Every metric panels and alerts may reference, emitted and derived. */
export const metricDefinitions: readonly MetricDefinition[] = [
  {
    name: 'workers_utilization',
    type: 'gauge',
    unit: 'ratio',
    service: 'kira-imgproxy',
    description: 'Share of busy imgproxy workers (0–1).',
    defaultAggregation: 'avg',
    legacy: { column: 'workers_utilization', aggregation: 'avg' },
  },
  {
    name: 'requests_in_progress',
    type: 'gauge',
    unit: '1',
    service: 'kira-imgproxy',
    description: 'Requests being processed.',
    defaultAggregation: 'max',
    legacy: { column: 'requests_in_progress', aggregation: 'max' },
  },
  {
    name: 'images_in_progress',
    type: 'gauge',
    unit: '1',
    service: 'kira-imgproxy',
    description: 'Images being processed.',
    defaultAggregation: 'max',
    legacy: { column: 'images_in_progress', aggregation: 'max' },
  },
  { name: 'vips_memory_bytes', type: 'gauge', unit: 'By', service: 'kira-imgproxy', description: 'libvips memory.', defaultAggregation: 'max' },
  {
    name: 'process_resident_memory_bytes',
    type: 'gauge',
    unit: 'By',
    service: 'kira-imgproxy',
    description: 'Resident memory of the imgproxy process.',
    defaultAggregation: 'max',
  },
  { name: 'go_goroutines', type: 'gauge', unit: '1', service: 'kira-imgproxy', description: 'Go goroutines.', defaultAggregation: 'max' },
  {
    name: 'go_memstats_heap_inuse_bytes',
    type: 'gauge',
    unit: 'By',
    service: 'kira-imgproxy',
    description: 'Go heap in use.',
    defaultAggregation: 'max',
  },
  {
    name: 'process_mb',
    type: 'gauge',
    unit: 'MiB',
    service: 'kira-imgproxy',
    description: 'Resident memory of the imgproxy process in MiB.',
    derivedFrom: { metric: 'process_resident_memory_bytes', divideBy: MIB },
    defaultAggregation: 'max',
    legacy: { column: 'process_mb', aggregation: 'max' },
  },
  {
    name: 'vips_mb',
    type: 'gauge',
    unit: 'MiB',
    service: 'kira-imgproxy',
    description: 'libvips memory in MiB.',
    derivedFrom: { metric: 'vips_memory_bytes', divideBy: MIB },
    defaultAggregation: 'max',
    legacy: { column: 'vips_mb', aggregation: 'max' },
  },
  {
    name: 'heap_mb',
    type: 'gauge',
    unit: 'MiB',
    service: 'kira-imgproxy',
    description: 'Go heap in use in MiB.',
    derivedFrom: { metric: 'go_memstats_heap_inuse_bytes', divideBy: MIB },
    defaultAggregation: 'max',
    // The team's notes don't show a query for heap_mb/goroutines; same max form as process_mb assumed.
    legacy: { column: 'heap_mb', aggregation: 'max' },
  },
  {
    name: 'goroutines',
    type: 'gauge',
    unit: '1',
    service: 'kira-imgproxy',
    description: 'Go goroutines (go_goroutines renamed).',
    derivedFrom: { metric: 'go_goroutines' },
    defaultAggregation: 'max',
    legacy: { column: 'goroutines', aggregation: 'max' },
  },
  {
    name: 'ai_tool_executions',
    type: 'counter',
    unit: '1',
    service: 'kira-be',
    description: 'AI tool executions.',
    attributes: ['tool_name', 'success'],
  },
  {
    name: 'ai_tool_duration_ms',
    type: 'histogram',
    unit: 'ms',
    service: 'kira-be',
    description: 'AI tool execution duration.',
    attributes: ['tool_name'],
  },
  {
    name: 'http_request_duration_ms',
    type: 'histogram',
    unit: 'ms',
    service: 'kira-be',
    description: 'Inbound HTTP request duration.',
    attributes: ['http_method', 'http_route', 'http_status_code'],
  },
  {
    name: 'external_request_duration_ms',
    type: 'histogram',
    unit: 'ms',
    service: 'kira-be',
    description: 'Duration of calls to AI providers and other external APIs.',
    attributes: ['external_service', 'external_operation', 'outcome'],
  },
];

/** Looks a metric up by name; `undefined` when unknown. */
export function findMetric(name: string, definitions: readonly MetricDefinition[] = metricDefinitions): MetricDefinition | undefined {
  return definitions.find((definition) => definition.name === name);
}
