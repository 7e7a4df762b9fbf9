export { createTracedFetch } from './create-traced-fetch';
export { ExternalService } from './external-service';
export { EXTERNAL_REQUEST_DURATION_METRIC } from './telemetry-handles';
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
// The secret rules and the bucket boundaries live in @kira/conventions; re-exported so existing
// imports keep working.
export {
  DEFAULT_REDACTED_QUERY_PARAMS,
  EXTERNAL_REQUEST_DURATION_BUCKETS_MS,
  isSecretHeader,
  isSecretQueryParam,
  redactUrl,
} from '@kira/conventions';
