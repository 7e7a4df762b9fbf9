export { EXTERNAL_REQUEST_DURATION_BUCKETS_MS } from './bucket-boundaries';
export { createTracedFetch } from './create-traced-fetch';
export { ExternalService } from './external-service';
export { EXTERNAL_REQUEST_DURATION_METRIC } from './metric-name';
export { isSecretHeader } from './header-attributes';
export { DEFAULT_REDACTED_QUERY_PARAMS, isSecretQueryParam, redactUrl } from './redact-url';
export { isTelemetryDestination, isTelemetryOrigin, registerTelemetryDestination, sentryIngestPrefix } from './telemetry-destinations';
export { tracedFetch } from './traced-fetch';
export type {
  EndSpanOn,
  ExternalRequestOutcome,
  ExternalServiceName,
  TracedFetch,
  TracedFetchBehaviour,
  TracedFetchCallOptions,
  TracedFetchDefaults,
  TracedFetchOptions,
} from './types';
