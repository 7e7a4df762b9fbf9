import { argumentError } from './values';

/** Options of {@link sanitize}; all limits are optional. */
export interface SanitizeOptions {
  /**
   * Nesting kept before a value becomes `"[MaxDepth]"`. Default 6.
   * @example sanitize(input, { maxDepth: 3 })
   */
  maxDepth?: number;
  /**
   * Keys or items kept per object/array; the rest are summarised. Default 50.
   * @example sanitize(input, { maxBreadth: 20 })
   */
  maxBreadth?: number;
  /**
   * Characters kept per string before a `…[truncated N chars]` marker. Default 1000.
   * @example sanitize(input, { maxStringLength: 200 })
   */
  maxStringLength?: number;
  /**
   * Shortest run of base64 characters described instead of kept. Default 200.
   * @example sanitize(input, { base64MinLength: 100 })
   */
  base64MinLength?: number;
  /**
   * Extra key names (exact, case-insensitive) or patterns to redact.
   * @example sanitize(input, { redactKeys: ['ssn', /^card/i] })
   */
  redactKeys?: Array<string | RegExp>;
}

const REDACTED = '[REDACTED]';
const REDACTED_JWT = '[REDACTED jwt]';
const DEFAULT_MAX_DEPTH = 6;
const DEFAULT_MAX_BREADTH = 50;
const DEFAULT_MAX_STRING_LENGTH = 1000;
const DEFAULT_BASE64_MIN_LENGTH = 200;
// Bounds total work on huge inputs whatever the per-level limits are.
const MAX_NODES = 5000;
const MAX_STACK_LINES = 10;

/**
 * Whole words of an object key (split on camelCase, `_`, `-`, `.`, spaces) that mark its value as
 * secret: `apiKey`, `api_key`, `x-session-id` and `Authorization` are redacted, while `author`,
 * `max_tokens` and `keyboard` are kept.
 */
export const SECRET_KEY_WORDS: readonly string[] = Object.freeze([
  'auth', 'authorization', 'token', 'secret', 'secrets', 'password', 'passwords', 'passwd', 'pwd',
  'key', 'apikey', 'jwt', 'bearer', 'cookie', 'cookies', 'session', 'credential', 'credentials',
  'private', 'signature',
]);
const SECRET_WORDS: ReadonlySet<string> = new Set(SECRET_KEY_WORDS);
const EXTRA_KEYS_EXPECTED = 'extraKeys as an array of names and regular expressions';
// Keys written as one lowercase word (`accesstoken`, `apikey`, `authheader`).
const SECRET_COMPOUND = /(?:token|secret|passw(?:or)?d|apikey|credentials?|cookies?|jwt|bearer)$|^(?:auth(?!or)|private|session|secret)/;

// Every pattern starts only where a run of its characters starts (the lookbehinds), so each run
// is scanned once: without them a long run of token characters made these quadratic.
const RUN_START = '(?<![A-Za-z0-9_-])';
const JWT_LONG_SEGMENTS = '[A-Za-z0-9_-]{20,}\\.[A-Za-z0-9_-]{20,}\\.[A-Za-z0-9_-]{20,}(?![A-Za-z0-9_-])';
// A JWT may also be glued after `-` inside a run (`token-eyJ…`, which the old `\b` allowed). The
// group (kept, as `$1`) walks from the run's start piece by piece (word characters, then dashes)
// and stops at the first piece that starts with `eyJ`: if the JWT fails from there it fails from
// every later `-eyJ` of the run too (shorter remainder, same tail), so no piece is tried twice.
const JWT_FROM_EYJ = '(-*(?:(?!eyJ)[A-Za-z0-9_]+-+)*)eyJ[A-Za-z0-9_-]{5,}\\.[A-Za-z0-9_-]{5,}\\.[A-Za-z0-9_-]*';
const JWT = new RegExp(`${RUN_START}(?:${JWT_LONG_SEGMENTS}|${JWT_FROM_EYJ})`, 'g');
// Most strings hold no `eyJ`; trying the second form on every word of them doubled this pass.
const JWT_WITHOUT_EYJ = new RegExp(`${RUN_START}${JWT_LONG_SEGMENTS}`, 'g');
const AUTH_SCHEME = /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{8,}/gi;
// Built once: sanitize runs on every recorded log and payload, and compiling it each call cost
// more than sanitizing a small record. Shared safely because sanitize is synchronous and every
// use resets lastIndex.
const DEFAULT_BASE64_RUN = base64RunPattern(DEFAULT_BASE64_MIN_LENGTH);
const DATA_URL = /data:([\w.+-]+\/[\w.+-]+)?((?:;[\w.+-]+=[\w.+-]+)*);base64,([A-Za-z0-9+/]*={0,2})/g;
// The same data URL head, ending where its payload starts (matched on a short slice, see below).
const DATA_URL_HEAD = /data:([\w.+-]+\/[\w.+-]+)?((?:;[\w.+-]+=[\w.+-]+)*);base64,$/;

/**
 * Runs of token characters at least this long are described before any pattern runs. V8's
 * regular expressions keep a backtracking stack of bounded size, and a greedy run of about 5.6
 * million characters (a 4 MB image as base64, which the image service's tool inputs carry) made
 * every pattern here throw: the whole value then came back as `[Unserializable]`, its other fields
 * lost. Far below that bound, and far above anything a person reads.
 */
const LONG_RUN_CHARS = 1 << 19;
// Character classes for the run scan: 1 = base64 ([A-Za-z0-9+/]), 2 = the other characters the
// patterns treat as part of a token (`=`, `_`, `-`, `.`, `~`), 0 = anything else.
const RUN_CHAR_CLASS = (() => {
  const classes = new Uint8Array(128);
  for (const char of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/') classes[char.charCodeAt(0)] = 1;
  for (const char of '=_-.~') classes[char.charCodeAt(0)] = 2;
  return classes;
})();
const EQUALS = 61;

// Magic prefixes of common binary formats as they appear in base64.
const BASE64_SIGNATURES: ReadonlyArray<readonly [string, string]> = [
  ['iVBORw0KGgo', 'image/png'],
  ['/9j/', 'image/jpeg'],
  ['R0lGOD', 'image/gif'],
  ['UklGR', 'image/webp'],
  ['JVBERi0', 'application/pdf'],
  ['UEsDB', 'application/zip'],
];

interface Limits {
  maxDepth: number;
  maxBreadth: number;
  maxStringLength: number;
  base64Run: RegExp;
  extraKeys: Array<string | RegExp>;
}

interface Walk {
  limits: Limits;
  ancestors: Set<object>;
  nodes: number;
}

/**
 * A copy of `value` that is safe to send to a backend (Sentry extras, tool payloads, log
 * attributes): secret-looking keys, JWTs and Bearer tokens
 * redacted, base64 blobs and data URLs replaced by a short description with their size, long
 * strings truncated, depth and breadth limited, cycles, Buffers, Maps, Sets and Errors handled.
 * Never throws.
 *
 * @example
 * sanitize({ apiKey: 'sk-1', image: 'data:image/png;base64,iVBOR…' })
 * // → { apiKey: '[REDACTED]', image: '[base64 image/png, 12.3 KB]' }
 */
export function sanitize(value: unknown, options: SanitizeOptions | null = {}): unknown {
  // null is "no options", as undefined is: it used to make the whole value `[Unserializable]`.
  options ??= {};
  try {
    const base64MinLength = positiveInteger(options.base64MinLength, DEFAULT_BASE64_MIN_LENGTH);
    const walk: Walk = {
      limits: {
        maxDepth: positiveInteger(options.maxDepth, DEFAULT_MAX_DEPTH),
        maxBreadth: positiveInteger(options.maxBreadth, DEFAULT_MAX_BREADTH),
        maxStringLength: positiveInteger(options.maxStringLength, DEFAULT_MAX_STRING_LENGTH),
        base64Run: base64MinLength === DEFAULT_BASE64_MIN_LENGTH ? DEFAULT_BASE64_RUN : base64RunPattern(base64MinLength),
        extraKeys: Array.isArray(options.redactKeys) ? options.redactKeys : [],
      },
      ancestors: new Set(),
      nodes: 0,
    };
    return sanitizeValue(value, 0, walk);
  } catch {
    return '[Unserializable]';
  }
}

function base64RunPattern(minLength: number): RegExp {
  return new RegExp(`(?<![A-Za-z0-9+/])[A-Za-z0-9+/]{${minLength},}={0,2}`, 'g');
}

function positiveInteger(value: number | undefined, fallback: number): number {
  return typeof value === 'number' && Number.isInteger(value) && value > 0 ? value : fallback;
}

function sanitizeValue(value: unknown, depth: number, walk: Walk): unknown {
  if (++walk.nodes > MAX_NODES) return '[Truncated]';
  switch (typeof value) {
    case 'string':
      return sanitizeString(value, walk.limits);
    case 'number':
    case 'boolean':
    case 'undefined':
      return value;
    case 'bigint':
      return `${value.toString()}n`;
    case 'symbol':
      return value.toString();
    case 'function':
      return `[Function ${value.name || 'anonymous'}]`;
  }
  if (value === null) return null;
  const object = value as object;
  const binary = describeBinary(object);
  if (binary !== undefined) return binary;
  if (object instanceof Date) return Number.isNaN(object.getTime()) ? '[Invalid Date]' : object.toISOString();
  if (object instanceof RegExp) return object.toString();
  if (walk.ancestors.has(object)) return '[Circular]';
  if (depth >= walk.limits.maxDepth) return Array.isArray(object) ? `[Array(${object.length})]` : '[MaxDepth]';

  walk.ancestors.add(object);
  try {
    if (object instanceof Error) return sanitizeError(object, depth, walk);
    if (Array.isArray(object)) return sanitizeList(object, object.length, depth, walk);
    if (object instanceof Set) return sanitizeList(object, object.size, depth, walk);
    if (object instanceof Map) return sanitizeEntries(object.entries(), object.size, depth, walk);
    return sanitizeEntries(ownEntries(object), Object.keys(object).length, depth, walk);
  } finally {
    walk.ancestors.delete(object);
  }
}

function* ownEntries(object: object): Generator<[string, unknown]> {
  for (const key of Object.keys(object)) {
    let entry: unknown;
    try {
      entry = (object as Record<string, unknown>)[key];
    } catch (error) {
      entry = `[Thrown: ${error instanceof Error ? error.message : String(error)}]`;
    }
    yield [key, entry];
  }
}

function sanitizeList(items: Iterable<unknown>, size: number, depth: number, walk: Walk): unknown[] {
  const result: unknown[] = [];
  for (const item of items) {
    if (result.length >= walk.limits.maxBreadth) break;
    result.push(sanitizeValue(item, depth + 1, walk));
  }
  if (size > result.length) result.push(`[+${size - result.length} more items]`);
  return result;
}

function sanitizeEntries(entries: Iterable<[unknown, unknown]>, size: number, depth: number, walk: Walk): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  let kept = 0;
  for (const [rawKey, entry] of entries) {
    if (kept >= walk.limits.maxBreadth) break;
    const key = typeof rawKey === 'string' ? rawKey : String(sanitizeValue(rawKey, walk.limits.maxDepth, walk));
    result[key] = isSecretKeyRemembered(key, walk.limits.extraKeys) ? REDACTED : sanitizeValue(entry, depth + 1, walk);
    kept++;
  }
  if (size > kept) result['[truncated]'] = `${size - kept} more keys`;
  return result;
}

function sanitizeError(error: Error, depth: number, walk: Walk): Record<string, unknown> {
  const result: Record<string, unknown> = {
    name: sanitizeString(String(error.name), walk.limits),
    message: sanitizeString(String(error.message), walk.limits),
  };
  if (typeof error.stack === 'string') {
    result.stack = sanitizeString(error.stack.split('\n').slice(0, MAX_STACK_LINES + 1).join('\n'), walk.limits);
  }
  if (error.cause !== undefined) result.cause = sanitizeValue(error.cause, depth + 1, walk);
  return result;
}

function describeBinary(object: object): string | undefined {
  if (typeof Buffer !== 'undefined' && Buffer.isBuffer(object)) return `[Buffer ${object.length} bytes]`;
  if (object instanceof ArrayBuffer) return `[ArrayBuffer ${object.byteLength} bytes]`;
  if (ArrayBuffer.isView(object)) return `[${object.constructor.name} ${object.byteLength} bytes]`;
  if (typeof Blob !== 'undefined' && object instanceof Blob) return `[Blob ${object.type || 'unknown'}, ${formatBytes(object.size)}]`;
  return undefined;
}

/**
 * Whether an object key names a secret: one of {@link SECRET_KEY_WORDS} as a whole word, a
 * one-word compound such as `accesstoken`, or one of `extraKeys` (names compared
 * case-insensitively, or patterns).
 *
 * @example isSecretKey('refreshToken') // true
 * @example isSecretKey('max_tokens') // false
 */
export function isSecretKey(key: string, extraKeys: ReadonlyArray<string | RegExp> = []): boolean {
  if (typeof key !== 'string') throw argumentError('isSecretKey', 'the key as a string', key);
  if (!Array.isArray(extraKeys)) throw argumentError('isSecretKey', EXTRA_KEYS_EXPECTED, extraKeys);
  const words = key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((word) => word.length > 0);
  if (words.some((word) => SECRET_WORDS.has(word))) return true;
  if (words.length === 1 && SECRET_COMPOUND.test(words[0]!)) return true;
  let lowerCaseKey: string | undefined;
  for (const extra of extraKeys) {
    if (typeof extra === 'string') {
      lowerCaseKey ??= key.toLowerCase();
      if (extra.toLowerCase() === lowerCaseKey) return true;
    } else if (extra instanceof RegExp) {
      if (safeTest(extra, key)) return true;
    } else {
      throw argumentError('isSecretKey', EXTRA_KEYS_EXPECTED, extra, ' in it');
    }
  }
  return false;
}

// Keys repeat (attribute names, payload fields) and the verdict costs more than the rest of a
// small record, so the default rule's verdicts are remembered; bounded, so arbitrary keys cannot
// grow it.
const KEY_VERDICTS = new Map<string, boolean>();
const MAX_KEY_VERDICTS = 2048;
const MAX_REMEMBERED_KEY_LENGTH = 128;

function isSecretKeyRemembered(key: string, extraKeys: ReadonlyArray<string | RegExp>): boolean {
  if (extraKeys.length > 0) return isSecretKey(key, extraKeys);
  let verdict = KEY_VERDICTS.get(key);
  if (verdict === undefined) {
    verdict = isSecretKey(key);
    if (KEY_VERDICTS.size < MAX_KEY_VERDICTS && key.length <= MAX_REMEMBERED_KEY_LENGTH) KEY_VERDICTS.set(key, verdict);
  }
  return verdict;
}

function safeTest(pattern: RegExp, text: string): boolean {
  pattern.lastIndex = 0;
  return pattern.test(text);
}

function sanitizeString(text: string, limits: Limits): string {
  let result = text.length >= LONG_RUN_CHARS ? describeLongRuns(text) : text;
  if (result.includes('base64,')) {
    result = result.replace(DATA_URL, (_match, mime: string | undefined, _params: string, data: string) =>
      describeBase64(data, mime ?? 'application/octet-stream'),
    );
  }
  if (result.length >= 20) {
    limits.base64Run.lastIndex = 0;
    result = result.replace(limits.base64Run, (run) => describeBase64(run, sniffBase64(run)));
    result = result.includes('eyJ') ? result.replace(JWT, `$1${REDACTED_JWT}`) : result.replace(JWT_WITHOUT_EYJ, REDACTED_JWT);
    result = result.replace(AUTH_SCHEME, (_match, scheme: string) => `${scheme} ${REDACTED}`);
  }
  if (result.length > limits.maxStringLength) {
    const cut = result.length - limits.maxStringLength;
    result = `${result.slice(0, limits.maxStringLength)}…[truncated ${cut} chars]`;
  }
  return result;
}

/**
 * `text` with every run of token characters of {@link LONG_RUN_CHARS} or more replaced, by a plain
 * scan (no regular expression): a base64 run (data URL head included) by the description the
 * patterns would give it, any other run by its length alone, so nothing of it (a JWT inside, say)
 * is kept.
 */
function describeLongRuns(text: string): string {
  const pieces: string[] = [];
  let kept = 0;
  let index = 0;
  while (index < text.length) {
    const code = text.charCodeAt(index);
    if (code >= 128 || RUN_CHAR_CLASS[code] === 0) {
      index++;
      continue;
    }
    const start = index;
    // Base64 so far: only base64 characters, then at most two `=` at the very end.
    let base64 = true;
    let padding = 0;
    while (index < text.length) {
      const inRun = text.charCodeAt(index);
      const kind = inRun < 128 ? RUN_CHAR_CLASS[inRun]! : 0;
      if (kind === 0) break;
      if (base64) {
        if (inRun === EQUALS && padding < 2) padding++;
        else if (kind !== 1 || padding > 0) base64 = false;
      }
      index++;
    }
    if (index - start < LONG_RUN_CHARS) continue;
    const run = text.slice(start, index);
    let replaceFrom = start;
    let description: string;
    if (base64) {
      const headStart = Math.max(kept, start - 256);
      const head = DATA_URL_HEAD.exec(text.slice(headStart, start));
      if (head) {
        replaceFrom = headStart + head.index;
        description = describeBase64(run, head[1] ?? 'application/octet-stream');
      } else {
        description = describeBase64(run, sniffBase64(run));
      }
    } else {
      description = `[${run.length} characters without spaces, not recorded]`;
    }
    pieces.push(text.slice(kept, replaceFrom), description);
    kept = index;
  }
  if (kept === 0) return text;
  pieces.push(text.slice(kept));
  return pieces.join('');
}

function sniffBase64(data: string): string | undefined {
  for (const [prefix, mime] of BASE64_SIGNATURES) if (data.startsWith(prefix)) return mime;
  return undefined;
}

function describeBase64(data: string, mime: string | undefined): string {
  const padding = data.endsWith('==') ? 2 : data.endsWith('=') ? 1 : 0;
  const bytes = Math.max(0, Math.floor((data.length * 3) / 4) - padding);
  return `[base64${mime ? ` ${mime}` : ''}, ${formatBytes(bytes)}]`;
}

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}
