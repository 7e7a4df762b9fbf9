/**
 * Span attribute keys (stable OpenTelemetry semantic-convention names and the Kira-specific
 * ones). Declared here because the runtime packages may import only `@opentelemetry/api`, which
 * carries no semantic-convention constants.
 */
export const SPAN_ATTRIBUTES = {
  httpRequestMethod: 'http.request.method',
  httpRequestMethodOriginal: 'http.request.method_original',
  httpRoute: 'http.route',
  httpResponseStatusCode: 'http.response.status_code',
  urlFull: 'url.full',
  urlPath: 'url.path',
  urlQuery: 'url.query',
  urlScheme: 'url.scheme',
  serverAddress: 'server.address',
  serverPort: 'server.port',
  errorType: 'error.type',
  externalService: 'external.service',
  externalOperation: 'external.operation',
  genAiOperationName: 'gen_ai.operation.name',
  genAiToolName: 'gen_ai.tool.name',
  genAiToolCallId: 'gen_ai.tool.call.id',
  genAiToolCallArguments: 'gen_ai.tool.call.arguments',
  genAiToolCallResult: 'gen_ai.tool.call.result',
  aiToolName: 'ai.tool.name',
  userId: 'user.id',
  threadId: 'thread.id',
} as const;

/**
 * Pre-1.0 HTTP attribute names, emitted beside the stable ones because existing BetterStack
 * views read them. `http.target` is never emitted by Kira code; it is listed because older
 * instrumentations set it and its value is redacted like a URL.
 */
export const LEGACY_SPAN_ATTRIBUTES = {
  httpMethod: 'http.method',
  httpUrl: 'http.url',
  httpStatusCode: 'http.status_code',
  httpTarget: 'http.target',
} as const;

/** Prefixes of the allowlisted header attributes (`http.request.header.x-request-id`). */
export const HEADER_ATTRIBUTE_PREFIXES = {
  request: 'http.request.header.',
  response: 'http.response.header.',
} as const;

/** `gen_ai.operation.name` of a tool run, and the first word of its span name. */
export const AI_TOOL_OPERATION = 'execute_tool';

/** The value semantic conventions give to an unknown HTTP method or error type. */
export const OTHER_VALUE = '_OTHER';

/** One span a Kira package starts. */
export interface SpanContract {
  readonly kind: 'SERVER' | 'CLIENT' | 'INTERNAL';
  /** Name template; `{…}` parts are filled per span. @example '{method} {route}' */
  readonly name: string;
  /** Stable attributes the span may carry. */
  readonly attributes: readonly string[];
  /** Legacy duplicates, emitted unless turned off. */
  readonly legacyAttributes: readonly string[];
  /** The package that starts (or, for the inbound span, annotates) it. */
  readonly emittedBy: string;
}

const A = SPAN_ATTRIBUTES;
const L = LEGACY_SPAN_ATTRIBUTES;

/**
 * Every span of the contract. Header attributes (`http.request.header.*`) are opt-in per call
 * and not listed.
 */
export const SPANS = {
  httpServer: {
    kind: 'SERVER',
    name: '{method} {route}',
    attributes: [
      A.httpRequestMethod,
      A.httpRequestMethodOriginal,
      A.httpRoute,
      A.urlPath,
      A.urlScheme,
      A.serverAddress,
      A.httpResponseStatusCode,
      A.errorType,
    ],
    legacyAttributes: [L.httpMethod, L.httpUrl, L.httpStatusCode],
    emittedBy: '@kira/otel-hono',
  },
  externalCall: {
    kind: 'CLIENT',
    name: '{service} {operation}',
    attributes: [
      A.externalService,
      A.externalOperation,
      A.httpRequestMethod,
      A.httpRequestMethodOriginal,
      A.urlFull,
      A.serverAddress,
      A.serverPort,
      A.httpResponseStatusCode,
      A.errorType,
    ],
    legacyAttributes: [L.httpMethod, L.httpUrl, L.httpStatusCode],
    emittedBy: '@kira/external-tracing',
  },
  aiTool: {
    kind: 'INTERNAL',
    name: `${AI_TOOL_OPERATION} {toolName}`,
    attributes: [
      A.genAiOperationName,
      A.genAiToolName,
      A.aiToolName,
      A.userId,
      A.threadId,
      A.genAiToolCallId,
      A.genAiToolCallArguments,
      A.genAiToolCallResult,
      A.errorType,
    ],
    legacyAttributes: [],
    emittedBy: '@kira/metrics',
  },
} as const satisfies Record<string, SpanContract>;
