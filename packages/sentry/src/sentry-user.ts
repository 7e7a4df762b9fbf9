import { isInitialized, withIsolationScope, type User } from '@sentry/node';
import type { Context, MiddlewareHandler } from 'hono';
import type { SentryUserOptions } from './types';

// The user each request was given, for `sentryRouteErrors`: it resumes after `next()` has
// returned, outside the isolation scope forked below, and must still name the user.
const requestUsers = new WeakMap<Context, User>();

/** The Sentry user `sentryUser` set for this request, if any. */
export function requestUser(c: Context): User | undefined {
  return requestUsers.get(c);
}

interface JwtPayloadLike {
  sub?: unknown;
  email?: unknown;
}

/**
 * Hono middleware for after JWT auth: sets the Sentry user `{ id: sub, email }` for this request
 * only. It forks Sentry's isolation scope around the rest of the request, so concurrent requests
 * of different users never see each other's user. A no-op while Sentry is off.
 *
 * @example
 * app.use('/api/*', jwt({ secret, alg: 'HS256' }), sentryUser());
 */
export function sentryUser(options: SentryUserOptions | null = {}): MiddlewareHandler {
  const configured = options?.payloadKey;
  const payloadKey = typeof configured === 'string' && configured !== '' ? configured : 'jwtPayload';
  return async function sentryUserMiddleware(c, next) {
    if (!isInitialized()) return next();
    const payload = c.get(payloadKey) as JwtPayloadLike | undefined;
    const id = payload?.sub;
    if (typeof id !== 'string' && typeof id !== 'number') return next();
    const email = typeof payload?.email === 'string' ? payload.email : undefined;
    const user: User = email === undefined ? { id: String(id) } : { id: String(id), email };
    requestUsers.set(c, user);
    return withIsolationScope((scope) => {
      scope.setUser(user);
      return next();
    });
  };
}
