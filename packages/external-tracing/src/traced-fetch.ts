import {
  INVALID_SPAN_CONTEXT,
  SpanKind,
  SpanStatusCode,
  context,
  propagation,
  trace,
  type Attributes,
  type Context,
  type Exception,
  type Span,
  type TextMapSetter,
} from '@opentelemetry/api';
import {
  errorType,
  fetchWireMethod,
  HEADER_ATTRIBUTE_PREFIXES,
  LEGACY_SPAN_ATTRIBUTES,
  METRIC_ATTRIBUTES,
  normalizeHttpMethod,
  OTHER_VALUE,
  redactUrl,
  redactUrlCredentialsInText,
  SPAN_ATTRIBUTES,
} from '@kira/conventions';
import { headerAttributes, normalizeHeaderAllowlist } from './header-attributes';
import { networkErrorMessage } from './network-error-message';
import { suppressTracing } from './opentelemetry-internals';
import { durationHistogramFor, tracerFor } from './telemetry-handles';
import type { EndSpanOn, ExternalRequestOutcome, TracedFetchOptions } from './types';
import { undiciInjectsTraceHeaders } from './undici-propagation';
import { wrapResponseBody, type BodyEnd } from './wrap-response-body';
import { warnOnce } from './warn-once';

const DEFAULT_PORTS: Readonly<Record<string, number>> = { 'http:': 80, 'https:': 443 };
const UNKNOWN = 'unknown';

// Never overwrite a trace header the caller set on purpose.
const headersSetter: TextMapSetter<Headers> = {
  set(carrier, key, value) {
    if (!carrier.has(key)) carrier.set(key, value);
  },
};

type FetchInput = Parameters<typeof fetch>[0];

/**
 * `fetch` with a CLIENT span `{service} {operation}` and the `external_request_duration_ms`
 * histogram. Same arguments and result as `fetch`: the response comes back untouched (with
 * `endSpanOn: 'body'`, as an equivalent Response whose body stream is observed), errors are
 * rethrown unchanged.
 *
 * @example
 * const response = await tracedFetch(url, { method: 'POST', body }, { service: ExternalService.BYTEPLUS, operation: 'seedream_edit' });
 */
export async function tracedFetch(input: FetchInput, init: RequestInit | undefined, options: TracedFetchOptions): Promise<Response> {
  const settings = typeof options === 'object' && options !== null ? options : ({} as Partial<TracedFetchOptions>);
  const fetchImplementation = typeof settings.fetch === 'function' ? settings.fetch : globalThis.fetch;
  const startedAt = performance.now();

  let call: CallTelemetry | undefined;
  let fetchInit = init;
  let fetchContext: Context = context.active();
  try {
    call = startCall(input, init, settings, fetchContext);
    fetchContext = trace.setSpan(fetchContext, call.span);
    if (settings.propagateContext === false) {
      fetchContext = suppressTracing(fetchContext);
    } else if (!undiciInjectsTraceHeaders()) {
      fetchInit = withTraceHeaders(input, init, fetchContext);
    }
  } catch (error) {
    warnOnce('start-failed', 'starting the CLIENT span failed; the request runs untraced', error);
    call?.span.end();
    call = undefined;
    fetchInit = init;
    fetchContext = context.active();
  }

  let response: Response;
  try {
    response = await context.with(fetchContext, () => fetchImplementation(input, fetchInit));
  } catch (error) {
    call?.failWith(error, performance.now() - startedAt);
    throw error;
  }
  if (!call) return response;
  const telemetry = call;
  try {
    telemetry.onResponse(response);
    if (telemetry.endSpanOn === 'body') {
      const wrapped = wrapResponseBody(response, (end) => telemetry.onBodyEnd(end, performance.now() - startedAt));
      if (wrapped) return wrapped;
    }
    telemetry.finish(performance.now() - startedAt);
  } catch (error) {
    warnOnce('response-failed', 'recording the response failed', error);
    telemetry.finish(performance.now() - startedAt);
  }
  return response;
}

interface CallTelemetry {
  span: Span;
  endSpanOn: EndSpanOn;
  onResponse(response: Response): void;
  onBodyEnd(end: BodyEnd, durationMs: number): void;
  failWith(error: unknown, durationMs: number): void;
  finish(durationMs: number): void;
}

function startCall(
  input: FetchInput,
  init: RequestInit | undefined,
  settings: Partial<TracedFetchOptions>,
  parentContext: Context,
): CallTelemetry {
  let service = settings.service;
  let operation = settings.operation;
  if (typeof service !== 'string' || service.length === 0 || typeof operation !== 'string' || operation.length === 0) {
    warnOnce('options', `tracedFetch needs { service, operation } as non-empty strings; recording "${UNKNOWN}"`);
    service = typeof service === 'string' && service.length > 0 ? service : UNKNOWN;
    operation = typeof operation === 'string' && operation.length > 0 ? operation : UNKNOWN;
  }
  let endSpanOn: EndSpanOn = 'headers';
  if (settings.endSpanOn === 'body') endSpanOn = 'body';
  else if (settings.endSpanOn !== undefined && settings.endSpanOn !== 'headers') {
    warnOnce('endSpanOn', `endSpanOn must be 'headers' or 'body'; using 'headers'`);
  }
  const headerAllowlist = normalizeHeaderAllowlist(settings.recordHeaders);
  const histogram = durationHistogramFor(settings.meterProvider);

  const attributes = requestAttributes(input, init, service, operation, settings.redactQueryParams);
  if (headerAllowlist.length > 0) {
    Object.assign(attributes, headerAttributes(HEADER_ATTRIBUTE_PREFIXES.request, requestHeaders(input, init), headerAllowlist));
  }
  let span: Span;
  try {
    span = tracerFor(settings.tracerProvider).startSpan(`${service} ${operation}`, { kind: SpanKind.CLIENT, attributes }, parentContext);
  } catch (error) {
    warnOnce('span-failed', 'starting the CLIENT span failed', error);
    span = trace.wrapSpanContext(INVALID_SPAN_CONTEXT);
  }

  let outcome: ExternalRequestOutcome = 'ok';
  let finished = false;
  const metricAttributes = (): Attributes => ({
    [METRIC_ATTRIBUTES.externalService]: service,
    [METRIC_ATTRIBUTES.externalOperation]: operation,
    [METRIC_ATTRIBUTES.outcome]: outcome,
  });
  const finish = (durationMs: number): void => {
    if (finished) return;
    finished = true;
    try {
      histogram.record(durationMs, metricAttributes());
    } catch (error) {
      warnOnce('metric-failed', 'recording external_request_duration_ms failed', error);
    } finally {
      span.end();
    }
  };
  const rawUrl = attributes[SPAN_ATTRIBUTES.urlFull] === undefined ? undefined : requestUrl(input);
  const safeUrl = attributes[SPAN_ATTRIBUTES.urlFull] as string | undefined;
  // Errors quote the URL they failed on (undici: "Request cannot be constructed from a URL that
  // includes credentials: …"), so the recorded copy gets the same redaction as url.full.
  const scrub = (text: string): string => scrubSecrets(text, rawUrl, safeUrl);
  const recordFailure = (error: unknown): void => {
    outcome = 'network_error';
    try {
      span.recordException(scrubbedException(error, scrub));
      span.setAttribute(SPAN_ATTRIBUTES.errorType, errorType(error));
      span.setStatus({ code: SpanStatusCode.ERROR, message: scrub(networkErrorMessage(error)) });
    } catch (telemetryError) {
      warnOnce('failure-failed', 'recording the request failure failed', telemetryError);
    }
  };

  return {
    span,
    endSpanOn,
    onResponse(response) {
      const status = response.status;
      outcome = status >= 400 ? 'http_error' : 'ok';
      const responseAttributes: Attributes = {
        [SPAN_ATTRIBUTES.httpResponseStatusCode]: status,
        [LEGACY_SPAN_ATTRIBUTES.httpStatusCode]: status,
      };
      if (headerAllowlist.length > 0) {
        Object.assign(responseAttributes, headerAttributes(HEADER_ATTRIBUTE_PREFIXES.response, response.headers, headerAllowlist));
      }
      if (isErrorStatus(status, settings.errorOnStatus)) {
        responseAttributes[SPAN_ATTRIBUTES.errorType] = String(status);
        span.setStatus({ code: SpanStatusCode.ERROR });
      }
      span.setAttributes(responseAttributes);
    },
    onBodyEnd(end, durationMs) {
      if (end.kind === 'failed') recordFailure(end.error);
      finish(durationMs);
    },
    failWith(error, durationMs) {
      recordFailure(error);
      finish(durationMs);
    },
    finish,
  };
}

function requestAttributes(
  input: FetchInput,
  init: RequestInit | undefined,
  service: string,
  operation: string,
  redactQueryParams: readonly string[] | undefined,
): Attributes {
  // The method fetch puts on the wire (it upper-cases `post`, not `patch`), under the contract's rule.
  const wireMethod = fetchWireMethod(String(init?.method ?? (isRequest(input) ? input.method : undefined) ?? 'GET'));
  const method = normalizeHttpMethod(wireMethod);
  const attributes: Attributes = {
    [SPAN_ATTRIBUTES.externalService]: service,
    [SPAN_ATTRIBUTES.externalOperation]: operation,
    [SPAN_ATTRIBUTES.httpRequestMethod]: method,
    [LEGACY_SPAN_ATTRIBUTES.httpMethod]: method,
  };
  if (method === OTHER_VALUE) attributes[SPAN_ATTRIBUTES.httpRequestMethodOriginal] = wireMethod;

  const rawUrl = requestUrl(input);
  const safeUrl = redactUrl(rawUrl, redactQueryParams);
  attributes[SPAN_ATTRIBUTES.urlFull] = safeUrl;
  attributes[LEGACY_SPAN_ATTRIBUTES.httpUrl] = safeUrl;
  try {
    const url = new URL(rawUrl);
    attributes[SPAN_ATTRIBUTES.serverAddress] = url.hostname.replace(/^\[(.*)\]$/, '$1');
    const port = url.port === '' ? DEFAULT_PORTS[url.protocol] : Number(url.port);
    if (port !== undefined) attributes[SPAN_ATTRIBUTES.serverPort] = port;
  } catch {
    // fetch itself rejects the URL; the span records that failure.
  }
  return attributes;
}

function requestUrl(input: FetchInput): string {
  return typeof input === 'string' ? input : isRequest(input) ? input.url : String(input);
}

function scrubSecrets(text: string, rawUrl: string | undefined, safeUrl: string | undefined): string {
  const withSafeUrl = rawUrl && safeUrl && rawUrl !== safeUrl ? text.split(rawUrl).join(safeUrl) : text;
  return redactUrlCredentialsInText(withSafeUrl);
}

function scrubbedException(error: unknown, scrub: (text: string) => string): Exception {
  if (typeof error !== 'object' || error === null) return scrub(safeString(error));
  const { name, message, stack, code } = error as { name?: unknown; message?: unknown; stack?: unknown; code?: unknown };
  const exception: { name: string; message?: string; stack?: string; code?: string | number } = {
    name: typeof name === 'string' ? name : OTHER_VALUE,
  };
  if (typeof message === 'string') exception.message = scrub(message);
  if (typeof stack === 'string') exception.stack = scrub(stack);
  if (typeof code === 'string' || typeof code === 'number') exception.code = code;
  return exception;
}

function requestHeaders(input: FetchInput, init: RequestInit | undefined): Headers | undefined {
  try {
    // fetch(request, { headers }) replaces the request's headers, so the same precedence applies.
    if (init?.headers !== undefined) return new Headers(init.headers);
    return isRequest(input) ? input.headers : undefined;
  } catch {
    return undefined;
  }
}

function withTraceHeaders(input: FetchInput, init: RequestInit | undefined, traceContext: Context): RequestInit | undefined {
  const headers = new Headers(requestHeaders(input, init));
  propagation.inject(traceContext, headers, headersSetter);
  return { ...init, headers };
}

function isErrorStatus(status: number, errorOnStatus: ((status: number) => boolean) | undefined): boolean {
  if (typeof errorOnStatus !== 'function') return status >= 500;
  try {
    return errorOnStatus(status) === true;
  } catch (error) {
    warnOnce('errorOnStatus', 'errorOnStatus threw; using the default rule (status >= 500)', error);
    return status >= 500;
  }
}

function isRequest(input: unknown): input is Request {
  return typeof Request !== 'undefined' && input instanceof Request;
}

function safeString(value: unknown): string {
  try {
    return String(value);
  } catch {
    return '[unprintable]';
  }
}
