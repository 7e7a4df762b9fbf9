import type { Span } from '@opentelemetry/api';
import { createKiraMetrics } from './create-kira-metrics';
import type { HttpRequestRecord, KiraMetrics, TraceAIToolOptions } from './types';

// Created on first use rather than at import so the package stays side-effect free; it resolves
// the global providers on every call anyway.
let defaultMetrics: KiraMetrics | undefined;

function getDefaultMetrics(): KiraMetrics {
  defaultMetrics ??= createKiraMetrics();
  return defaultMetrics;
}

/**
 * Adds one `ai_tool_executions` (`success` "true"/"false") and records `ai_tool_duration_ms`.
 * @example recordAITool('generateImage', true, 5400);
 */
export function recordAITool(toolName: string, success: boolean, durationMs: number): void {
  getDefaultMetrics().recordAITool(toolName, success, durationMs);
}

/**
 * Emits the INFO log record `AI tool executed: {toolName}` in the active context.
 * @example logAIToolExecuted('generateImage', user.id, thread.id, 5400);
 */
export function logAIToolExecuted(toolName: string, resourceId: string, threadId: string, durationMs: number): void {
  getDefaultMetrics().logAIToolExecuted(toolName, resourceId, threadId, durationMs);
}

/**
 * Runs `fn` inside an INTERNAL `execute_tool {toolName}` span and records metrics and the log.
 * @example const image = await traceAITool('generateImage', { userId, threadId }, () => generate(prompt));
 */
export function traceAITool<T>(toolName: string, options: TraceAIToolOptions | undefined, fn: (span: Span) => T): T {
  return getDefaultMetrics().traceAITool(toolName, options, fn);
}

/**
 * Records `http_request_duration_ms` for one finished request (used by `@kira/otel-hono`).
 * @example recordHttpRequest({ method: 'GET', route: '/users/:id', statusCode: 200, durationMs: 12 });
 */
export function recordHttpRequest(request: HttpRequestRecord): void {
  getDefaultMetrics().recordHttpRequest(request);
}
