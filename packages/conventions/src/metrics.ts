/**
 * The metric names of the Kira telemetry contract. They are API: dashboards and alerts query
 * them, so changing one is a breaking change.
 *
 * @example METRIC_NAMES.aiToolExecutions // 'ai_tool_executions'
 */
export const METRIC_NAMES = {
  aiToolExecutions: 'ai_tool_executions',
  aiToolDuration: 'ai_tool_duration_ms',
  httpRequestDuration: 'http_request_duration_ms',
  externalRequestDuration: 'external_request_duration_ms',
} as const;

/**
 * Attribute keys of the Kira metrics. Snake case, unlike span attributes, because the existing
 * BetterStack dashboards group by these exact labels.
 *
 * @example METRIC_ATTRIBUTES.httpRoute // 'http_route'
 */
export const METRIC_ATTRIBUTES = {
  toolName: 'tool_name',
  success: 'success',
  httpMethod: 'http_method',
  httpRoute: 'http_route',
  httpStatusCode: 'http_status_code',
  externalService: 'external_service',
  externalOperation: 'external_operation',
  outcome: 'outcome',
} as const;

/** Values of the `outcome` attribute of `external_request_duration_ms`. */
export const EXTERNAL_REQUEST_OUTCOMES = ['ok', 'http_error', 'network_error'] as const;

/** `tool_name` given to new tool names once a process has seen its maximum of distinct ones. */
export const FOLDED_TOOL_NAME = 'other';

/**
 * Histogram boundaries for `ai_tool_duration_ms`: AI tools (image generation, LLM calls) take
 * from a fraction of a second to several minutes, so the buckets stretch from 100 ms to 10 min.
 */
export const AI_TOOL_DURATION_BUCKETS_MS: readonly number[] = Object.freeze([
  100, 250, 500, 1_000, 2_500, 5_000, 10_000, 20_000, 30_000, 60_000, 120_000, 300_000, 600_000,
]);

/**
 * Histogram boundaries for `http_request_duration_ms`: API handlers answer in milliseconds, with a
 * tail up to 10 s.
 */
export const HTTP_DURATION_BUCKETS_MS: readonly number[] = Object.freeze([
  1, 2, 5, 10, 25, 50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000,
]);

/**
 * Histogram boundaries for `external_request_duration_ms`: provider latency runs from tens of
 * milliseconds (metadata calls) to minutes (image and video generation), so 50 ms → 10 min.
 */
export const EXTERNAL_REQUEST_DURATION_BUCKETS_MS: readonly number[] = Object.freeze([
  50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000, 20_000, 30_000, 60_000, 120_000, 300_000, 600_000,
]);

/** One metric of the contract: what an instrument is created with and what a dashboard may query. */
export interface MetricContract {
  readonly name: string;
  readonly type: 'counter' | 'histogram';
  /** UCUM unit as given to the instrument. @example 'ms' */
  readonly unit: string;
  readonly description: string;
  /** Every attribute key a data point carries. */
  readonly attributes: readonly string[];
  /** Explicit bucket boundaries (histograms only), passed as instrument advice. */
  readonly buckets?: readonly number[];
  /** The package whose instrument records it. @example '@kira/metrics' */
  readonly emittedBy: string;
}

/**
 * Every metric a Kira package records, with its type, unit, attributes and buckets.
 *
 * @example meter.createHistogram(METRICS.httpRequestDuration.name, { unit: METRICS.httpRequestDuration.unit })
 */
export const METRICS = {
  aiToolExecutions: {
    name: METRIC_NAMES.aiToolExecutions,
    type: 'counter',
    unit: '1',
    description: 'AI tool executions, by tool and outcome.',
    attributes: [METRIC_ATTRIBUTES.toolName, METRIC_ATTRIBUTES.success],
    emittedBy: '@kira/metrics',
  },
  aiToolDuration: {
    name: METRIC_NAMES.aiToolDuration,
    type: 'histogram',
    unit: 'ms',
    description: 'AI tool execution time.',
    attributes: [METRIC_ATTRIBUTES.toolName],
    buckets: AI_TOOL_DURATION_BUCKETS_MS,
    emittedBy: '@kira/metrics',
  },
  httpRequestDuration: {
    name: METRIC_NAMES.httpRequestDuration,
    type: 'histogram',
    unit: 'ms',
    description: 'Inbound HTTP request duration, by method, route template and status code.',
    attributes: [METRIC_ATTRIBUTES.httpMethod, METRIC_ATTRIBUTES.httpRoute, METRIC_ATTRIBUTES.httpStatusCode],
    buckets: HTTP_DURATION_BUCKETS_MS,
    emittedBy: '@kira/metrics',
  },
  externalRequestDuration: {
    name: METRIC_NAMES.externalRequestDuration,
    type: 'histogram',
    unit: 'ms',
    description: 'Duration of calls to external services (AI providers and other APIs), by service, operation and outcome.',
    attributes: [METRIC_ATTRIBUTES.externalService, METRIC_ATTRIBUTES.externalOperation, METRIC_ATTRIBUTES.outcome],
    buckets: EXTERNAL_REQUEST_DURATION_BUCKETS_MS,
    emittedBy: '@kira/external-tracing',
  },
} as const satisfies Record<keyof typeof METRIC_NAMES, MetricContract>;

/**
 * Metrics imgproxy exports over OTLP. Not emitted by Kira code (names as imgproxy emits them),
 * but the dashboards and alerts watch them, so they belong to the contract too.
 */
export const IMGPROXY_METRIC_NAMES = {
  workersUtilization: 'workers_utilization',
  requestsInProgress: 'requests_in_progress',
  imagesInProgress: 'images_in_progress',
  vipsMemoryBytes: 'vips_memory_bytes',
  processResidentMemoryBytes: 'process_resident_memory_bytes',
  goGoroutines: 'go_goroutines',
  goHeapInuseBytes: 'go_memstats_heap_inuse_bytes',
} as const;
