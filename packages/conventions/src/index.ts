export { declareSamplerFollowsParent, declareSamplerIgnoresAttributes, samplerFollowsParent, samplerIgnoresAttributes } from './attribute-free-samplers';
export { ACTIVE_SPAN_KEY_DESCRIPTION, contextWithSpan, type ContextLike } from './context-with-span';
export { runInContext, type ContextRunner } from './run-in-context';
export { errorType } from './error-type';
export { AI_TOOL_LOG, INSTRUMENTATION_SCOPES, LOG_ATTRIBUTES, LOG_SEVERITIES, RESOURCE_ATTRIBUTES } from './logs';
export {
  AI_TOOL_DURATION_BUCKETS_MS,
  EXTERNAL_REQUEST_DURATION_BUCKETS_MS,
  EXTERNAL_REQUEST_OUTCOMES,
  FOLDED_TOOL_NAME,
  HTTP_DURATION_BUCKETS_MS,
  IMGPROXY_METRIC_NAMES,
  METRIC_ATTRIBUTES,
  METRIC_NAMES,
  METRICS,
  type MetricContract,
} from './metrics';
export {
  type CellAttributes,
  collectHistogramCells,
  type HistogramCell,
  type HistogramCellsMetric,
  histogramCellsFor,
} from './histogram-cells-registry';
export { AttributeSetHistogramCells } from './attribute-set-histogram-cells';
export { type CellKeys, KeyedHistogramCells } from './keyed-histogram-cells';
export {
  claimInboundHttpSpans,
  inboundHttpSpansOwner,
  onInboundHttpSpansClaimed,
} from './inbound-http-spans';
export {
  API_GLOBALS_KEY_DESCRIPTION,
  HTTP_TELEMETRY_GLOBALS,
  noOpenTelemetryGlobals,
  noOpenTelemetryGlobalsCheck,
  type OpenTelemetryGlobalKind,
  registeredOpenTelemetryGlobal,
} from './opentelemetry-globals';
export { fetchWireMethod, KNOWN_HTTP_METHODS, normalizeHttpMethod } from './normalize-http-method';
export {
  DEFAULT_REDACTED_QUERY_PARAMS,
  isSecretQueryParam,
  redactUrl,
  redactUrlCredentialsInText,
  URL_ATTRIBUTES_REDACTED,
} from './redact-url';
export { createReportOnce, logLevelIsDebug, type ReportOnce, type ReportOnceOptions } from './report-once';
export {
  resolveTelemetryEnabled,
  TELEMETRY_SWITCH_VARIABLES,
  type TelemetryDecision,
  type TelemetryEnableOptions,
} from './resolve-telemetry-enabled';
export { isSecretKey, sanitize, SECRET_KEY_WORDS, type SanitizeOptions } from './sanitize';
export { isSecretHeader, SECRET_HEADERS } from './secret-headers';
export { declareSpanContextIdsValid, spanContextIdsKnownValid } from './span-context-ids';
export { argumentTypeError, describeValue, isThenable, safeString, UNPRINTABLE } from './values';
export { isTelemetryDestination, isTelemetryOrigin, registerTelemetryDestination, sentryIngestPrefix } from './telemetry-destinations';
export {
  AI_TOOL_OPERATION,
  HEADER_ATTRIBUTE_PREFIXES,
  LEGACY_SPAN_ATTRIBUTES,
  OTHER_VALUE,
  SPAN_ATTRIBUTES,
  SPANS,
  type SpanContract,
} from './spans';
