import type { Breadcrumb, Event, Log } from '@sentry/node';
import { isSecretHeader, isSecretKey, isSecretQueryParam, redactUrl, sanitize } from '@kira/conventions';
import type { SpanJSON, StreamedSpanJSON } from './sentry-types';

const REDACTED = 'REDACTED';

/**
 * Removes credentials from an error or transaction event before it leaves the process: the
 * Authorization and Cookie request headers (and similar), cookies, secret-looking query parameters
 * in the request and in breadcrumb URLs, and — through {@link sanitize} — secret keys, JWT/Bearer
 * values and base64 blobs in the request body, extras, contexts, tags, breadcrumb data and span data.
 */
export function scrubEvent<T extends Event>(event: T): T {
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
    if (request.data !== undefined) request.data = scrubRequestBody(request.data);
  }
  if (event.extra !== undefined) event.extra = sanitizeRecord(event.extra);
  if (event.contexts !== undefined) {
    // Each context on its own, so one large context cannot push the others past the size caps.
    for (const [name, value] of Object.entries(event.contexts)) {
      if (value !== undefined && value !== null) event.contexts[name] = sanitizeRecord(value);
    }
  }
  if (event.tags !== undefined) event.tags = sanitizeRecord(event.tags) as T['tags'];
  if (event.breadcrumbs !== undefined) {
    event.breadcrumbs = event.breadcrumbs.map(scrubBreadcrumb);
  }
  if (event.spans !== undefined) event.spans = event.spans.map(scrubStaticSpan);
  return event;
}

/** Breadcrumbs are scrubbed when they are recorded, so what waits in the scope is already clean. */
export function scrubBreadcrumb(breadcrumb: Breadcrumb): Breadcrumb {
  if (breadcrumb.data !== undefined) breadcrumb.data = scrubAttributes(breadcrumb.data);
  if (typeof breadcrumb.message === 'string') breadcrumb.message = sanitize(breadcrumb.message) as string;
  return breadcrumb;
}

/** Sentry logs (`Sentry.logger.*`, `enableLogs`): the message and every attribute. */
export function scrubLog(log: Log): Log {
  if (typeof log.message === 'string') log.message = sanitize(log.message) as string;
  if (log.attributes !== undefined) log.attributes = scrubAttributes(log.attributes);
  return log;
}

/** A span in the streamed format (Sentry's default `traceLifecycle: 'stream'`). */
export function scrubStreamedSpan(span: StreamedSpanJSON): StreamedSpanJSON {
  span.name = redactUrl(span.name);
  span.attributes = scrubAttributes(span.attributes);
  return span;
}

/** A span inside a transaction (`traceLifecycle: 'static'`). */
export function scrubStaticSpan(span: SpanJSON): SpanJSON {
  if (typeof span.description === 'string') span.description = redactUrl(span.description);
  if (span.data !== undefined) span.data = scrubAttributes(span.data) as SpanJSON['data'];
  return span;
}

// URL-valued attributes (`url`, `url.full`, `http.url`, …) keep their shape with secret query
// values hidden; everything else goes through the payload rule.
function scrubAttributes(attributes: Record<string, unknown>): Record<string, unknown> {
  const result = sanitizeRecord(attributes);
  for (const [key, value] of Object.entries(attributes)) {
    if (typeof value === 'string' && isUrlKey(key) && typeof result[key] === 'string') result[key] = redactUrl(sanitize(value) as string);
  }
  return result;
}

function isUrlKey(key: string): boolean {
  return key === 'url' || key.endsWith('.url') || key === 'url.full' || key === 'http.target';
}

function sanitizeRecord(record: object): Record<string, unknown> {
  const sanitized = sanitize(record);
  return sanitized !== null && typeof sanitized === 'object' && !Array.isArray(sanitized)
    ? (sanitized as Record<string, unknown>)
    : { value: sanitized };
}

// A JSON member `"key": "value"` (also in a body Sentry cut short, which no longer parses).
const JSON_STRING_MEMBER = /"((?:[^"\\]|\\.){1,200})"(\s*:\s*)"(?:[^"\\]|\\.)*"/g;
const FORM_BODY = /^[^\s=&]+=[^\s]*$/;
// sanitize keeps 1000 characters of a string; scanning more would only cost time.
const MAX_SCANNED_BODY = 8192;

/**
 * The request body. Sentry's http integration captures it as text (a JSON or form body, perhaps
 * cut short), where `sanitize` would see no keys: the values of secret keys are redacted in the
 * text first, then the string rules apply.
 */
function scrubRequestBody(data: unknown): unknown {
  if (typeof data !== 'string') return sanitize(data);
  let text = (data.length > MAX_SCANNED_BODY ? data.slice(0, MAX_SCANNED_BODY) : data).replace(JSON_STRING_MEMBER, (member, key: string, separator: string) =>
    isSecretKey(key) ? `"${key}"${separator}"[REDACTED]"` : member,
  );
  if (FORM_BODY.test(text)) {
    text = text
      .split('&')
      .map((pair) => {
        const equals = pair.indexOf('=');
        if (equals === -1) return pair;
        const key = pair.slice(0, equals);
        return isSecretKey(formKey(key)) || isSecretQueryParam(key) ? `${key}=[REDACTED]` : pair;
      })
      .join('&');
  }
  return sanitize(text);
}

function formKey(rawKey: string): string {
  try {
    return decodeURIComponent(rawKey.replace(/\+/g, ' '));
  } catch {
    return rawKey;
  }
}

type QueryString = NonNullable<Event['request']>['query_string'];

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
