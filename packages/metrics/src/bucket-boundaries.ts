/**
 * Histogram boundaries for `ai_tool_duration_ms`: AI tools (image generation, LLM calls) take
 * from a fraction of a second to several minutes, so the buckets stretch from 100 ms to 10 min.
 */
export const AI_TOOL_DURATION_BUCKETS_MS: readonly number[] = Object.freeze([
  100, 250, 500, 1_000, 2_500, 5_000, 10_000, 20_000, 30_000, 60_000, 120_000, 300_000, 600_000,
]);

/**
 * Histogram boundaries for `http_request_duration_ms`: API handlers answer in milliseconds, with a
 * tail up to 10 s.
 */
export const HTTP_DURATION_BUCKETS_MS: readonly number[] = Object.freeze([
  1, 2, 5, 10, 25, 50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000,
]);
