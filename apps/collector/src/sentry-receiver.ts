import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { EnvelopeParseError, parseEnvelope } from '@kira/telemetry-wire';
import type { CollectorContext } from './context';
import { BodyError, decodeBody } from './read-body';

export interface SentryReceiverResult {
  status: number;
  headers?: Record<string, string>;
  body: string;
}

/** What the receiver did since the collector started; the web page shows it. */
export interface SentryReceiverStats {
  envelopes: number;
  rejected: number;
  storedRows: number;
  /** Accepted envelopes by Content-Encoding (`identity` when none). */
  encodings: Record<string, number>;
  /** Items of types the collector does not store (sessions, client reports, attachments…), by type. */
  skippedItems: Record<string, number>;
}

/** Envelopes are small; this only guards against decompression bombs when no limit is configured. */
const DEFAULT_MAX_BODY_BYTES = 20 * 1024 * 1024;
const ENVELOPE_PATH = /^\/api\/([^/]+)\/envelope\/?$/;
const TABLE = 'sentry_events';

const statsByContext = new WeakMap<CollectorContext, SentryReceiverStats>();

export function sentryReceiverStats(ctx: CollectorContext): SentryReceiverStats {
  let stats = statsByContext.get(ctx);
  if (!stats) {
    stats = { envelopes: 0, rejected: 0, storedRows: 0, encodings: {}, skippedItems: {} };
    statsByContext.set(ctx, stats);
  }
  return stats;
}

/** A row of `sentry_events` before the store encodes it. */
export interface SentryRow {
  dt: Date;
  type: 'event' | 'transaction' | 'span' | 'log';
  event_id: string;
  trace_id: string;
  span_id: string;
  project: string;
  user: string;
  level: string;
  raw: string;
}

class EnvelopeRejection extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const CORS_HEADERS: Record<string, string> = {
  'access-control-allow-origin': '*',
  'access-control-allow-methods': 'POST, OPTIONS',
  'access-control-allow-headers': 'content-type, content-encoding, x-sentry-auth, authorization',
  'access-control-expose-headers': 'x-sentry-error, x-sentry-rate-limits, retry-after',
};

/**
 * Handles `POST /api/{project}/envelope/`: checks the DSN key, decompresses (gzip, deflate, br)
 * under the body limit, parses the envelope and stores events, transactions, spans and logs as rows
 * of `sentry_events`. Answers `200 {"id": <event_id>}` like Sentry; 400 with the reason for a
 * malformed envelope (nothing of it is stored).
 */
export async function handleSentryEnvelope(
  ctx: CollectorContext,
  request: IncomingMessage,
  body: Buffer,
): Promise<SentryReceiverResult> {
  const stats = sentryReceiverStats(ctx);
  if (request.method === 'OPTIONS') return { status: 204, headers: { ...CORS_HEADERS }, body: '' };
  try {
    const url = new URL(request.url ?? '/', 'http://collector.invalid');
    const project = ENVELOPE_PATH.exec(url.pathname)?.[1];
    if (!project) throw new EnvelopeRejection(404, 'not an envelope endpoint: use POST /api/{project}/envelope/');
    if (request.method !== 'POST') {
      return reply(405, { detail: 'method not allowed: envelopes are sent with POST' }, { allow: 'POST, OPTIONS' });
    }
    // Keys in the request are checked before any decompression work; a key only in the
    // envelope's `dsn` header (tunnels) can be checked only after parsing.
    const authorized = checkAuth(ctx, request, url, undefined);
    // The collector's shared decoder: output capped at the body limit, so a bomb stops there.
    let raw: Buffer;
    try {
      raw = await decodeBody(body, request.headers['content-encoding'], maxBodyBytes(ctx));
    } catch (error) {
      if (error instanceof BodyError) throw new EnvelopeRejection(error.status, error.message);
      throw error;
    }
    let envelope;
    try {
      envelope = parseEnvelope(raw);
    } catch (error) {
      if (error instanceof EnvelopeParseError) throw new EnvelopeRejection(400, `malformed envelope: ${error.message}`);
      throw error;
    }
    if (!authorized) checkAuth(ctx, request, url, envelope.headers);

    const rows: SentryRow[] = [];
    const skipped: Record<string, number> = {};
    let eventId = typeof envelope.headers.event_id === 'string' ? envelope.headers.event_id : undefined;
    envelope.items.forEach((item, index) => {
      const type = typeof item.headers.type === 'string' ? item.headers.type : '';
      const context = { project, envelopeHeaders: envelope.headers, where: `item ${index} (${type || 'no type'})` };
      switch (type) {
        case 'event':
        case 'transaction': {
          const payload = parseJsonObject(item.payload, context.where);
          eventId ??= stringOr(payload.event_id, undefined);
          rows.push(...rowsFromEvent(type, payload, context));
          break;
        }
        case 'log':
        case 'span': {
          const payload = parseJsonObject(item.payload, context.where);
          if (!Array.isArray(payload.items)) throw new EnvelopeRejection(400, `${context.where}: "items" must be an array`);
          for (const entry of payload.items) {
            if (!isObject(entry)) throw new EnvelopeRejection(400, `${context.where}: every entry of "items" must be an object`);
            rows.push(type === 'log' ? rowFromLog(entry, context) : rowFromStreamedSpan(entry, context));
          }
          break;
        }
        default:
          skipped[type || '(none)'] = (skipped[type || '(none)'] ?? 0) + 1;
      }
    });

    // Envelopes have no partial success: rows the store drops (older than the retention, refused
    // by ClickHouse) are counted in store.dropped and reported on stderr; the answer's count leaves them out.
    const dropped = rows.length > 0 ? await ctx.store.insertRows(TABLE, rows as unknown as Record<string, unknown>[]) : undefined;
    const stored = rows.length - (dropped?.rows ?? 0);
    stats.envelopes += 1;
    const encoding = (request.headers['content-encoding'] ?? '').trim().toLowerCase() || 'identity';
    stats.encodings[encoding] = (stats.encodings[encoding] ?? 0) + 1;
    stats.storedRows += stored;
    let skippedCount = 0;
    for (const [type, count] of Object.entries(skipped)) {
      stats.skippedItems[type] = (stats.skippedItems[type] ?? 0) + count;
      skippedCount += count;
    }
    return reply(200, { id: eventId ?? null }, { 'x-kira-stored-rows': String(stored), 'x-kira-skipped-items': String(skippedCount) });
  } catch (error) {
    stats.rejected += 1;
    if (error instanceof EnvelopeRejection) {
      // Reasons quote client bytes; a header may only carry visible ASCII.
      const headerSafe = error.message.replace(/[^\x20-\x7e]/g, '?').slice(0, 200);
      return reply(error.status, { detail: error.message }, { 'x-sentry-error': headerSafe });
    }
    throw error;
  }
}

function reply(status: number, payload: unknown, headers: Record<string, string> = {}): SentryReceiverResult {
  return {
    status,
    headers: { 'content-type': 'application/json', ...CORS_HEADERS, ...headers },
    body: JSON.stringify(payload),
  };
}

function maxBodyBytes(ctx: CollectorContext): number {
  const limit = ctx.options.maxBodyBytes;
  return typeof limit === 'number' && limit > 0 ? limit : DEFAULT_MAX_BODY_BYTES;
}

/**
 * Without `--token` any DSN key is accepted (a local collector, like `sentry-cli`'s local relay).
 * With `--token`, the DSN public key must equal the token — the SDK sends it as `sentry_key` in
 * the query string or `X-Sentry-Auth` — or the request carries `Authorization: Bearer <token>`.
 */
function checkAuth(
  ctx: CollectorContext,
  request: IncomingMessage,
  url: URL,
  envelopeHeaders: Record<string, unknown> | undefined,
): boolean {
  const token = ctx.options.token;
  if (!token) return true;
  const authorization = request.headers.authorization ?? '';
  if (/^bearer\s+/i.test(authorization) && sameSecret(authorization.replace(/^bearer\s+/i, '').trim(), token)) return true;
  const keys = [
    url.searchParams.get('sentry_key'),
    sentryAuthKey(header(request.headers['x-sentry-auth'])),
    sentryAuthKey(/^sentry\s/i.test(authorization) ? authorization : undefined),
    envelopeHeaders ? dsnKey(envelopeHeaders.dsn) : undefined,
  ].filter((key): key is string => typeof key === 'string' && key !== '');
  if (keys.length === 0) {
    if (!envelopeHeaders) return false;
    throw new EnvelopeRejection(401, 'missing authorization: send the DSN key (sentry_key) or Authorization: Bearer <token>');
  }
  if (!keys.some((key) => sameSecret(key, token))) throw new EnvelopeRejection(403, 'invalid DSN key: the DSN public key must equal the collector token');
  return true;
}

function sameSecret(offered: string, expected: string): boolean {
  const a = Buffer.from(offered);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

function header(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function sentryAuthKey(value: string | undefined): string | undefined {
  if (!value) return undefined;
  return /(?:^|[\s,])sentry_key\s*=\s*([^,\s]+)/i.exec(value)?.[1];
}

function dsnKey(dsn: unknown): string | undefined {
  if (typeof dsn !== 'string') return undefined;
  try {
    return decodeURIComponent(new URL(dsn).username) || undefined;
  } catch {
    return undefined;
  }
}

// ---------- rows ----------

type JsonObject = Record<string, unknown>;

interface ItemContext {
  project: string;
  envelopeHeaders: JsonObject;
  where: string;
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function parseJsonObject(payload: Buffer, where: string): JsonObject {
  let value: unknown;
  try {
    value = JSON.parse(payload.toString('utf8'));
  } catch (error) {
    throw new EnvelopeRejection(400, `${where}: payload is not JSON (${(error as Error).message})`);
  }
  if (!isObject(value)) throw new EnvelopeRejection(400, `${where}: payload must be a JSON object`);
  return value;
}

function stringOr<T>(value: unknown, fallback: T): string | T {
  return typeof value === 'string' && value !== '' ? value : fallback;
}

/** Sentry timestamps are seconds (float) or RFC 3339 strings. */
function toDate(value: unknown): Date | undefined {
  if (typeof value === 'number' && Number.isFinite(value) && value > 0) return new Date(value * 1000);
  if (typeof value === 'string') {
    const ms = Date.parse(value);
    if (Number.isFinite(ms)) return new Date(ms);
  }
  return undefined;
}

function envelopeTraceId(headers: JsonObject): string {
  return isObject(headers.trace) ? stringOr(headers.trace.trace_id, '') : '';
}

function userOf(user: unknown): string {
  if (!isObject(user)) return '';
  return stringOr(user.id, undefined) ?? stringOr(user.email, undefined) ?? stringOr(user.username, undefined) ?? '';
}

/** v2 container attributes are `{ value, type }`; older ones are plain values. */
function attributeValue(attributes: unknown, key: string): unknown {
  if (!isObject(attributes)) return undefined;
  const entry = attributes[key];
  return isObject(entry) && 'value' in entry ? entry.value : entry;
}

function rowsFromEvent(type: 'event' | 'transaction', payload: JsonObject, context: ItemContext): SentryRow[] {
  const trace = isObject(payload.contexts) && isObject(payload.contexts.trace) ? payload.contexts.trace : {};
  const traceId = stringOr(trace.trace_id, envelopeTraceId(context.envelopeHeaders));
  const eventId = stringOr(payload.event_id, stringOr(context.envelopeHeaders.event_id, ''));
  const user = userOf(payload.user);
  const dt = toDate(type === 'transaction' ? payload.start_timestamp : payload.timestamp) ?? toDate(payload.timestamp) ?? new Date();
  if (type === 'event') {
    return [
      {
        dt,
        type,
        event_id: eventId,
        trace_id: traceId,
        span_id: stringOr(trace.span_id, ''),
        project: context.project,
        user,
        // Sentry's default level for events without one.
        level: stringOr(payload.level, 'error'),
        raw: JSON.stringify(payload),
      },
    ];
  }
  // A transaction's child spans become rows of their own (type "span"), so the transaction row
  // keeps everything but the span list and the two never hold the same data twice.
  const { spans, ...transaction } = payload;
  const childSpans = Array.isArray(spans) ? spans.filter(isObject) : [];
  const rows: SentryRow[] = [
    {
      dt,
      type,
      event_id: eventId,
      trace_id: traceId,
      span_id: stringOr(trace.span_id, ''),
      project: context.project,
      user,
      level: stringOr(payload.level, 'info'),
      raw: JSON.stringify({ ...transaction, span_count: childSpans.length }),
    },
  ];
  for (const span of childSpans) {
    rows.push({
      dt: toDate(span.start_timestamp) ?? dt,
      type: 'span',
      event_id: eventId,
      trace_id: stringOr(span.trace_id, traceId),
      span_id: stringOr(span.span_id, ''),
      project: context.project,
      user,
      level: '',
      raw: JSON.stringify({ ...span, segment_name: stringOr(payload.transaction, undefined) }),
    });
  }
  return rows;
}

function rowFromStreamedSpan(span: JsonObject, context: ItemContext): SentryRow {
  const user = stringOr(attributeValue(span.attributes, 'user.id'), undefined) ?? stringOr(attributeValue(span.attributes, 'user.email'), '');
  return {
    dt: toDate(span.start_timestamp) ?? new Date(),
    type: 'span',
    event_id: '',
    trace_id: stringOr(span.trace_id, envelopeTraceId(context.envelopeHeaders)),
    span_id: stringOr(span.span_id, ''),
    project: context.project,
    user,
    level: '',
    raw: JSON.stringify(span),
  };
}

function rowFromLog(log: JsonObject, context: ItemContext): SentryRow {
  const user = stringOr(attributeValue(log.attributes, 'user.id'), undefined) ?? stringOr(attributeValue(log.attributes, 'user.email'), '');
  return {
    dt: toDate(log.timestamp) ?? new Date(),
    type: 'log',
    event_id: '',
    trace_id: stringOr(log.trace_id, envelopeTraceId(context.envelopeHeaders)),
    span_id: stringOr(attributeValue(log.attributes, 'sentry.trace.parent_span_id'), ''),
    project: context.project,
    user,
    level: stringOr(log.level, ''),
    raw: JSON.stringify(log),
  };
}
