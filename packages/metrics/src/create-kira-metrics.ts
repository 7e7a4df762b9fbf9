import {
  INVALID_SPAN_CONTEXT,
  diag,
  SpanKind,
  SpanStatusCode,
  context,
  logs,
  metrics,
  trace,
  type Attributes,
  type Context,
  type Exception,
  type Span,
} from '@opentelemetry/api';
import {
  AI_TOOL_LOG,
  AI_TOOL_OPERATION,
  contextWithSpan,
  createReportOnce,
  errorType,
  INSTRUMENTATION_SCOPES,
  isThenable,
  LOG_ATTRIBUTES,
  LOG_SEVERITIES,
  METRIC_ATTRIBUTES,
  METRICS,
  noOpenTelemetryGlobalsCheck,
  runInContext,
  safeString,
  SPAN_ATTRIBUTES,
} from '@kira/conventions';
import { version } from '../package.json';
import { createHttpRequestRecorder, MAX_CACHED_HTTP_SERIES } from './create-http-request-recorder';
import { httpDurationCellsFor } from './histogram-cells';
import { isNonEmptyString, isValidDuration } from './input-checks';
import { createInstruments } from './instruments';
import { memoizeByProvider } from './memoize-by-provider';
import { payloadToString } from './payload-to-string';
import { createToolNameGuard } from './tool-name-guard';
import type { HttpRequestRecord, KiraMetrics, KiraMetricsOptions, TraceAIToolOptions } from './types';

const SCOPE_NAME = INSTRUMENTATION_SCOPES.metrics;
const SCOPE_VERSION: string = version;
const DEFAULT_MAX_TOOL_NAMES = 200;
const DEFAULT_MAX_PAYLOAD_BYTES = 2048;
const UNKNOWN_TOOL_NAME = 'unknown';
// With none of these registered globally (no SDK: telemetry off, development), a traced tool would
// get a non-recording span over the root context, and its metrics and log would go nowhere.
const toolTelemetryOff = noOpenTelemetryGlobalsCheck(['trace', 'metrics', 'logs', 'context']);
// What the API's no-op tracer starts under the root context; it keeps no state, so one serves every call.
const UNTRACED_TOOL_SPAN = trace.wrapSpanContext(INVALID_SPAN_CONTEXT);
const HTTP_DURATION_CELLS_DESCRIPTOR = Object.freeze({
  scope: Object.freeze({ name: SCOPE_NAME, version: SCOPE_VERSION }),
  name: METRICS.httpRequestDuration.name,
  description: METRICS.httpRequestDuration.description,
  unit: METRICS.httpRequestDuration.unit,
  boundaries: METRICS.httpRequestDuration.buckets ?? [],
});

/**
 * Creates the AI tool and HTTP helpers bound to the given providers (each defaults to the global
 * one, looked up on every call so helpers created before the SDK starts still record).
 *
 * @example
 * const kiraMetrics = createKiraMetrics({ maxToolNames: 100 });
 * await kiraMetrics.traceAITool('generateImage', { userId, threadId }, () => generate(prompt));
 */
export function createKiraMetrics(options: KiraMetricsOptions = {}): KiraMetrics {
  // A JavaScript caller's null means "no options", as undefined does: telemetry never throws into its host for it.
  options ??= {};
  // One memory per helper set: a test or a second set of providers reports its own problems.
  const warnOnce = createReportOnce({ prefix: `${SCOPE_NAME}:`, write: (message, ...details) => diag.warn(message, ...details) });
  const getInstruments = memoizeByProvider(
    () => options.meterProvider ?? metrics.getMeterProvider(),
    (provider) => createInstruments(provider.getMeter(SCOPE_NAME, SCOPE_VERSION)),
  );
  const getTracer = memoizeByProvider(
    () => options.tracerProvider ?? trace.getTracerProvider(),
    (provider) => provider.getTracer(SCOPE_NAME, SCOPE_VERSION),
  );
  const getLogger = memoizeByProvider(
    () => options.loggerProvider ?? logs.getLoggerProvider(),
    (provider) => provider.getLogger(SCOPE_NAME, SCOPE_VERSION),
  );
  // Providers given in the options always count, as in otelHono and tracedFetch.
  const followsGlobals = options.meterProvider === undefined && options.tracerProvider === undefined && options.loggerProvider === undefined;

  let maxToolNames = DEFAULT_MAX_TOOL_NAMES;
  if (options.maxToolNames !== undefined) {
    if (Number.isInteger(options.maxToolNames) && options.maxToolNames >= 1) {
      maxToolNames = options.maxToolNames;
    } else {
      warnOnce('maxToolNames', `maxToolNames must be a positive integer; using ${DEFAULT_MAX_TOOL_NAMES}`);
    }
  }
  const foldToolName = createToolNameGuard(maxToolNames, (max) =>
    warnOnce('fold', `more than ${max} distinct tool names; further new names are recorded as "other" in metrics`),
  );

  function recordAITool(toolName: string, success: boolean, durationMs: number): void {
    if (!isNonEmptyString(toolName) || typeof success !== 'boolean' || !isValidDuration(durationMs)) {
      warnOnce(
        'recordAITool-input',
        'recordAITool(toolName, success, durationMs) needs a non-empty string, a boolean and a finite duration >= 0; nothing recorded',
        { toolName: typeof toolName, success: typeof success, durationMs },
      );
      return;
    }
    try {
      const { toolExecutions, toolDuration, recording } = getInstruments();
      // Before the SDK starts, names would take places among maxToolNames and leave none for it.
      if (!recording) return;
      const metricToolName = foldToolName(toolName);
      toolExecutions.add(1, { [METRIC_ATTRIBUTES.toolName]: metricToolName, [METRIC_ATTRIBUTES.success]: success ? 'true' : 'false' });
      toolDuration.record(durationMs, { [METRIC_ATTRIBUTES.toolName]: metricToolName });
    } catch (error) {
      warnOnce('recordAITool-failed', 'recording AI tool metrics failed', error);
    }
  }

  function emitToolLog(toolName: string, userId: unknown, threadId: unknown, durationMs: unknown, logContext: Context | undefined): void {
    const attributes: Attributes = { [LOG_ATTRIBUTES.aiToolName]: toolName };
    if (isNonEmptyString(userId)) attributes[LOG_ATTRIBUTES.userId] = userId;
    if (isNonEmptyString(threadId)) attributes[LOG_ATTRIBUTES.threadId] = threadId;
    if (isValidDuration(durationMs)) attributes[LOG_ATTRIBUTES.durationMs] = durationMs;
    try {
      getLogger().emit({
        severityNumber: LOG_SEVERITIES.info.number,
        severityText: LOG_SEVERITIES.info.text,
        body: AI_TOOL_LOG.body(toolName),
        attributes,
        // Read inside the guard: a broken context manager costs the log, not the caller.
        context: logContext ?? context.active(),
      });
    } catch (error) {
      warnOnce('log-failed', 'emitting the AI tool log failed', error);
    }
  }

  function logAIToolExecuted(toolName: string, resourceId: string, threadId: string, durationMs: number): void {
    if (!isNonEmptyString(toolName)) {
      warnOnce('logAIToolExecuted-input', 'logAIToolExecuted needs a non-empty tool name; nothing logged', {
        toolName: typeof toolName,
      });
      return;
    }
    if (!isValidDuration(durationMs)) {
      warnOnce('logAIToolExecuted-duration', 'logAIToolExecuted got an invalid duration; logging without duration.ms', {
        durationMs,
      });
    }
    emitToolLog(toolName, resourceId, threadId, durationMs, undefined);
  }

  function traceAITool<T>(toolName: string, toolOptions: TraceAIToolOptions | undefined, fn: (span: Span) => T): T {
    if (typeof fn !== 'function') {
      throw new TypeError(
        `@kira/metrics: traceAITool(toolName, options, fn) needs fn to be a function, got ${fn === null ? 'null' : typeof fn}`,
      );
    }
    const runOptions: TraceAIToolOptions = typeof toolOptions === 'object' && toolOptions !== null ? toolOptions : {};
    let name = toolName;
    if (!isNonEmptyString(name)) {
      warnOnce('traceAITool-name', `traceAITool needs a non-empty tool name; recording it as "${UNKNOWN_TOOL_NAME}"`, {
        toolName: typeof toolName,
      });
      name = UNKNOWN_TOOL_NAME;
    }
    if (followsGlobals && typeof runOptions.onError !== 'function' && toolTelemetryOff()) {
      // Telemetry off: the tool runs as a plain call, its result or throw unchanged, without the
      // no-op span, context switch, clock reads, record and log. An onError hook (Sentry's
      // captureException, say) still runs on the full path: it reports errors with telemetry off too.
      return fn(UNTRACED_TOOL_SPAN);
    }
    const maxPayloadBytes =
      isValidDuration(runOptions.maxPayloadBytes) && runOptions.maxPayloadBytes > 0
        ? runOptions.maxPayloadBytes
        : DEFAULT_MAX_PAYLOAD_BYTES;

    let span: Span;
    // Undefined only when reading the active context threw (a broken context manager): the tool
    // then runs as a plain call, untraced, its outcome still recorded.
    let spanContext: Context | undefined;
    try {
      const parentContext = context.active();
      span = getTracer().startSpan(
        `${AI_TOOL_OPERATION} ${name}`,
        { kind: SpanKind.INTERNAL, attributes: toolSpanAttributes(name, runOptions, maxPayloadBytes) },
        parentContext,
      );
      spanContext = contextWithSpan(parentContext, span);
    } catch (error) {
      warnOnce('span-start-failed', 'starting the execute_tool span failed; running the tool untraced', error);
      span = trace.wrapSpanContext(INVALID_SPAN_CONTEXT);
      spanContext = undefined;
    }
    const startedAt = performance.now();
    const toolSpan = span;
    const toolContext = spanContext;

    const finish = (success: boolean, error: unknown, output: unknown): void => {
      const durationMs = performance.now() - startedAt;
      try {
        if (success) {
          if (runOptions.recordOutput === true && output !== undefined) {
            toolSpan.setAttribute(SPAN_ATTRIBUTES.genAiToolCallResult, payloadToString(output, maxPayloadBytes));
          }
        } else {
          toolSpan.recordException(toException(error));
          toolSpan.setAttribute(SPAN_ATTRIBUTES.errorType, errorType(error));
          toolSpan.setStatus({ code: SpanStatusCode.ERROR, message: errorMessage(error) });
          if (typeof runOptions.onError === 'function') {
            callErrorHook(runOptions.onError, error, name, toolSpan, toolContext);
          }
        }
        recordAITool(name, success, durationMs);
        emitToolLog(name, runOptions.userId, runOptions.threadId, durationMs, toolContext);
      } catch (telemetryError) {
        warnOnce('finish-failed', 'recording the AI tool outcome failed', telemetryError);
      } finally {
        toolSpan.end();
      }
    };

    let result: T;
    try {
      // A context manager that throws in `with` (a broken one) runs the tool once, outside its span.
      result = toolContext === undefined ? fn(toolSpan) : runInContext(context, toolContext, () => fn(toolSpan), warnContextFailure);
    } catch (error) {
      finish(false, error, undefined);
      throw error;
    }
    if (isThenable(result)) {
      return result.then(
        (value) => {
          finish(true, undefined, value);
          return value;
        },
        (error: unknown) => {
          finish(false, error, undefined);
          throw error;
        },
      ) as T;
    }
    finish(true, undefined, result);
    return result;
  }

  function warnContextFailure(error: unknown): void {
    warnOnce('context-failed', "running the tool in its span's context failed; it runs outside it", error);
  }

  function callErrorHook(
    hook: NonNullable<TraceAIToolOptions['onError']>,
    error: unknown,
    toolName: string,
    span: Span,
    hookContext: Context | undefined,
  ): void {
    try {
      const callHook = (): unknown => hook(error, { toolName, span });
      const returned: unknown = hookContext === undefined ? callHook() : runInContext(context, hookContext, callHook, warnContextFailure);
      if (isThenable(returned)) {
        returned.then(undefined, (hookError: unknown) => warnOnce('onError-failed', 'the onError hook rejected', hookError));
      }
    } catch (hookError) {
      warnOnce('onError-failed', 'the onError hook threw; the original error is rethrown unchanged', hookError);
    }
  }

  const getHttpDuration = () => getInstruments().httpDuration;
  // Cells instead of the SDK instrument when @kira/otel-core's reader collects them for this provider.
  const getHttpDurationCells = memoizeByProvider(
    () => options.meterProvider ?? metrics.getMeterProvider(),
    (provider) => httpDurationCellsFor(provider, HTTP_DURATION_CELLS_DESCRIPTOR),
  );
  const newHttpRequestRecorder = () => createHttpRequestRecorder(getHttpDuration, warnOnce, MAX_CACHED_HTTP_SERIES, getHttpDurationCells);
  const recordHttpDuration = newHttpRequestRecorder();

  function recordHttpRequest(request: HttpRequestRecord): void {
    if (
      typeof request !== 'object' ||
      request === null ||
      !isNonEmptyString(request.method) ||
      !isNonEmptyString(request.route) ||
      !Number.isInteger(request.statusCode) ||
      !isValidDuration(request.durationMs)
    ) {
      warnOnce(
        'recordHttpRequest-input',
        'recordHttpRequest({ method, route, statusCode, durationMs }) got invalid values; nothing recorded',
      );
      return;
    }
    recordHttpDuration(request.method, request.route, request.statusCode, request.durationMs);
  }

  return { recordAITool, logAIToolExecuted, traceAITool, recordHttpRequest, createHttpRequestRecorder: newHttpRequestRecorder };
}

function toolSpanAttributes(toolName: string, options: TraceAIToolOptions, maxPayloadBytes: number): Attributes {
  const attributes: Attributes = {
    [SPAN_ATTRIBUTES.genAiOperationName]: AI_TOOL_OPERATION,
    [SPAN_ATTRIBUTES.genAiToolName]: toolName,
    [SPAN_ATTRIBUTES.aiToolName]: toolName,
  };
  if (isNonEmptyString(options.userId)) attributes[SPAN_ATTRIBUTES.userId] = options.userId;
  if (isNonEmptyString(options.threadId)) attributes[SPAN_ATTRIBUTES.threadId] = options.threadId;
  if (isNonEmptyString(options.toolCallId)) attributes[SPAN_ATTRIBUTES.genAiToolCallId] = options.toolCallId;
  if (options.recordInput === true && options.input !== undefined) {
    attributes[SPAN_ATTRIBUTES.genAiToolCallArguments] = payloadToString(options.input, maxPayloadBytes);
  }
  return attributes;
}

function toException(error: unknown): Exception {
  if (typeof error === 'string') return error;
  if (typeof error === 'object' && error !== null) return error as Exception;
  return safeString(error);
}

function errorMessage(error: unknown): string {
  if (typeof error === 'object' && error !== null) {
    const message = (error as { message?: unknown }).message;
    if (typeof message === 'string') return message;
  }
  return safeString(error);
}
