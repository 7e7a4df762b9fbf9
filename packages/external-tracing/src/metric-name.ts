/** Name of the histogram this package records (DESIGN.md; changing it is a breaking change). */
export const EXTERNAL_REQUEST_DURATION_METRIC = 'external_request_duration_ms';
