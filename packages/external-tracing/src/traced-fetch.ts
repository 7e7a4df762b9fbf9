import {
  INVALID_SPAN_CONTEXT,
  SpanKind,
  SpanStatusCode,
  TraceFlags,
  context,
  propagation,
  trace,
  type Attributes,
  type Context,
  type Exception,
  type MeterProvider,
  type Span,
  type SpanOptions,
  type TextMapSetter,
} from '@opentelemetry/api';
import {
  contextWithSpan,
  errorType,
  fetchWireMethod,
  HEADER_ATTRIBUTE_PREFIXES,
  HTTP_TELEMETRY_GLOBALS,
  LEGACY_SPAN_ATTRIBUTES,
  METRIC_ATTRIBUTES,
  noOpenTelemetryGlobalsCheck,
  normalizeHttpMethod,
  OTHER_VALUE,
  redactUrl,
  redactUrlCredentialsInText,
  runInContext,
  safeString,
  SPAN_ATTRIBUTES,
  spanContextIdsKnownValid,
} from '@kira/conventions';
import { headerAttributes, normalizeHeaderAllowlist } from './header-attributes';
import { networkErrorMessage } from './network-error-message';
import { suppressTracing } from './opentelemetry-internals';
import { durationCellsFor, durationHistogramFor, tracingFor, type Tracing } from './telemetry-handles';
import type { EndSpanOn, ExternalRequestOutcome, TracedFetchOptions } from './types';
import { undiciInjectsTraceHeaders } from './undici-propagation';
import { wrapResponseBody, type BodyEnd } from './wrap-response-body';
import { warnOnce } from './warn-once';

const DEFAULT_PORTS: Readonly<Record<string, number>> = { 'http:': 80, 'https:': 443 };
const UNKNOWN = 'unknown';
// Asked once per call; the kinds are checked here, once.
const httpTelemetryOff = noOpenTelemetryGlobalsCheck(HTTP_TELEMETRY_GLOBALS);

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
export function tracedFetch(input: FetchInput, init: RequestInit | undefined, options: TracedFetchOptions): Promise<Response> {
  const settings = typeof options === 'object' && options !== null ? options : ({} as Partial<TracedFetchOptions>);
  const fetchImplementation = typeof settings.fetch === 'function' ? settings.fetch : globalThis.fetch;
  if (
    settings.tracerProvider === undefined &&
    settings.meterProvider === undefined &&
    settings.propagateContext !== false &&
    httpTelemetryOff()
  ) {
    // Telemetry off (no SDK): nothing would record and no propagator would add a header, so the
    // call is fetch itself, without the clock reads, the call object and the no-op histogram
    // record, which cost several µs per call between the halves of undici's fetch. Wrong options
    // still get their warning, here where development runs with telemetry off.
    warnAboutOptions(settings);
    return untracedFetch(fetchImplementation, input, init);
  }
  let tracing: Tracing | undefined;
  try {
    tracing = tracingFor(settings.tracerProvider);
  } catch (error) {
    warnOnce('start-failed', 'starting the CLIENT span failed; the request runs untraced', error);
    return untracedFetch(fetchImplementation, input, init);
  }
  return recordedFetch(input, init, settings, fetchImplementation, tracing);
}

function warnContextFailure(error: unknown): void {
  warnOnce('context-failed', "running fetch in the CLIENT span's context failed; the request runs outside it", error);
}

/** fetch as an async function would call it: a synchronous throw becomes a rejection. */
function untracedFetch(fetchImplementation: typeof fetch, input: FetchInput, init: RequestInit | undefined): Promise<Response> {
  try {
    return Promise.resolve(fetchImplementation(input, init));
  } catch (error) {
    // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- whatever fetch threw, unchanged, as an async function would reject with it
    return Promise.reject(error);
  }
}

async function recordedFetch(
  input: FetchInput,
  init: RequestInit | undefined,
  settings: Partial<TracedFetchOptions>,
  fetchImplementation: typeof fetch,
  tracing: Tracing | undefined,
): Promise<Response> {
  const startedAt = performance.now();

  let call: CallTelemetry | undefined;
  let fetchInit = init;
  // Undefined only when reading the active context threw (a broken context manager): then the
  // request runs untraced, as it is, instead of failing.
  let callerContext: Context | undefined;
  let fetchContext: Context | undefined;
  try {
    // Read once: nothing between here and the fetch changes the active context.
    callerContext = context.active();
    fetchContext = callerContext;
    call = startCall(input, init, settings, tracing, callerContext, fetchImplementation === globalThis.fetch);
    if (call.span !== undefined) fetchContext = contextWithSpan(fetchContext, call.span);
    if (settings.propagateContext === false) {
      fetchContext = suppressTracing(fetchContext);
    } else if (!undiciInjectsTraceHeaders() && (call.span !== undefined || propagation.fields().length > 0)) {
      // Without an SDK the API's propagator is a no-op with no fields: no header to add, so the
      // request keeps the caller's init object.
      fetchInit = withTraceHeaders(input, init, fetchContext);
    }
  } catch (error) {
    warnOnce('start-failed', 'starting the CLIENT span failed; the request runs untraced', error);
    call?.span?.end();
    call = undefined;
    fetchInit = init;
    fetchContext = callerContext;
  }

  let response: Response;
  try {
    // The active context is already right when no span was started (tracing off). A context
    // manager that throws in `with` (a broken one) costs undici's span its parent, not the request.
    response = await (fetchContext === callerContext || fetchContext === undefined
      ? fetchImplementation(input, fetchInit)
      : runInContext(context, fetchContext, () => fetchImplementation(input, fetchInit), warnContextFailure));
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

/**
 * One call's span and histogram record. A class, not a set of closures, so a call allocates one
 * small object of a fixed shape: this runs once per outgoing request, between two halves of
 * undici's much larger fetch, where every extra allocation and code path shows up in CPU per call.
 */
class CallTelemetry {
  private outcome: ExternalRequestOutcome = 'ok';
  private finished = false;

  constructor(
    /** The CLIENT span; undefined when tracing is the API's no-op (no SDK: nothing to record). */
    readonly span: Span | undefined,
    readonly endSpanOn: EndSpanOn,
    private readonly service: string,
    private readonly operation: string,
    private readonly meterProvider: MeterProvider | undefined,
    private readonly headerAllowlist: readonly string[],
    private readonly errorOnStatus: ((status: number) => boolean) | undefined,
    /** The request URL as given and as recorded (`url.full`), to scrub it out of error messages. */
    private readonly rawUrl: string | undefined,
    private readonly safeUrl: string | undefined,
  ) {}

  onResponse(response: Response): void {
    const status = response.status;
    this.outcome = status >= 400 ? 'http_error' : 'ok';
    const span = this.span;
    // errorOnStatus only decides the span's status (documented so): a span that records nothing
    // needs no verdict, and unsampled calls, most of them, skip the user's function.
    if (span === undefined || !span.isRecording()) return;
    const responseAttributes: Attributes = {
      [SPAN_ATTRIBUTES.httpResponseStatusCode]: status,
      [LEGACY_SPAN_ATTRIBUTES.httpStatusCode]: status,
    };
    if (this.headerAllowlist.length > 0) {
      Object.assign(responseAttributes, headerAttributes(HEADER_ATTRIBUTE_PREFIXES.response, response.headers, this.headerAllowlist));
    }
    if (isErrorStatus(status, this.errorOnStatus)) {
      responseAttributes[SPAN_ATTRIBUTES.errorType] = String(status);
      span.setStatus({ code: SpanStatusCode.ERROR });
    }
    span.setAttributes(responseAttributes);
  }

  onBodyEnd(end: BodyEnd, durationMs: number): void {
    if (end.kind === 'failed') this.recordFailure(end.error);
    this.finish(durationMs);
  }

  failWith(error: unknown, durationMs: number): void {
    this.recordFailure(error);
    this.finish(durationMs);
  }

  finish(durationMs: number): void {
    if (this.finished) return;
    this.finished = true;
    try {
      const cells = durationCellsFor(this.meterProvider);
      if (cells !== undefined) cells.recordValues(this.service, this.operation, this.outcome, durationMs);
      else {
        durationHistogramFor(this.meterProvider).record(durationMs, {
          [METRIC_ATTRIBUTES.externalService]: this.service,
          [METRIC_ATTRIBUTES.externalOperation]: this.operation,
          [METRIC_ATTRIBUTES.outcome]: this.outcome,
        });
      }
    } catch (error) {
      warnOnce('metric-failed', 'recording external_request_duration_ms failed', error);
    } finally {
      this.span?.end();
    }
  }

  private recordFailure(error: unknown): void {
    this.outcome = 'network_error';
    const span = this.span;
    if (span === undefined || !span.isRecording()) return;
    // Errors quote the URL they failed on (undici: "Request cannot be constructed from a URL that
    // includes credentials: …"), so the recorded copy gets the same redaction as url.full.
    const scrub = (text: string): string => scrubSecrets(text, this.rawUrl, this.safeUrl);
    try {
      span.recordException(scrubbedException(error, scrub));
      span.setAttribute(SPAN_ATTRIBUTES.errorType, errorType(error));
      span.setStatus({ code: SpanStatusCode.ERROR, message: scrub(networkErrorMessage(error)) });
    } catch (telemetryError) {
      warnOnce('failure-failed', 'recording the request failure failed', telemetryError);
    }
  }
}

/**
 * The diagnostics for wrong options, the same whether or not telemetry records: one `diag` warning
 * per kind. Returns the allowlist of headers to record (it warns about secret headers).
 */
function warnAboutOptions(settings: Partial<TracedFetchOptions>): readonly string[] {
  if (!isName(settings.service) || !isName(settings.operation)) {
    warnOnce('options', `tracedFetch needs { service, operation } as non-empty strings; recording "${UNKNOWN}"`);
  }
  if (settings.endSpanOn !== undefined && settings.endSpanOn !== 'headers' && settings.endSpanOn !== 'body') {
    warnOnce('endSpanOn', `endSpanOn must be 'headers' or 'body'; using 'headers'`);
  }
  return normalizeHeaderAllowlist(settings.recordHeaders);
}

function isName(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0;
}

function startCall(
  input: FetchInput,
  init: RequestInit | undefined,
  settings: Partial<TracedFetchOptions>,
  tracing: Tracing | undefined,
  parentContext: Context,
  globalFetch: boolean,
): CallTelemetry {
  const headerAllowlist = warnAboutOptions(settings);
  const service = isName(settings.service) ? settings.service : UNKNOWN;
  const operation = isName(settings.operation) ? settings.operation : UNKNOWN;
  const endSpanOn: EndSpanOn = settings.endSpanOn === 'body' ? 'body' : 'headers';
  // Tracing off: no span and none of its attributes (the URL parse is most of a call's own cost);
  // the histogram is still recorded, into whatever meter provider there is.
  if (tracing === undefined || spanWouldBeUnseen(tracing.followsParent, parentContext, settings, globalFetch)) {
    return new CallTelemetry(undefined, endSpanOn, service, operation, settings.meterProvider, headerAllowlist, settings.errorOnStatus, undefined, undefined);
  }

  const name = `${service} ${operation}`;
  let span: Span;
  let target: RequestTarget | undefined;
  try {
    if (tracing.attributesAfterStart) {
      // The sampler reads no start attributes (@kira/otel-core's): the spans it drops, 90 % at the
      // default ratio, never build them. Sampled spans get the same attributes right after start.
      span = tracing.tracer.startSpan(name, CLIENT_SPAN_OPTIONS, parentContext);
    } else {
      target = requestTarget(requestUrl(input), settings.redactQueryParams);
      span = tracing.tracer.startSpan(name, { kind: SpanKind.CLIENT, attributes: startAttributes(input, init, service, operation, target, headerAllowlist) }, parentContext);
    }
  } catch (error) {
    warnOnce('span-failed', 'starting the CLIENT span failed', error);
    return new CallTelemetry(trace.wrapSpanContext(INVALID_SPAN_CONTEXT), endSpanOn, service, operation, settings.meterProvider, headerAllowlist, settings.errorOnStatus, undefined, undefined);
  }
  if (target === undefined && span.isRecording()) {
    try {
      target = requestTarget(requestUrl(input), settings.redactQueryParams);
      span.setAttributes(startAttributes(input, init, service, operation, target, headerAllowlist));
    } catch (error) {
      warnOnce('attributes-failed', 'recording the request attributes failed', error);
    }
  }
  return new CallTelemetry(span, endSpanOn, service, operation, settings.meterProvider, headerAllowlist, settings.errorOnStatus, target?.rawUrl, target?.safeUrl);
}

/**
 * True when the CLIENT span could change nothing anyone sees, so the call starts none and runs
 * fetch in the caller's context (most calls inside a service's requests: 90 % are unsampled at the
 * default ratio). All of these must hold:
 * - the sampler declared that it never samples a child of an unsampled parent (@kira/otel-core's
 *   ParentBased), and the parent in the caller's context is valid and unsampled: the span would
 *   be a non-recording copy of the parent's trace id and flags with a fresh span id;
 * - the request goes through the global fetch and something on undici's request channel (the
 *   undici instrumentation, Sentry's fetch integration) adds the trace headers: they then carry
 *   that instrumentation's own span id either way, under the same trace id and not-sampled flag;
 * - context propagation is on (off needs the suppressing context).
 * The histogram is recorded as always.
 */
function spanWouldBeUnseen(followsParent: boolean, parentContext: Context, settings: Partial<TracedFetchOptions>, globalFetch: boolean): boolean {
  if (!followsParent || !globalFetch || settings.propagateContext === false) return false;
  const parent = trace.getSpanContext(parentContext);
  if (parent === undefined || (parent.traceFlags & TraceFlags.SAMPLED) !== 0 || !(spanContextIdsKnownValid(parent) || trace.isSpanContextValid(parent))) return false;
  return undiciInjectsTraceHeaders();
}

// Shared by every call whose span starts without attributes: the SDK only reads span options.
const CLIENT_SPAN_OPTIONS: SpanOptions = Object.freeze({ kind: SpanKind.CLIENT });

/** The attributes known before the request is sent: the request's and the allowlisted headers. */
function startAttributes(
  input: FetchInput,
  init: RequestInit | undefined,
  service: string,
  operation: string,
  target: RequestTarget,
  headerAllowlist: readonly string[],
): Attributes {
  const attributes = requestAttributes(input, init, service, operation, target);
  if (headerAllowlist.length > 0) {
    Object.assign(attributes, headerAttributes(HEADER_ATTRIBUTE_PREFIXES.request, requestHeaders(input, init), headerAllowlist));
  }
  return attributes;
}

/** What a request URL contributes to the span: the URL as recorded and the server's address and port. */
interface RequestTarget {
  readonly rawUrl: string;
  readonly safeUrl: string;
  readonly serverAddress: string | undefined;
  readonly serverPort: number | undefined;
}

// Services call the same few endpoints over and over; parsing (and redacting) each URL once saves
// two WHATWG URL parses per call. Bounded: when full it starts over, so hostile or ever-changing
// URLs cost what they did before and never grow memory. Only calls without extra redacted
// parameters use it (their result depends on that list).
const MAX_CACHED_TARGETS = 256;
const cachedTargets = new Map<string, RequestTarget>();

function requestTarget(rawUrl: string, redactQueryParams: readonly string[] | undefined): RequestTarget {
  const cacheable = redactQueryParams === undefined || redactQueryParams.length === 0;
  if (cacheable) {
    const cached = cachedTargets.get(rawUrl);
    if (cached !== undefined) return cached;
  }
  const safeUrl = redactUrl(rawUrl, redactQueryParams);
  let serverAddress: string | undefined;
  let serverPort: number | undefined;
  try {
    const url = new URL(rawUrl);
    serverAddress = url.hostname.replace(/^\[(.*)\]$/, '$1');
    serverPort = url.port === '' ? DEFAULT_PORTS[url.protocol] : Number(url.port);
  } catch {
    // fetch itself rejects the URL; the span records that failure.
  }
  const target: RequestTarget = { rawUrl, safeUrl, serverAddress, serverPort };
  if (cacheable) {
    if (cachedTargets.size >= MAX_CACHED_TARGETS) cachedTargets.clear();
    cachedTargets.set(rawUrl, target);
  }
  return target;
}

function requestAttributes(input: FetchInput, init: RequestInit | undefined, service: string, operation: string, target: RequestTarget): Attributes {
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
  attributes[SPAN_ATTRIBUTES.urlFull] = target.safeUrl;
  attributes[LEGACY_SPAN_ATTRIBUTES.httpUrl] = target.safeUrl;
  if (target.serverAddress !== undefined) attributes[SPAN_ATTRIBUTES.serverAddress] = target.serverAddress;
  if (target.serverPort !== undefined) attributes[SPAN_ATTRIBUTES.serverPort] = target.serverPort;
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
