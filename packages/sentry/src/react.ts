export { initSentryBrowser } from './init-sentry-browser';
export { useSentryUser } from './use-sentry-user';
export type { BrowserSentryOptions, SentryInitResult, SentryProfile } from './types';
