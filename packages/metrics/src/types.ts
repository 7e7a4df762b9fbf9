import type { LoggerProvider, MeterProvider, Span, TracerProvider } from '@opentelemetry/api';

/** Options of {@link createKiraMetrics}. Every provider defaults to the global one. */
export interface KiraMetricsOptions {
  /**
   * MeterProvider for the instruments; defaults to the global provider at the time of each call.
   * @example createKiraMetrics({ meterProvider: sdk.meterProvider })
   */
  meterProvider?: MeterProvider;
  /**
   * LoggerProvider for the AI tool log; defaults to the global provider.
   * @example createKiraMetrics({ loggerProvider: sdk.loggerProvider })
   */
  loggerProvider?: LoggerProvider;
  /**
   * TracerProvider for `traceAITool` spans; defaults to the global provider.
   * @example createKiraMetrics({ tracerProvider: sdk.tracerProvider })
   */
  tracerProvider?: TracerProvider;
  /**
   * Distinct `tool_name` metric values kept before new ones fold into `other` (spans and logs
   * keep the real name). Names recorded while no SDK is registered (before it starts, telemetry
   * off) are not counted. Default 200.
   * @example createKiraMetrics({ maxToolNames: 50 })
   */
  maxToolNames?: number;
}

/** What an `onError` hook receives besides the error. */
export interface AIToolErrorContext {
  /** The tool name as passed to `traceAITool` (not folded). */
  toolName: string;
  /** The `execute_tool` span, still open, so a hook can read its trace id. */
  span: Span;
}

/** Options of `traceAITool`. */
export interface TraceAIToolOptions {
  /**
   * The user the tool runs for (`user.id`).
   * @example { userId: jwt.sub }
   */
  userId?: string;
  /**
   * The conversation thread (`thread.id`).
   * @example { threadId: thread.id }
   */
  threadId?: string;
  /**
   * The model's tool call id (`gen_ai.tool.call.id`).
   * @example { toolCallId: call.id }
   */
  toolCallId?: string;
  /**
   * Record `input` as `gen_ai.tool.call.arguments`. Off by default: inputs may hold user data.
   * @example { recordInput: true, input: args }
   */
  recordInput?: boolean;
  /** The tool arguments recorded when `recordInput` is true. @example { input: { prompt } } */
  input?: unknown;
  /**
   * Record the tool's return value as `gen_ai.tool.call.result`. Off by default.
   * @example { recordOutput: true }
   */
  recordOutput?: boolean;
  /**
   * Byte cap (UTF-8) for a recorded input or output; longer values are cut and marked. Default 2048.
   * @example { maxPayloadBytes: 512 }
   */
  maxPayloadBytes?: number;
  /**
   * Called when `fn` throws or rejects, inside the tool span, before the error is rethrown — how
   * `@kira/sentry` plugs in without a dependency. A throwing hook never changes what the caller sees.
   * @example { onError: (error, { toolName }) => Sentry.captureException(error, { tags: { toolName } }) }
   */
  onError?: (error: unknown, context: AIToolErrorContext) => void;
}

/** One finished HTTP request, recorded into `http_request_duration_ms`. */
export interface HttpRequestRecord {
  /** Request method, as sent; known methods spelled exactly (`GET`, `PATCH`) are kept, anything else becomes `_OTHER`. @example 'GET' */
  method: string;
  /** Route template, never the raw path. @example '/users/:id' */
  route: string;
  /** Response status code. @example 200 */
  statusCode: number;
  /** Duration in milliseconds. @example 12.5 */
  durationMs: number;
}

/**
 * Records one `http_request_duration_ms` value; what {@link KiraMetrics.createHttpRequestRecorder}
 * returns. Same rules as `recordHttpRequest`, without the request object.
 */
export type HttpRequestRecorder = (method: string, route: string, statusCode: number, durationMs: number) => void;

/** The helpers, bound to one set of providers. */
export interface KiraMetrics {
  /** Adds one `ai_tool_executions` and records `ai_tool_duration_ms`. */
  recordAITool(toolName: string, success: boolean, durationMs: number): void;
  /** Emits the AI tool log record (`AI tool executed: {toolName}`, INFO) in the active context. */
  logAIToolExecuted(toolName: string, resourceId: string, threadId: string, durationMs: number): void;
  /**
   * Runs `fn` in an `execute_tool {toolName}` span, records the metrics and the log, and returns
   * what `fn` returns (sync stays sync, a promise stays a promise).
   */
  traceAITool<T>(toolName: string, options: TraceAIToolOptions | undefined, fn: (span: Span) => T): T;
  /** Records `http_request_duration_ms` for one request. */
  recordHttpRequest(request: HttpRequestRecord): void;
  /**
   * A `recordHttpRequest` for per-request middleware (what `@kira/otel-hono` uses): it validates
   * and builds the attributes of each method + route + status once and reuses them (up to 1000
   * combinations; more are still recorded, uncached), so a request costs only the histogram
   * record. Routes must be templates, as for `recordHttpRequest`.
   * @example
   * const record = kiraMetrics.createHttpRequestRecorder();
   * record('GET', '/users/:id', 200, 12.5);
   */
  createHttpRequestRecorder(): HttpRequestRecorder;
}
