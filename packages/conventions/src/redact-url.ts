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

// Characters of a path that the URL parser never percent-encodes or rewrites: unreserved,
// sub-delimiters, `:` `@` `/` and `%` (kept as it is, even before non-hex digits).
const PATH_CHARACTERS = new Uint8Array(128);
for (const character of "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~!$&'()*+,;=:@/%") {
  PATH_CHARACTERS[character.charCodeAt(0)] = 1;
}
// A dotted quad the parser leaves as it is: four decimal numbers up to 255, no leading zeros.
const CANONICAL_IPV4 = /^(?:(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\.){3}(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])$/;
const DOT = 0x2e;
const HYPHEN = 0x2d;
const SLASH = 0x2f;
const COLON = 0x3a;
const PERCENT = 0x25;

const isLowerLetter = (code: number): boolean => code >= 0x61 && code <= 0x7a;
const isDigit = (code: number): boolean => code >= 0x30 && code <= 0x39;

/**
 * Whether `new URL(text).href` is `text` itself and the URL has no credentials, query or
 * fragment, so redacting it gives `text` back without parsing. The request URL of nearly every
 * sampled server span looks like this, and parsing it (twice, with the `hash` setter) was about a
 * fifth of the cost of starting a sampled span. Deliberately narrow, one pass over the text:
 * `false` only means the URL is parsed. What it refuses because the parser would rewrite it:
 * - a scheme other than lower-case `http://` or `https://`;
 * - a host with anything but lower-case letters, digits, hyphens and single dots, with `--`
 *   (an `xn--` label is decoded as punycode, and which ones are refused differs between Node
 *   versions: Node 22 refuses `xn--zz9`, Node 24 keeps it), or whose last label starts with a
 *   digit (read as IPv4: `1.2.3` becomes `1.2.0.3`) unless it is a canonical dotted quad;
 * - a port that is empty, has a leading zero, is above 65535 or is the scheme's default;
 * - no path, a character the parser encodes (space, quotes, `^`, non-ASCII, …) or ends the path
 *   at (`?`, `#`), a backslash, and any dot segment (`/.`, `%2e`).
 */
export function isUnchangedByParsing(text: string): boolean {
  const hostStart = text.startsWith('http://') ? 7 : text.startsWith('https://') ? 8 : -1;
  if (hostStart === -1) return false;
  let index = hostStart;
  let lastLabelStart = hostStart;
  // Starts as a dot so that an empty first label is refused like an empty one anywhere else.
  let previous = DOT;
  for (; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (code === SLASH || code === COLON) break;
    if (code === DOT) {
      if (previous === DOT) return false;
      lastLabelStart = index + 1;
    } else if (code === HYPHEN) {
      if (previous === HYPHEN) return false;
    } else if (!isLowerLetter(code) && !isDigit(code)) {
      return false;
    }
    previous = code;
  }
  if (previous === DOT) return false;
  if (!isLowerLetter(text.charCodeAt(lastLabelStart)) && !CANONICAL_IPV4.test(text.slice(hostStart, index))) return false;
  if (text.charCodeAt(index) === COLON) {
    const portStart = index + 1;
    index = portStart;
    while (index < text.length && isDigit(text.charCodeAt(index))) index++;
    const port = text.slice(portStart, index);
    const defaultPort = hostStart === 7 ? '80' : '443';
    if (port.length === 0 || port.length > 5 || port.startsWith('0') || Number(port) > 65535 || port === defaultPort) return false;
  }
  if (text.charCodeAt(index) !== SLASH) return false;
  for (; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (code >= 128 || PATH_CHARACTERS[code] !== 1) return false;
    if (code === SLASH && text.charCodeAt(index + 1) === DOT) return false;
    // `%2e` / `%2E` is a dot to the parser.
    if (code === PERCENT && text.charCodeAt(index + 1) === 0x32 && (text.charCodeAt(index + 2) | 0x20) === 0x65) return false;
  }
  return true;
}

// The last URL found unchanged by parsing. A sampled server span's URL is checked twice, the same
// string both times: when otelHono records it and when otel-core's span processor redacts every
// URL attribute at the span's end. The second check is then one comparison.
let lastUnchangedUrl: string | undefined;

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
  // Runs on every recorded URL: a value that is not a string is redacted as the text it converts
  // to, like any unparsable URL, and one whose conversion throws as `[unprintable]` — never a throw.
  const text = safeString(url);
  if (text === lastUnchangedUrl) return text;
  if (isUnchangedByParsing(text)) {
    lastUnchangedUrl = text;
    return text;
  }
  const sensitive =
    Array.isArray(extraParams) && extraParams.length > 0
      ? new Set([...DEFAULT_SET, ...extraParams.filter((name) => typeof name === 'string').map((name) => name.toLowerCase())])
      : DEFAULT_SET;
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
