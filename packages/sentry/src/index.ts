export { captureToolError } from './capture-tool-error';
export { initSentry } from './init-sentry';
export { resolveSentryEnabled } from './resolve-sentry-enabled';
// The secret rules live in @kira/conventions; re-exported so existing imports keep working.
export { sanitize, type SanitizeOptions } from '@kira/conventions';
export type { EnabledDecision } from './resolve-sentry-enabled';
export type { InitSentryOptions, SentryInitResult, ToolErrorContext } from './types';
