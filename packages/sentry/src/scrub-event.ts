import type { ErrorEvent } from '@sentry/node';
import { isSecretHeader, isSecretQueryParam, redactUrl } from '@kira/conventions';

const REDACTED = 'REDACTED';

/**
 * Removes credentials from an event before it leaves the process: the Authorization and Cookie
 * request headers (and similar), cookies, and the values of secret-looking query parameters in
 * the request and in breadcrumb URLs.
 */
export function scrubEvent(event: ErrorEvent): ErrorEvent {
  const request = event.request;
  if (request !== undefined) {
    if (request.headers !== undefined) {
      for (const name of Object.keys(request.headers)) {
        if (isSecretHeader(name)) delete request.headers[name];
      }
    }
    if (request.cookies !== undefined) delete request.cookies;
    if (typeof request.url === 'string') request.url = redactUrl(request.url);
    request.query_string = redactQuery(request.query_string);
  }
  for (const breadcrumb of event.breadcrumbs ?? []) {
    const url = breadcrumb.data?.url;
    if (typeof url === 'string') breadcrumb.data!.url = redactUrl(url);
  }
  return event;
}

type QueryString = NonNullable<ErrorEvent['request']>['query_string'];

// One URL rule for the whole project: the same parameters are hidden in span attributes
// (@kira/otel-core, @kira/otel-hono, tracedFetch) and in Sentry events.
function redactQuery(query: QueryString): QueryString {
  if (query === undefined || query === null) return query;
  if (typeof query === 'string') return redactUrl(`?${query}`).slice(1);
  if (Array.isArray(query)) return query.map(([key, value]): [string, string] => [key, isSecretQueryParam(key) ? REDACTED : value]);
  const result: Record<string, string> = {};
  for (const [key, value] of Object.entries(query)) result[key] = isSecretQueryParam(key) ? REDACTED : value;
  return result;
}
