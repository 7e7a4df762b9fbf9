import { LEGACY_SPAN_ATTRIBUTES, SPAN_ATTRIBUTES } from './spans';
import { safeString } from './values';

/**
 * Query parameters whose values are replaced by `REDACTED` in `url.full` / `http.url` (compared
 * case-insensitively): API keys, OAuth tokens and codes, sessions and the signatures of
 * pre-signed S3 / GCS URLs. The one list every @kira package and otel-core's span processor use.
 */
export const DEFAULT_REDACTED_QUERY_PARAMS: readonly string[] = Object.freeze([
  'key',
  'api_key',
  'apikey',
  'token',
  'access_token',
  'refresh_token',
  'id_token',
  'sig',
  'signature',
  'secret',
  'client_secret',
  'password',
  'passwd',
  'auth',
  'authorization',
  'code',
  'jwt',
  'session',
  'sessionid',
  'credential',
  'X-Amz-Signature',
  'X-Amz-Credential',
  'X-Amz-Security-Token',
  'X-Goog-Signature',
  'X-Goog-Credential',
  'AWSAccessKeyId',
  'Signature',
  // The Sentry SDK's own envelope URLs carry the DSN's public key (and, in old DSNs, a secret).
  'sentry_key',
  'sentry_secret',
]);

const REDACTED = 'REDACTED';
const DEFAULT_SET: ReadonlySet<string> = new Set(DEFAULT_REDACTED_QUERY_PARAMS.map((name) => name.toLowerCase()));
const USERINFO = /^([a-z][a-z0-9+.-]*:\/\/)[^/?#@]*@/i;

/**
 * Makes a URL safe to record: credentials become `REDACTED:REDACTED` (the semantic-convention
 * form), values of sensitive query parameters become `REDACTED`, and the fragment is dropped
 * (it never goes over the wire and OAuth flows put tokens there). Other parts keep their
 * original encoding. Never throws: a value that is not a string or URL is redacted as the text it
 * converts to (`[unprintable]` when that throws).
 *
 * @example redactUrl('https://user:pw@api.example.com/v1?key=abc&q=cat') // 'https://REDACTED:REDACTED@api.example.com/v1?key=REDACTED&q=cat'
 */
export function redactUrl(url: string | URL, extraParams?: readonly string[]): string {
  const sensitive =
    Array.isArray(extraParams) && extraParams.length > 0
      ? new Set([...DEFAULT_SET, ...extraParams.filter((name) => typeof name === 'string').map((name) => name.toLowerCase())])
      : DEFAULT_SET;
  // Runs on every recorded URL: a value that is not a string is redacted as the text it converts
  // to, like any unparsable URL, and one whose conversion throws as `[unprintable]` — never a throw.
  const text = safeString(url);
  let parsed: URL | undefined;
  try {
    parsed = new URL(text);
  } catch {
    parsed = undefined;
  }
  if (parsed) {
    if (parsed.username !== '' || parsed.password !== '') {
      parsed.username = REDACTED;
      parsed.password = REDACTED;
    }
    parsed.hash = '';
    if (parsed.search.length > 1) parsed.search = redactQuery(parsed.search.slice(1), sensitive);
    return parsed.href;
  }
  // Relative or malformed input: the same rules, applied to the raw text.
  const withoutFragment = text.split('#', 1)[0] ?? '';
  const queryStart = withoutFragment.indexOf('?');
  const head = (queryStart === -1 ? withoutFragment : withoutFragment.slice(0, queryStart)).replace(
    USERINFO,
    `$1${REDACTED}:${REDACTED}@`,
  );
  return queryStart === -1 ? head : `${head}?${redactQuery(withoutFragment.slice(queryStart + 1), sensitive)}`;
}

/**
 * Whether a query parameter's value is secret under the same rule as {@link redactUrl} (for query
 * strings already split into pairs, e.g. Sentry's `request.query_string`).
 *
 * @example isSecretQueryParam('api_key') // true
 */
export function isSecretQueryParam(name: string, extraParams?: readonly string[]): boolean {
  if (typeof name !== 'string') return false;
  const key = decodeKey(name).toLowerCase();
  return DEFAULT_SET.has(key) || (Array.isArray(extraParams) ? extraParams : []).some((extra) => typeof extra === 'string' && extra.toLowerCase() === key);
}

function redactQuery(query: string, sensitive: ReadonlySet<string>): string {
  return query
    .split('&')
    .map((pair) => {
      const equals = pair.indexOf('=');
      if (equals === -1) return pair;
      const rawKey = pair.slice(0, equals);
      return sensitive.has(decodeKey(rawKey).toLowerCase()) ? `${rawKey}=${REDACTED}` : pair;
    })
    .join('&');
}

function decodeKey(rawKey: string): string {
  const spaced = rawKey.replace(/\+/g, ' ');
  try {
    return decodeURIComponent(spaced);
  } catch {
    return spaced;
  }
}

/**
 * Span attributes that hold a URL (or its query) and are redacted with {@link redactUrl} on every
 * span before export, whichever instrumentation set them.
 */
export const URL_ATTRIBUTES_REDACTED: readonly string[] = Object.freeze([
  SPAN_ATTRIBUTES.urlFull,
  SPAN_ATTRIBUTES.urlQuery,
  LEGACY_SPAN_ATTRIBUTES.httpUrl,
  LEGACY_SPAN_ATTRIBUTES.httpTarget,
]);

// Bounded quantifiers and a capped input: an unbounded pattern went quadratic on long non-URL
// strings (a 100 kB message blocked the event loop for a minute).
const USERINFO_IN_TEXT = /([a-z][a-z0-9+.-]{0,31}:\/\/)[^\s/?#@]{1,512}@/gi;
const MAX_SCANNED_TEXT = 4096;

/**
 * Free text (an error message, a stack) made safe to record: cut to 4096 characters (marked `…`)
 * and every `scheme://user:password@` credential in it replaced by `REDACTED:REDACTED`.
 *
 * @example redactUrlCredentialsInText('cannot fetch https://bot:s3cr3t@api.example.com/x') // 'cannot fetch https://REDACTED:REDACTED@api.example.com/x'
 */
export function redactUrlCredentialsInText(text: string): string {
  const value = safeString(text);
  const capped = value.length > MAX_SCANNED_TEXT ? `${value.slice(0, MAX_SCANNED_TEXT)}…` : value;
  return capped.replace(USERINFO_IN_TEXT, `$1${REDACTED}:${REDACTED}@`);
}
