/**
 * Headers that carry credentials and are never recorded (spans, Sentry events): Authorization
 * and cookies, and the API-key headers of the providers Kira calls (OpenAI/Replicate/fal:
 * authorization; Anthropic: x-api-key; Gemini: x-goog-api-key; Azure OpenAI: api-key).
 */
export const SECRET_HEADERS: readonly string[] = Object.freeze([
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
const SECRET_HEADER_SET: ReadonlySet<string> = new Set(SECRET_HEADERS);

/**
 * Whether a header carries credentials and must never be recorded (case-insensitive).
 *
 * @example isSecretHeader('X-Api-Key') // true
 */
export function isSecretHeader(name: string): boolean {
  return typeof name === 'string' && SECRET_HEADER_SET.has(name.toLowerCase());
}
