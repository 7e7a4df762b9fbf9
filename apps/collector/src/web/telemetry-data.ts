import type { CollectorContext } from '../context';
import { sqlString, sqlTime, TRACE_ID_PATTERN, type UiRange } from './ui-range';

export interface UiSpan {
  spanId: string;
  parentSpanId: string;
  name: string;
  service: string;
  /** ISO time. */
  start: string;
  durationMs: number;
  error: boolean;
  source: 'otel' | 'sentry';
  /** Nesting level in the tree (0 = root or orphan). */
  depth: number;
}

export interface UiTrace {
  traceId: string;
  rootName: string;
  services: string[];
  start: string;
  durationMs: number;
  spanCount: number;
  error: boolean;
  /** Depth-first order, children by start time. */
  spans: UiSpan[];
}

export interface UiLog {
  time: string;
  severity: string;
  severityNumber: number;
  body: unknown;
  attributes: Record<string, unknown>;
  traceId: string;
  spanId: string;
  service: string;
  source: 'otel' | 'sentry';
}

export interface UiSentryEvent {
  eventId: string;
  time: string;
  level: string;
  message?: string;
  exception?: { type?: string; value?: string };
  user?: { id?: string; email?: string; username?: string };
  tags: Record<string, string>;
  traceId: string;
  transaction?: string;
  environment?: string;
  release?: string;
}

const TRACE_LIMIT = 20;
const SPANS_PER_TRACE_LIMIT = 500;
const LOG_LIMIT = 100;
const EVENT_LIMIT = 50;
/** Long attribute values and bodies are cut so one huge record can't bloat every refresh. */
const MAX_TEXT = 2_000;

type Row = Record<string, unknown>;
type JsonObject = Record<string, unknown>;

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function parseRaw(raw: unknown): JsonObject {
  if (typeof raw !== 'string') return {};
  try {
    const value: unknown = JSON.parse(raw);
    return isObject(value) ? value : {};
  } catch {
    return {};
  }
}

function str(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === undefined || value === null) return '';
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  // A nested object or array in the stored JSON reads as its JSON text.
  return JSON.stringify(value) ?? '';
}

function clip(value: unknown): unknown {
  if (typeof value === 'string') return value.length > MAX_TEXT ? `${value.slice(0, MAX_TEXT)}…` : value;
  if (value === null || typeof value !== 'object') return value;
  const text = JSON.stringify(value);
  return text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT)}…` : value;
}

function clipAll(attributes: unknown, unwrapTyped = false): Record<string, unknown> {
  if (!isObject(attributes)) return {};
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(attributes)) {
    // Sentry's v2 containers wrap attributes as { value, type }.
    out[key] = clip(unwrapTyped && isObject(value) && 'value' in value ? value.value : value);
  }
  return out;
}

/** Unix nanoseconds as the decimal string OTLP/JSON uses → milliseconds (float). */
function nanosToMs(value: unknown): number | undefined {
  const text = str(value);
  if (!/^\d+$/.test(text)) return typeof value === 'number' ? value / 1e6 : undefined;
  const whole = text.length > 6 ? Number(text.slice(0, -6)) : 0;
  const fraction = Number(text.slice(-6)) / 1e6;
  return whole + fraction;
}

function secondsToMs(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return value * 1000;
  if (typeof value === 'string') {
    const ms = Date.parse(value);
    return Number.isFinite(ms) ? ms : undefined;
  }
  return undefined;
}

function iso(ms: number): string {
  return new Date(Number.isFinite(ms) ? ms : 0).toISOString();
}

// ---------- traces ----------

interface FlatSpanRow {
  spanId: string;
  parentSpanId: string;
  name: string;
  service: string;
  startMs: number;
  endMs: number;
  error: boolean;
  source: 'otel' | 'sentry';
}

/**
 * The most recent traces of the range, OTel spans and Sentry spans/transactions together (one
 * trace id joins them), plus `focusTraceId` when the page links to a specific trace.
 */
export async function tracesPayload(
  ctx: CollectorContext,
  range: UiRange,
  focusTraceId?: string,
): Promise<{ traces: UiTrace[]; focus?: { traceId: string; found: boolean } }> {
  const since = sqlTime(range.start);
  const recent = await ctx.store.query(`SELECT trace_id, max(dt) AS last FROM (
  SELECT trace_id, dt FROM spans WHERE dt >= ${since} AND trace_id != ''
  UNION ALL
  SELECT trace_id, dt FROM sentry_events WHERE dt >= ${since} AND trace_id != '' AND type IN ('transaction', 'span')
)
GROUP BY trace_id ORDER BY last DESC LIMIT ${TRACE_LIMIT}`);
  const ids = recent.rows.map((row) => str(row.trace_id)).filter((id) => TRACE_ID_PATTERN.test(id));
  const focus = focusTraceId !== undefined && TRACE_ID_PATTERN.test(focusTraceId) ? focusTraceId : undefined;
  if (focus !== undefined && !ids.includes(focus)) ids.unshift(focus);
  if (ids.length === 0) return { traces: [], ...(focus ? { focus: { traceId: focus, found: false } } : {}) };

  const list = ids.map(sqlString).join(', ');
  const [otel, sentry] = await Promise.all([
    ctx.store.query(`SELECT trace_id, span_id, parent_span_id, name, service, status_code,
  JSONExtractString(raw, 'startTimeUnixNano') AS start_ns, JSONExtractString(raw, 'endTimeUnixNano') AS end_ns
FROM spans WHERE trace_id IN (${list}) LIMIT ${SPANS_PER_TRACE_LIMIT} BY trace_id`),
    ctx.store.query(`SELECT trace_id, type, raw FROM sentry_events
WHERE trace_id IN (${list}) AND type IN ('transaction', 'span') LIMIT ${SPANS_PER_TRACE_LIMIT} BY trace_id`),
  ]);

  const byTrace = new Map<string, FlatSpanRow[]>(ids.map((id) => [id, []]));
  for (const row of otel.rows) {
    const startMs = nanosToMs(row.start_ns);
    const endMs = nanosToMs(row.end_ns);
    if (startMs === undefined) continue;
    byTrace.get(str(row.trace_id))?.push({
      spanId: str(row.span_id),
      parentSpanId: str(row.parent_span_id),
      name: str(row.name),
      service: str(row.service),
      startMs,
      endMs: endMs ?? startMs,
      error: Number(row.status_code) === 2,
      source: 'otel',
    });
  }
  for (const row of sentry.rows) {
    const span = sentrySpan(str(row.type), parseRaw(row.raw));
    if (span) byTrace.get(str(row.trace_id))?.push(span);
  }

  const traces = ids
    .map((id) => buildTrace(id, byTrace.get(id) ?? []))
    .filter((trace): trace is UiTrace => trace !== undefined);
  return {
    traces,
    ...(focus ? { focus: { traceId: focus, found: traces.some((trace) => trace.traceId === focus) } } : {}),
  };
}

function sentrySpan(type: string, raw: JsonObject): FlatSpanRow | undefined {
  if (type === 'transaction') {
    const trace = isObject(raw.contexts) && isObject(raw.contexts.trace) ? raw.contexts.trace : {};
    const startMs = secondsToMs(raw.start_timestamp);
    if (startMs === undefined) return undefined;
    const status = str(trace.status);
    return {
      spanId: str(trace.span_id),
      parentSpanId: str(trace.parent_span_id),
      name: str(raw.transaction) || str(trace.op) || 'transaction',
      service: 'sentry',
      startMs,
      endMs: secondsToMs(raw.timestamp) ?? startMs,
      error: status !== '' && status !== 'ok',
      source: 'sentry',
    };
  }
  const startMs = secondsToMs(raw.start_timestamp);
  if (startMs === undefined) return undefined;
  const status = str(raw.status);
  return {
    spanId: str(raw.span_id),
    parentSpanId: str(raw.parent_span_id),
    // v2 streamed spans have `name`; spans inside a transaction have `description` and `op`.
    name: str(raw.name) || str(raw.description) || str(raw.op) || 'span',
    service: 'sentry',
    startMs,
    endMs: secondsToMs(raw.end_timestamp) ?? secondsToMs(raw.timestamp) ?? startMs,
    error: status !== '' && status !== 'ok',
    source: 'sentry',
  };
}

function buildTrace(traceId: string, rows: FlatSpanRow[]): UiTrace | undefined {
  if (rows.length === 0) return undefined;
  // The same span can arrive twice (a Sentry transaction and its streamed span); keep the first.
  const byId = new Map<string, FlatSpanRow>();
  rows.forEach((row, index) => {
    const key = row.spanId || `(no id ${index})`;
    if (!byId.has(key)) byId.set(key, row);
  });
  const spans = [...byId.values()];
  const children = new Map<string, FlatSpanRow[]>();
  const roots: FlatSpanRow[] = [];
  for (const span of spans) {
    // Orphans (parent not stored, e.g. a remote caller) are shown as roots.
    if (span.parentSpanId && span.parentSpanId !== span.spanId && byId.has(span.parentSpanId)) {
      const list = children.get(span.parentSpanId) ?? [];
      list.push(span);
      children.set(span.parentSpanId, list);
    } else {
      roots.push(span);
    }
  }
  const ordered: UiSpan[] = [];
  const visited = new Set<FlatSpanRow>();
  const visit = (span: FlatSpanRow, depth: number): void => {
    if (visited.has(span)) return;
    visited.add(span);
    ordered.push({
      spanId: span.spanId,
      parentSpanId: span.parentSpanId,
      name: String(clip(span.name)),
      service: span.service,
      start: iso(span.startMs),
      durationMs: Math.max(0, span.endMs - span.startMs),
      error: span.error,
      source: span.source,
      depth,
    });
    for (const child of (children.get(span.spanId) ?? []).sort((a, b) => a.startMs - b.startMs)) visit(child, depth + 1);
  };
  roots.sort((a, b) => a.startMs - b.startMs).forEach((root) => visit(root, 0));
  // A parent cycle leaves spans unvisited; show them flat rather than lose them.
  for (const span of spans) visit(span, 0);

  const start = Math.min(...spans.map((span) => span.startMs));
  const end = Math.max(...spans.map((span) => span.endMs));
  const root = roots.sort((a, b) => a.startMs - b.startMs)[0] ?? spans[0];
  return {
    traceId,
    rootName: String(clip(root?.name ?? '')),
    services: [...new Set(spans.map((span) => span.service).filter(Boolean))].sort(),
    start: iso(start),
    durationMs: Math.max(0, end - start),
    spanCount: spans.length,
    error: spans.some((span) => span.error),
    spans: ordered,
  };
}

// ---------- logs ----------

/** Recent OTel log records and Sentry logs, newest first. */
export async function logsPayload(ctx: CollectorContext, range: UiRange): Promise<{ logs: UiLog[] }> {
  const since = sqlTime(range.start);
  const [otel, sentry] = await Promise.all([
    ctx.store.query(`SELECT toUnixTimestamp64Milli(dt) AS t, service, severity_number, severity_text, trace_id, span_id, raw
FROM logs WHERE dt >= ${since} ORDER BY dt DESC LIMIT ${LOG_LIMIT}`),
    ctx.store.query(`SELECT toUnixTimestamp64Milli(dt) AS t, trace_id, span_id, raw
FROM sentry_events WHERE dt >= ${since} AND type = 'log' ORDER BY dt DESC LIMIT ${LOG_LIMIT}`),
  ]);
  const logs: UiLog[] = [];
  for (const row of otel.rows) {
    const raw = parseRaw(row.raw);
    logs.push({
      time: iso(Number(row.t)),
      severity: str(row.severity_text) || severityName(Number(row.severity_number)),
      severityNumber: Number(row.severity_number) || 0,
      body: clip(raw.body),
      attributes: clipAll(raw.attributes),
      traceId: str(row.trace_id),
      spanId: str(row.span_id),
      service: str(row.service),
      source: 'otel',
    });
  }
  for (const row of sentry.rows) {
    const raw = parseRaw(row.raw);
    const attributes = clipAll(raw.attributes, true);
    logs.push({
      time: iso(Number(row.t)),
      severity: str(raw.level),
      severityNumber: Number(raw.severity_number) || sentrySeverityNumber(str(raw.level)),
      body: clip(raw.body),
      attributes,
      traceId: str(row.trace_id),
      spanId: str(row.span_id),
      service: str(attributes['server.address'] ?? ''),
      source: 'sentry',
    });
  }
  logs.sort((a, b) => Date.parse(b.time) - Date.parse(a.time));
  return { logs: logs.slice(0, LOG_LIMIT) };
}

function severityName(number: number): string {
  if (number >= 21) return 'FATAL';
  if (number >= 17) return 'ERROR';
  if (number >= 13) return 'WARN';
  if (number >= 9) return 'INFO';
  if (number >= 5) return 'DEBUG';
  return number > 0 ? 'TRACE' : '';
}

function sentrySeverityNumber(level: string): number {
  return { trace: 1, debug: 5, info: 9, warn: 13, warning: 13, error: 17, fatal: 21 }[level] ?? 0;
}

// ---------- Sentry events ----------

/** Recent Sentry error/message events, newest first. */
export async function sentryPayload(ctx: CollectorContext, range: UiRange): Promise<{ events: UiSentryEvent[] }> {
  const result = await ctx.store.query(`SELECT toUnixTimestamp64Milli(dt) AS t, event_id, trace_id, level, raw
FROM sentry_events WHERE dt >= ${sqlTime(range.start)} AND type = 'event' ORDER BY dt DESC LIMIT ${EVENT_LIMIT}`);
  return {
    events: result.rows.map((row: Row) => {
      const raw = parseRaw(row.raw);
      const exception = lastException(raw.exception);
      const user = isObject(raw.user) ? raw.user : undefined;
      const event: UiSentryEvent = {
        eventId: str(row.event_id),
        time: iso(Number(row.t)),
        level: str(row.level) || str(raw.level) || 'error',
        tags: tagsOf(raw.tags),
        traceId: str(row.trace_id),
      };
      const message = messageOf(raw);
      if (message) event.message = String(clip(message));
      if (exception) event.exception = exception;
      if (user) {
        event.user = {};
        if (user.id !== undefined) event.user.id = String(clip(str(user.id)));
        if (user.email !== undefined) event.user.email = String(clip(str(user.email)));
        if (user.username !== undefined) event.user.username = String(clip(str(user.username)));
      }
      if (typeof raw.transaction === 'string') event.transaction = String(clip(raw.transaction));
      if (typeof raw.environment === 'string') event.environment = raw.environment;
      if (typeof raw.release === 'string') event.release = raw.release;
      return event;
    }),
  };
}

function messageOf(raw: JsonObject): string {
  if (typeof raw.message === 'string') return raw.message;
  if (isObject(raw.message)) return str(raw.message.formatted) || str(raw.message.message);
  if (isObject(raw.logentry)) return str(raw.logentry.formatted) || str(raw.logentry.message);
  return '';
}

/** Sentry lists chained exceptions innermost first; the last one is what was thrown. */
function lastException(exception: unknown): { type?: string; value?: string } | undefined {
  const values = isObject(exception) && Array.isArray(exception.values) ? exception.values : Array.isArray(exception) ? exception : [];
  const last: unknown = values[values.length - 1];
  if (!isObject(last)) return undefined;
  const out: { type?: string; value?: string } = {};
  if (last.type !== undefined) out.type = String(clip(str(last.type)));
  if (last.value !== undefined) out.value = String(clip(str(last.value)));
  return out;
}

/** Tags come as an object or as `[key, value]` pairs. */
function tagsOf(tags: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (Array.isArray(tags)) {
    for (const pair of tags) if (Array.isArray(pair) && pair.length === 2) out[str(pair[0])] = String(clip(str(pair[1])));
  } else if (isObject(tags)) {
    for (const [key, value] of Object.entries(tags)) out[key] = String(clip(str(value)));
  }
  return out;
}
