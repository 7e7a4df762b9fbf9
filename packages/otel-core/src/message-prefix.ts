/** What starts every line otel-core prints (warnings, export failures), so users can grep for it. */
export const MESSAGE_PREFIX = '@kira/otel-core:';
