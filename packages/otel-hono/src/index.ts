export { otelHono } from './otel-hono';
export type { OtelHonoOptions, SpanOwnership } from './types';
