import type { Attributes } from '@opentelemetry/api';
import { HEADER_ATTRIBUTE_PREFIXES, isSecretHeader, isSecretKey, sanitize } from '@kira/conventions';
import { warnOnce } from './warn-once';

// Shared by every call that records no headers (most of them): nothing to allocate per call.
const NO_HEADERS: readonly string[] = Object.freeze([]);

/**
 * Lower-cases the allowlist and removes the headers that are never recorded: the secret headers
 * and any name holding a secret key word of the payload rule (`x-session-id`, `x-user-token`).
 */
export function normalizeHeaderAllowlist(names: readonly string[] | undefined): readonly string[] {
  if (!names || names.length === 0) return NO_HEADERS;
  const allowed = new Set<string>();
  for (const name of names) {
    if (typeof name !== 'string' || name.length === 0) continue;
    const lower = name.toLowerCase();
    if (isSecretHeader(lower) || isSecretKey(lower)) {
      warnOnce(`header-${lower}`, `header "${lower}" carries credentials and is never recorded`);
      continue;
    }
    allowed.add(lower);
  }
  return [...allowed];
}

/**
 * `http.request.header.<name>` / `http.response.header.<name>` attributes for allowlisted headers;
 * values get the payload rule's string part (JWT/Bearer/Basic values, base64 blobs, size cap).
 */
export function headerAttributes(
  prefix: (typeof HEADER_ATTRIBUTE_PREFIXES)[keyof typeof HEADER_ATTRIBUTE_PREFIXES],
  headers: Headers | undefined,
  allowlist: readonly string[],
): Attributes {
  const attributes: Attributes = {};
  if (!headers) return attributes;
  for (const name of allowlist) {
    const value = headers.get(name);
    if (value !== null) attributes[`${prefix}${name}`] = [sanitize(value) as string];
  }
  return attributes;
}
