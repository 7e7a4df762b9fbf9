import { OTHER_VALUE } from './spans';

/** The methods of RFC 9110, PATCH (RFC 5789) and QUERY: what semantic conventions call "known". */
export const KNOWN_HTTP_METHODS: readonly string[] = Object.freeze([
  'GET',
  'HEAD',
  'POST',
  'PUT',
  'DELETE',
  'CONNECT',
  'OPTIONS',
  'TRACE',
  'PATCH',
  'QUERY',
]);
const KNOWN: ReadonlySet<string> = new Set(KNOWN_HTTP_METHODS);

/**
 * The one HTTP method rule of every Kira span and metric (`http.request.method`, `http.method`,
 * `http_method`, span names).
 *
 * Decision: we follow OpenTelemetry semantic conventions to the letter. Method names are
 * case-sensitive (RFC 9110 §9.1), so a known method is kept only when it matches exactly; every
 * other value, including a lowercase `patch` or `get`, becomes `_OTHER` (spans also record the
 * original in `http.request.method_original`). Upper-casing would report `PATCH` for a request
 * the server received as `patch` — which most servers reject — and would let the cardinality of
 * the metric depend on how callers spell methods. Where a library canonicalises the method before
 * sending it (`fetch` does for six methods, see {@link fetchWireMethod}), the rule is applied to
 * the canonical form, which is what went over the wire.
 *
 * @example normalizeHttpMethod('PATCH') // 'PATCH'
 * @example normalizeHttpMethod('patch') // '_OTHER'
 */
export function normalizeHttpMethod(method: unknown): string {
  return typeof method === 'string' && KNOWN.has(method) ? method : OTHER_VALUE;
}

// The Fetch standard's "normalize a method": only these are upper-cased; `patch` is sent as is.
const FETCH_NORMALISED: ReadonlySet<string> = new Set(['DELETE', 'GET', 'HEAD', 'OPTIONS', 'POST', 'PUT']);

/**
 * The method `fetch` actually sends for `init.method`: DELETE, GET, HEAD, OPTIONS, POST and PUT
 * are upper-cased (byte-case-insensitively), every other method is sent exactly as given. Never
 * throws: a method that is not a string is `_OTHER`, as the method rule records it.
 *
 * @example fetchWireMethod('post') // 'POST'
 * @example fetchWireMethod('patch') // 'patch'
 */
export function fetchWireMethod(method: string): string {
  // Runs inside every traced fetch with the caller's `init.method`: it must not throw into the host.
  if (typeof method !== 'string') return OTHER_VALUE;
  // Nearly every call passes an upper-case method already (or none: GET).
  if (FETCH_NORMALISED.has(method)) return method;
  // ASCII-only upper-casing: String#toUpperCase maps e.g. 'ſ' to 'S', which fetch does not.
  const upper = method.replace(/[a-z]+/g, (letters) => letters.toUpperCase());
  return FETCH_NORMALISED.has(upper) ? upper : method;
}
