import {
  INVALID_SPAN_CONTEXT,
  SeverityNumber,
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
import { HTTP_DURATION_BUCKETS_MS } from './bucket-boundaries';
import { createHttpRequestRecorder, MAX_CACHED_HTTP_SERIES } from './create-http-request-recorder';
import { httpDurationCellsFor } from './histogram-cells';
import { errorType } from './error-type';
import { isNonEmptyString, isValidDuration } from './input-checks';
import { createInstruments, HTTP_DURATION_DESCRIPTION } from './instruments';
import { METRIC_NAMES } from './metric-names';
import { memoizeByProvider } from './memoize-by-provider';
import { payloadToString } from './payload-to-string';
import { SCOPE_NAME, SCOPE_VERSION } from './scope';
import { createToolNameGuard } from './tool-name-guard';
import type { HttpRequestRecord, KiraMetrics, KiraMetricsOptions, TraceAIToolOptions } from './types';
import { createWarnOnce } from './warn-once';

const DEFAULT_MAX_TOOL_NAMES = 200;
const DEFAULT_MAX_PAYLOAD_BYTES = 2048;
const UNKNOWN_TOOL_NAME = 'unknown';
const HTTP_DURATION_CELLS_DESCRIPTOR = Object.freeze({
  scope: Object.freeze({ name: SCOPE_NAME, version: SCOPE_VERSION }),
  name: METRIC_NAMES.httpRequestDuration,
  description: HTTP_DURATION_DESCRIPTION,
  unit: 'ms',
  boundaries: HTTP_DURATION_BUCKETS_MS,
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
  const warnOnce = createWarnOnce();
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
      const { toolExecutions, toolDuration } = getInstruments();
      const metricToolName = foldToolName(toolName);
      toolExecutions.add(1, { tool_name: metricToolName, success: success ? 'true' : 'false' });
      toolDuration.record(durationMs, { tool_name: metricToolName });
    } catch (error) {
      warnOnce('recordAITool-failed', 'recording AI tool metrics failed', error);
    }
  }

  function emitToolLog(toolName: string, userId: unknown, threadId: unknown, durationMs: unknown, logContext: Context): void {
    const attributes: Attributes = { 'ai.tool.name': toolName };
    if (isNonEmptyString(userId)) attributes['user.id'] = userId;
    if (isNonEmptyString(threadId)) attributes['thread.id'] = threadId;
    if (isValidDuration(durationMs)) attributes['duration.ms'] = durationMs;
    try {
      getLogger().emit({
        severityNumber: SeverityNumber.INFO,
        severityText: 'INFO',
        body: `AI tool executed: ${toolName}`,
        attributes,
        context: logContext,
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
    emitToolLog(toolName, resourceId, threadId, durationMs, context.active());
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
    const maxPayloadBytes =
      isValidDuration(runOptions.maxPayloadBytes) && runOptions.maxPayloadBytes > 0
        ? runOptions.maxPayloadBytes
        : DEFAULT_MAX_PAYLOAD_BYTES;

    const parentContext = context.active();
    let span: Span;
    let spanContext: Context;
    try {
      span = getTracer().startSpan(
        `execute_tool ${name}`,
        { kind: SpanKind.INTERNAL, attributes: toolSpanAttributes(name, runOptions, maxPayloadBytes) },
        parentContext,
      );
      spanContext = trace.setSpan(parentContext, span);
    } catch (error) {
      warnOnce('span-start-failed', 'starting the execute_tool span failed; running the tool untraced', error);
      span = trace.wrapSpanContext(INVALID_SPAN_CONTEXT);
      spanContext = parentContext;
    }
    const startedAt = performance.now();
    const toolSpan = span;
    const toolContext = spanContext;

    const finish = (success: boolean, error: unknown, output: unknown): void => {
      const durationMs = performance.now() - startedAt;
      try {
        if (success) {
          if (runOptions.recordOutput === true && output !== undefined) {
            toolSpan.setAttribute('gen_ai.tool.call.result', payloadToString(output, maxPayloadBytes));
          }
        } else {
          toolSpan.recordException(toException(error));
          toolSpan.setAttribute('error.type', errorType(error));
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
      result = context.with(toolContext, fn, undefined, toolSpan);
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

  function callErrorHook(
    hook: NonNullable<TraceAIToolOptions['onError']>,
    error: unknown,
    toolName: string,
    span: Span,
    hookContext: Context,
  ): void {
    try {
      const returned: unknown = context.with(hookContext, () => hook(error, { toolName, span }));
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
    'gen_ai.operation.name': 'execute_tool',
    'gen_ai.tool.name': toolName,
    'ai.tool.name': toolName,
  };
  if (isNonEmptyString(options.userId)) attributes['user.id'] = options.userId;
  if (isNonEmptyString(options.threadId)) attributes['thread.id'] = options.threadId;
  if (isNonEmptyString(options.toolCallId)) attributes['gen_ai.tool.call.id'] = options.toolCallId;
  if (options.recordInput === true && options.input !== undefined) {
    attributes['gen_ai.tool.call.arguments'] = payloadToString(options.input, maxPayloadBytes);
  }
  return attributes;
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  );
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

function safeString(value: unknown): string {
  try {
    return String(value);
  } catch {
    // Null-prototype objects and throwing toString() end up here.
    return '[unprintable]';
  }
}
