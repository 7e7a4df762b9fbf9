import type { MeterProvider, TracerProvider } from '@opentelemetry/api';
import type { EXTERNAL_REQUEST_OUTCOMES } from '@kira/conventions';
import type { ExternalService } from './external-service';

/** A known service from {@link ExternalService}, or any other name. */
// `string & {}` keeps editor completion for the known names while accepting any string.
export type ExternalServiceName = (typeof ExternalService)[keyof typeof ExternalService] | (string & {});

/** `outcome` of `external_request_duration_ms`. */
export type ExternalRequestOutcome = (typeof EXTERNAL_REQUEST_OUTCOMES)[number];

/** When the CLIENT span (and the duration measurement) ends. */
export type EndSpanOn = 'headers' | 'body';

/** Per-call behaviour that can also be set as a default or per service in `createTracedFetch`. */
export interface TracedFetchBehaviour {
  /**
   * `'headers'` (default) ends the span when the response headers arrive; `'body'` ends it when
   * the response body has been read to the end, failed or was cancelled — for streamed answers.
   * With `'body'` the caller must consume or cancel the body, or the span never ends.
   * @example { endSpanOn: 'body' }
   */
  endSpanOn?: EndSpanOn;
  /**
   * Which response statuses mark the span as ERROR (with `error.type` = the status code).
   * Default: `status >= 500`. It decides nothing else: the metric `outcome` is independent (any
   * status >= 400 is `http_error`).
   *
   * Called once per response, and only when the call's span records (is sampled). It is not called
   * for an unsampled span, for a call that starts no span (under an unsampled parent with
   * `@kira/otel-core`, or with no SDK / telemetry off), nor for a request that fails without a
   * response. So keep it a pure function of the status: a side effect in it (counting, logging)
   * would only see the sampled calls.
   * @example { errorOnStatus: (status) => status >= 400 && status !== 404 }
   */
  errorOnStatus?: (status: number) => boolean;
  /**
   * Send the W3C trace context (`traceparent`) to the service. Default true. When false, no
   * trace header is added for this call and the undici transport span is suppressed with it.
   * @example { propagateContext: false }
   */
  propagateContext?: boolean;
  /**
   * Extra query parameters whose values are redacted, on top of `DEFAULT_REDACTED_QUERY_PARAMS`
   * (case-insensitive).
   * @example { redactQueryParams: ['session'] }
   */
  redactQueryParams?: readonly string[];
  /**
   * Request and response headers recorded as `http.request.header.<name>` /
   * `http.response.header.<name>` (lower-case). Nothing is recorded unless listed; credentials
   * (`authorization`, `cookie`, `set-cookie`, `proxy-authorization`, `x-api-key`, …) never are.
   * @example { recordHeaders: ['x-request-id', 'retry-after'] }
   */
  recordHeaders?: readonly string[];
}

/** Options of `tracedFetch`. */
export interface TracedFetchOptions extends TracedFetchBehaviour {
  /**
   * The external service (`external.service`).
   * @example { service: ExternalService.OPENAI }
   */
  service: ExternalServiceName;
  /**
   * What the call does (`external.operation`); keep it a fixed name, it is a metric attribute.
   * @example { operation: 'chat_completion' }
   */
  operation: string;
  /**
   * TracerProvider for the CLIENT span; defaults to the global one.
   * @example { tracerProvider: sdk.tracerProvider }
   */
  tracerProvider?: TracerProvider;
  /**
   * MeterProvider for `external_request_duration_ms`; defaults to the global one.
   * @example { meterProvider: sdk.meterProvider }
   */
  meterProvider?: MeterProvider;
  /**
   * The fetch implementation; defaults to `globalThis.fetch` at call time.
   * @example { fetch: customFetch }
   */
  fetch?: typeof fetch;
}

/** Options of a function made by `createTracedFetch`: `service` may come from its defaults. */
export type TracedFetchCallOptions = Omit<TracedFetchOptions, 'service'> & {
  /** Overrides the default service. @example { service: 'openai' } */
  service?: ExternalServiceName;
};

/** Defaults of `createTracedFetch`. */
export interface TracedFetchDefaults extends TracedFetchBehaviour {
  /**
   * Service used when a call does not name one.
   * @example createTracedFetch({ service: ExternalService.FAL })
   */
  service?: ExternalServiceName;
  /**
   * Behaviour per service, applied over the other defaults and under the call's own options.
   * @example createTracedFetch({ services: { openai: { propagateContext: false } } })
   */
  services?: Partial<Record<ExternalServiceName, TracedFetchBehaviour>>;
  /** See {@link TracedFetchOptions.tracerProvider}. @example { tracerProvider } */
  tracerProvider?: TracerProvider;
  /** See {@link TracedFetchOptions.meterProvider}. @example { meterProvider } */
  meterProvider?: MeterProvider;
  /** See {@link TracedFetchOptions.fetch}. @example { fetch: customFetch } */
  fetch?: typeof fetch;
}

/** A `fetch` bound to defaults by `createTracedFetch`. */
export type TracedFetch = (
  input: Parameters<typeof fetch>[0],
  init: RequestInit | undefined,
  options: TracedFetchCallOptions,
) => Promise<Response>;
