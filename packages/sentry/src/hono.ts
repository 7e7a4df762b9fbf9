export { sentryRouteErrors } from './route-errors';
export { sentryUser } from './sentry-user';
export type { SentryUserOptions } from './types';
