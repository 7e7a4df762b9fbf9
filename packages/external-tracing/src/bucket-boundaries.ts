/**
 * Histogram boundaries for `external_request_duration_ms`: provider latency runs from tens of
 * milliseconds (metadata calls) to minutes (image and video generation), so 50 ms → 10 min.
 */
export const EXTERNAL_REQUEST_DURATION_BUCKETS_MS: readonly number[] = Object.freeze([
  50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000, 20_000, 30_000, 60_000, 120_000, 300_000, 600_000,
]);
