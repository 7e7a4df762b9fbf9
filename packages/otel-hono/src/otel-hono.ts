import {
  context,
  propagation,
  trace,
  SpanKind,
  SpanStatusCode,
  type Attributes,
  type Context as OtelContext,
  type Span,
  type SpanOptions,
  type TextMapGetter,
  type Tracer,
} from '@opentelemetry/api';
import {
  claimInboundHttpSpans,
  contextWithSpan,
  errorType,
  HTTP_TELEMETRY_GLOBALS,
  INSTRUMENTATION_SCOPES,
  LEGACY_SPAN_ATTRIBUTES,
  noOpenTelemetryGlobalsCheck,
  normalizeHttpMethod,
  OTHER_VALUE,
  redactUrl,
  runInContext,
  safeString,
  SPAN_ATTRIBUTES,
} from '@kira/conventions';
import { createKiraMetrics, type HttpRequestRecorder } from '@kira/metrics';
import type { Context, MiddlewareHandler, Next } from 'hono';
import { version } from '../package.json';
import { getHttpRpcMetadata, type HttpRpcMetadata } from './opentelemetry-internals';
import { reportTelemetryError } from './report-telemetry-error';
import { hasPropagationHeaders, hasPropagationHeadersIn } from './has-propagation-headers';
import { schemeOf, serverAddressOf } from './request-details';
import { resolveRoute } from './resolve-route';
import type { OtelHonoOptions } from './types';

const INSTRUMENTATION_SCOPE = INSTRUMENTATION_SCOPES.otelHono;
const {
  errorType: ATTR_ERROR_TYPE,
  httpRequestMethod: ATTR_HTTP_REQUEST_METHOD,
  httpRequestMethodOriginal: ATTR_HTTP_REQUEST_METHOD_ORIGINAL,
  httpResponseStatusCode: ATTR_HTTP_RESPONSE_STATUS_CODE,
  httpRoute: ATTR_HTTP_ROUTE,
  serverAddress: ATTR_SERVER_ADDRESS,
  urlPath: ATTR_URL_PATH,
  urlScheme: ATTR_URL_SCHEME,
} = SPAN_ATTRIBUTES;
const {
  httpMethod: ATTR_LEGACY_HTTP_METHOD,
  httpStatusCode: ATTR_LEGACY_HTTP_STATUS_CODE,
  httpUrl: ATTR_LEGACY_HTTP_URL,
} = LEGACY_SPAN_ATTRIBUTES;
const DEFAULT_UNMATCHED_ROUTE = 'unmatched';
// Asked once per request; the kinds are checked here, once.
const httpTelemetryOff = noOpenTelemetryGlobalsCheck(HTTP_TELEMETRY_GLOBALS);

/** What @hono/node-server puts in `c.env`; read structurally so other runtimes just skip it. */
interface NodeServerBindings {
  incoming?: { headers?: Record<string, string | string[] | undefined> };
  outgoing?: ClosableResponse;
}
interface ClosableResponse {
  closed?: boolean;
  on?: (event: 'close', listener: () => void) => unknown;
  [PENDING_REQUEST]?: PendingRequest;
}

const PENDING_REQUEST = Symbol('@kira/otel-hono pending request');
// Marks a Hono Context already recorded by an outer otelHono (a sub-app registering it again
// shares the parent's Context), so nesting never doubles spans or histogram counts.
const RECORDED = Symbol('@kira/otel-hono recorded');
type RecordedContext = Context & { [RECORDED]?: true };

// Shared by every request: the SDK only reads span options, so one frozen object will do.
const SERVER_SPAN_OPTIONS: SpanOptions = Object.freeze({ kind: SpanKind.SERVER });

const headersGetter: TextMapGetter<Headers> = {
  get: (carrier, key) => carrier.get(key) ?? undefined,
  keys: (carrier) => Array.from(carrier.keys()),
};

/**
 * What is left to do once the response is fully sent: end the span we own and record the
 * histogram. A class (not a closure) so every request has the same small shape.
 */
class PendingRequest {
  constructor(
    readonly record: HttpRequestRecorder,
    readonly span: Span | undefined,
    readonly method: string,
    readonly route: string,
    readonly statusCode: number,
    readonly startTime: number,
  ) {}

  finish(): void {
    try {
      this.record(this.method, this.route, this.statusCode, performance.now() - this.startTime);
    } catch (error) {
      reportTelemetryError(error);
    }
    this.span?.end();
  }
}

// Shared by every request; `this` is the ServerResponse, so no per-request closure is needed.
function finishOnClose(this: ClosableResponse): void {
  const pending = this[PENDING_REQUEST];
  this[PENDING_REQUEST] = undefined;
  pending?.finish();
}

/**
 * Hono middleware that names the inbound SERVER span by route template (`GET /users/:id`),
 * records errors on it and records `http_request_duration_ms`. Register it first.
 *
 * @example
 * const app = new Hono();
 * app.use(otelHono());
 * app.get('/users/:id', (c) => c.json({ id: c.req.param('id') }));
 */
export function otelHono(options: OtelHonoOptions = {}): MiddlewareHandler {
  // A JavaScript caller's null means "no options", as undefined does: telemetry never throws into its host for it.
  options ??= {};
  const tracer = (options.tracerProvider ?? trace.getTracerProvider()).getTracer(INSTRUMENTATION_SCOPE, version);
  const unmatchedRoute = options.unmatchedRoute ?? DEFAULT_UNMATCHED_ROUTE;
  const legacy = options.recordLegacyAttributes ?? true;
  const alwaysOwnSpan = options.spanOwnership === 'middleware';
  // Unless told to keep the http instrumentation's span ('auto' set explicitly), this middleware
  // takes the inbound SERVER span: otel-core's http instrumentation, left at its default, then
  // stops tracing inbound requests, so a Hono service needs no KIRA_HTTP_INBOUND=off.
  if (options.spanOwnership !== 'auto') claimInboundHttpSpans(INSTRUMENTATION_SCOPE);
  // Caches the histogram's attribute object per method + route + status (routes are templates).
  const record = createKiraMetrics({ meterProvider: options.meterProvider }).createHttpRequestRecorder();

  // Providers given in the options always count; otherwise a request while no SDK is registered
  // (telemetry off: no tracer, meter or propagator) would only make no-op spans and drop its
  // record: it goes straight through.
  const followsGlobals = options.tracerProvider === undefined && options.meterProvider === undefined;

  // Not async: the telemetry-off path returns `next()` itself, costing what an empty middleware does.
  return function otelHonoMiddleware(c, next) {
    if (followsGlobals && httpTelemetryOff()) return next();
    return traceRequest(c, next);
  };

  async function traceRequest(c: Context, next: Next): Promise<void> {
    if ((c as RecordedContext)[RECORDED] === true) return next();
    (c as RecordedContext)[RECORDED] = true;
    const startTime = performance.now();
    const method = normalizeHttpMethod(c.req.method);
    let rpcMetadata: HttpRpcMetadata | undefined;
    let span: Span | undefined;
    let spanContext: OtelContext | undefined;
    try {
      // Inside the guard: a context manager that throws here (a broken one) leaves the request
      // untraced but served, its duration still recorded.
      const active = context.active();
      rpcMetadata = alwaysOwnSpan ? undefined : getHttpRpcMetadata(active);
      if (rpcMetadata === undefined) {
        const parent = extractParent(c, active);
        span = startServerSpan(tracer, c, method, parent, legacy);
        spanContext = contextWithSpan(parent, span);
      }
    } catch (error) {
      reportTelemetryError(error);
    }

    let failed = false;
    let failure: unknown;
    try {
      // A context manager that throws in `with` (a broken one) leaves the rest of the chain
      // running outside the span's context, once, and the request served.
      await (spanContext === undefined ? next() : runInContext(context, spanContext, next, reportTelemetryError));
    } catch (error) {
      failed = true;
      failure = error;
      throw error;
    } finally {
      try {
        completeRequest(c, record, method, rpcMetadata, span, failed, failure, startTime, unmatchedRoute, legacy);
      } catch (error) {
        reportTelemetryError(error);
        span?.end();
      }
    }
  }
}

/**
 * The caller's W3C context, read from Node's plain header object when available (no Headers copy).
 * Most requests carry no propagation header at all; they skip the propagator.
 */
function extractParent(c: Context, active: OtelContext): OtelContext {
  const incomingHeaders = (c.env as NodeServerBindings | undefined)?.incoming?.headers;
  if (incomingHeaders !== undefined && incomingHeaders !== null && typeof incomingHeaders === 'object') {
    return hasPropagationHeaders(incomingHeaders) ? propagation.extract(active, incomingHeaders) : active;
  }
  const headers = c.req.raw.headers;
  return hasPropagationHeadersIn(headers) ? propagation.extract(active, headers, headersGetter) : active;
}

function startServerSpan(tracer: Tracer, c: Context, method: string, parent: OtelContext, legacy: boolean): Span {
  // No start attributes: the SDK cleans them even for spans it then drops (most of them at 10 %
  // sampling), and otel-core's sampler, ParentBased(TraceIdRatioBased), never reads them. Named
  // by the method for now, renamed to `{METHOD} {route}` once routing is done.
  const span = tracer.startSpan(method, SERVER_SPAN_OPTIONS, parent);
  if (span.isRecording()) {
    const url = c.req.url;
    const attributes: Attributes = {
      [ATTR_HTTP_REQUEST_METHOD]: method,
      [ATTR_URL_PATH]: c.req.path,
      [ATTR_URL_SCHEME]: schemeOf(url),
      [ATTR_SERVER_ADDRESS]: serverAddressOf(url),
    };
    if (method === OTHER_VALUE) attributes[ATTR_HTTP_REQUEST_METHOD_ORIGINAL] = c.req.method;
    if (legacy) {
      attributes[ATTR_LEGACY_HTTP_METHOD] = method;
      attributes[ATTR_LEGACY_HTTP_URL] = redactUrl(url);
    }
    span.setAttributes(attributes);
  }
  return span;
}

function completeRequest(
  c: Context,
  record: HttpRequestRecorder,
  method: string,
  rpcMetadata: HttpRpcMetadata | undefined,
  ownSpan: Span | undefined,
  failed: boolean,
  failure: unknown,
  startTime: number,
  unmatchedRoute: string,
  legacy: boolean,
): void {
  // Hono's compose catches handler errors and hands them to onError before this middleware
  // resumes, so a handled error is only visible as `c.error`.
  const error: unknown = failed ? failure : c.error;
  const statusCode = failed ? 500 : c.res.status;
  const route = resolveRoute(c, unmatchedRoute, statusCode);

  if (rpcMetadata !== undefined) {
    // The http instrumentation reads this when the response closes: it sets `http.route` and
    // renames its span. Setting them directly as well keeps processors that look earlier happy.
    rpcMetadata.route = route;
    annotateSpan(rpcMetadata.span, c, method, route, statusCode, error, legacy, false);
  } else if (ownSpan !== undefined) {
    annotateSpan(ownSpan, c, method, route, statusCode, error, legacy, true);
  }

  const pending = new PendingRequest(record, ownSpan, method, route, statusCode, startTime);
  const outgoing = (c.env as NodeServerBindings | undefined)?.outgoing;
  if (
    outgoing !== undefined &&
    outgoing !== null &&
    typeof outgoing.on === 'function' &&
    outgoing.closed !== true &&
    outgoing[PENDING_REQUEST] === undefined
  ) {
    // On Node the response body is still being written (streams, SSE): end when it is fully sent,
    // the same moment the http instrumentation ends its span.
    outgoing[PENDING_REQUEST] = pending;
    outgoing.on('close', finishOnClose);
  } else {
    pending.finish();
  }
}

function annotateSpan(
  span: Span,
  c: Context,
  method: string,
  route: string,
  statusCode: number,
  error: unknown,
  legacy: boolean,
  ownSpan: boolean,
): void {
  if (!span.isRecording()) return;
  span.setAttribute(ATTR_HTTP_ROUTE, route);
  span.updateName(`${method} ${route}`);
  if (ownSpan) span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, statusCode);
  if (legacy) {
    span.setAttribute(ATTR_LEGACY_HTTP_STATUS_CODE, statusCode);
    if (!ownSpan) {
      span.setAttribute(ATTR_LEGACY_HTTP_METHOD, method);
      span.setAttribute(ATTR_LEGACY_HTTP_URL, redactUrl(c.req.url));
    }
  }
  if (error !== undefined && error !== null) {
    span.recordException(error instanceof Error ? error : safeString(error));
    span.setAttribute(ATTR_ERROR_TYPE, errorType(error));
  } else if (statusCode >= 500) {
    span.setAttribute(ATTR_ERROR_TYPE, String(statusCode));
  }
  // Semconv for SERVER spans: 5xx is an error, 4xx is the client's problem.
  if (statusCode >= 500) {
    span.setStatus({
      code: SpanStatusCode.ERROR,
      message: error instanceof Error ? error.message : undefined,
    });
  }
}
