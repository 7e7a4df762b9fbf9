import { SPAN_ATTRIBUTES } from './spans';

/** OpenTelemetry severity numbers and texts of the four logger levels. */
export const LOG_SEVERITIES = {
  error: { number: 17, text: 'ERROR' },
  warn: { number: 13, text: 'WARN' },
  info: { number: 9, text: 'INFO' },
  debug: { number: 5, text: 'DEBUG' },
} as const;

/** Log record attribute keys of the AI tool log (the ids are the same keys as on the span). */
export const LOG_ATTRIBUTES = {
  aiToolName: SPAN_ATTRIBUTES.aiToolName,
  userId: SPAN_ATTRIBUTES.userId,
  threadId: SPAN_ATTRIBUTES.threadId,
  durationMs: 'duration.ms',
} as const;

/**
 * The AI tool log record: one per tool run, at INFO, inside the tool's span.
 *
 * @example logger.emit({ body: AI_TOOL_LOG.body('generateImage'), severityNumber: LOG_SEVERITIES.info.number })
 */
export const AI_TOOL_LOG = {
  bodyTemplate: 'AI tool executed: {toolName}',
  body: (toolName: string): string => `AI tool executed: ${toolName}`,
  severity: 'info',
  attributes: [LOG_ATTRIBUTES.aiToolName, LOG_ATTRIBUTES.userId, LOG_ATTRIBUTES.threadId, LOG_ATTRIBUTES.durationMs],
  emittedBy: '@kira/metrics',
} as const;

/** Resource attributes every signal carries (besides the SDK's `telemetry.sdk.*`). */
export const RESOURCE_ATTRIBUTES = {
  serviceName: 'service.name',
  serviceVersion: 'service.version',
  deploymentEnvironmentName: 'deployment.environment.name',
} as const;

/** Instrumentation scope names of the Kira packages that emit telemetry themselves. */
export const INSTRUMENTATION_SCOPES = {
  metrics: '@kira/metrics',
  externalTracing: '@kira/external-tracing',
  otelHono: '@kira/otel-hono',
} as const;
