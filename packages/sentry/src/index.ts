export { captureToolError } from './capture-tool-error';
export { initSentry } from './init-sentry';
export { resolveSentryEnabled } from './resolve-sentry-enabled';
export { sanitize } from './sanitize';
export type { EnabledDecision } from './resolve-sentry-enabled';
export type { InitSentryOptions, SanitizeOptions, SentryInitResult, ToolErrorContext } from './types';
