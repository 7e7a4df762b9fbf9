import { captureException, isInitialized, withScope } from '@sentry/node';
import type { Context, MiddlewareHandler } from 'hono';
import { routePath } from 'hono/route';
import { reportOnce } from './report-once';
import { requestUser } from './sentry-user';

// Same split as otel-hono's span status: a status in 3xx/4xx (Hono's `HTTPException(401)`, a
// validator's 400) is the client's problem; a 5xx status or an error without one is ours.
function isServerError(error: unknown): boolean {
  const status = typeof error === 'object' && error !== null ? (error as { status?: unknown }).status : undefined;
  return !(typeof status === 'number' && status >= 300 && status < 500);
}

function report(c: Context, error: unknown): void {
  try {
    if (!isServerError(error)) return;
    withScope((scope) => {
      // `routePath` is the template of the handler that threw (`/api/items/:id`), never the raw path.
      scope.setTransactionName(`${c.req.method} ${routePath(c)}`);
      const user = requestUser(c);
      if (user !== undefined) scope.setUser(user);
      // Sentry marks a captured Error, so one already sent by `captureToolError` is not sent twice.
      captureException(error, { mechanism: { type: 'auto.http.hono.kira', handled: false } });
    });
  } catch (failure) {
    reportOnce('sentryRouteErrors-failed', 'sentryRouteErrors failed; the route error was not sent', failure);
  }
}

/**
 * Hono middleware that sends route errors to Sentry: unhandled throws and 5xx `HTTPException`s,
 * with the route template as transaction (`GET /api/items/:id`), the user `sentryUser` set, and
 * the active OpenTelemetry trace. 4xx `HTTPException`s are left alone. It never changes the
 * response: Hono's `onError` (yours or the default) still answers. A no-op while Sentry is off.
 * Register it right after `otelHono()`, so the request's span is the active one.
 *
 * @example
 * app.use(otelHono(), sentryRouteErrors());
 */
export function sentryRouteErrors(): MiddlewareHandler {
  return async function sentryRouteErrorsMiddleware(c, next) {
    if (!isInitialized()) return next();
    try {
      await next();
    } catch (error) {
      // Hono hands only `Error`s to onError; anything else (a thrown string) passes through here.
      report(c, error);
      throw error;
    }
    // Hono's compose catches the handler's error, calls onError and leaves the error on `c.error`.
    if (c.error !== undefined) report(c, c.error);
  };
}
