import type { Attributes } from '@opentelemetry/api';
import { warnOnce } from './warn-once';

// Credentials of the providers we call (OpenAI/Replicate/fal: authorization; Anthropic:
// x-api-key; Gemini: x-goog-api-key; Azure OpenAI: api-key) — never recorded, even if listed.
const NEVER_RECORDED: ReadonlySet<string> = new Set([
  'authorization',
  'proxy-authorization',
  'cookie',
  'set-cookie',
  'x-api-key',
  'x-goog-api-key',
  'api-key',
  'x-auth-token',
  'x-amz-security-token',
]);

/**
 * Whether a header carries credentials and must never be recorded (spans, Sentry events):
 * Authorization, cookies and the API-key headers of the providers we call.
 *
 * @example isSecretHeader('X-Api-Key') // true
 */
export function isSecretHeader(name: string): boolean {
  return typeof name === 'string' && NEVER_RECORDED.has(name.toLowerCase());
}

/** Lower-cases the allowlist and removes the headers that are never recorded. */
export function normalizeHeaderAllowlist(names: readonly string[] | undefined): string[] {
  if (!names || names.length === 0) return [];
  const allowed = new Set<string>();
  for (const name of names) {
    if (typeof name !== 'string' || name.length === 0) continue;
    const lower = name.toLowerCase();
    if (NEVER_RECORDED.has(lower)) {
      warnOnce(`header-${lower}`, `header "${lower}" carries credentials and is never recorded`);
      continue;
    }
    allowed.add(lower);
  }
  return [...allowed];
}

/** `http.request.header.<name>` / `http.response.header.<name>` attributes for allowlisted headers. */
export function headerAttributes(
  prefix: 'http.request.header.' | 'http.response.header.',
  headers: Headers | undefined,
  allowlist: readonly string[],
): Attributes {
  const attributes: Attributes = {};
  if (!headers) return attributes;
  for (const name of allowlist) {
    const value = headers.get(name);
    if (value !== null) attributes[`${prefix}${name}`] = [value];
  }
  return attributes;
}
