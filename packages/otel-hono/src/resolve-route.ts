import type { Context } from 'hono';
import { matchedRoutes } from 'hono/route';

// Hono registers `use()` middleware and `all()` handlers under this method name.
const METHOD_ALL = 'ALL';

/**
 * The route template that handled (or would have handled) the request, read after `await next()`.
 * Sub-apps mounted with `app.route('/v1', sub)` are merged into the parent's router, so the
 * matched path is already the full template (`/v1/users/:id`) wherever this middleware sits.
 *
 * Unmatched requests (every match is a `use()` middleware and the answer is 404) get the fixed
 * `unmatchedRoute`. A middleware that answers early (401 from auth) reports the method-specific
 * route it guarded, so the template never depends on the raw path.
 */
export function resolveRoute(c: Context, unmatchedRoute: string, statusCode: number): string {
  const routes = matchedRoutes(c);
  const current = routes[c.req.routeIndex];
  if (current !== undefined && current.method !== METHOD_ALL) return current.path;
  for (let index = routes.length - 1; index >= 0; index--) {
    const route = routes[index]!;
    if (route.method !== METHOD_ALL) return route.path;
  }
  if (current === undefined || statusCode === 404) return unmatchedRoute;
  return current.path;
}
