import type { ErrorEvent } from '@sentry/node';
import { isSecretKey } from './sanitize';

const SECRET_HEADERS = new Set(['authorization', 'proxy-authorization', 'cookie', 'set-cookie', 'x-api-key', 'x-auth-token']);

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
        if (SECRET_HEADERS.has(name.toLowerCase())) delete request.headers[name];
      }
    }
    if (request.cookies !== undefined) delete request.cookies;
    if (typeof request.url === 'string') request.url = redactQueryInUrl(request.url);
    request.query_string = redactQuery(request.query_string);
  }
  for (const breadcrumb of event.breadcrumbs ?? []) {
    const url = breadcrumb.data?.url;
    if (typeof url === 'string') breadcrumb.data!.url = redactQueryInUrl(url);
  }
  return event;
}

type QueryString = NonNullable<ErrorEvent['request']>['query_string'];

function redactQuery(query: QueryString): QueryString {
  if (query === undefined || query === null) return query;
  if (typeof query === 'string') return redactQueryText(query);
  if (Array.isArray(query)) return query.map(([key, value]): [string, string] => [key, isSecretKey(key) ? '[REDACTED]' : value]);
  const result: Record<string, string> = {};
  for (const [key, value] of Object.entries(query)) result[key] = isSecretKey(key) ? '[REDACTED]' : value;
  return result;
}

function redactQueryText(query: string): string {
  return query
    .split('&')
    .map((pair) => {
      const equals = pair.indexOf('=');
      if (equals < 0) return pair;
      const key = safeDecode(pair.slice(0, equals));
      return isSecretKey(key) ? `${pair.slice(0, equals)}=%5BREDACTED%5D` : pair;
    })
    .join('&');
}

function redactQueryInUrl(url: string): string {
  const queryStart = url.indexOf('?');
  if (queryStart < 0) return url;
  const hashStart = url.indexOf('#', queryStart);
  const end = hashStart < 0 ? url.length : hashStart;
  return `${url.slice(0, queryStart + 1)}${redactQueryText(url.slice(queryStart + 1, end))}${url.slice(end)}`;
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return text;
  }
}
