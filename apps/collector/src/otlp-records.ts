import { attributesToObject, anyValueToJs } from '@kira/telemetry-wire';
import { dtFromUnixNanos, type MetricPointInput, type TagValue } from '@kira/dashboards/schema';

/** Rows (or points) made from one OTLP request, and what was refused with why. */
export interface Converted<T> {
  items: T[];
  rejected: number;
  errors: string[];
}

/** A decoded OTLP/JSON object: every field is read with a check, since any client can send anything. */
type Json = Record<string, unknown>;

const HEX_TRACE_ID = /^[0-9a-f]{32}$/;
const HEX_SPAN_ID = /^[0-9a-f]{16}$/;
const ZERO_TRACE_ID = '0'.repeat(32);
const ZERO_SPAN_ID = '0'.repeat(16);

function isJson(value: unknown): value is Json {
  return value !== null && typeof value === 'object';
}

/** The object at `value`, or an empty one when the field is missing or not an object. */
function object(value: unknown): Json {
  return isJson(value) ? value : {};
}

function list(value: unknown): Json[] {
  return Array.isArray(value) ? (value as unknown[]).filter(isJson) : [];
}

/** OTLP/JSON carries fixed64 as decimal strings or numbers; keep digits only. */
function nanos(value: unknown): string | undefined {
  if (typeof value === 'string' && /^\d+$/.test(value)) return value.replace(/^0+(?=\d)/, '');
  if (typeof value === 'number' && Number.isFinite(value) && value >= 0) return BigInt(Math.trunc(value)).toString();
  return undefined;
}

function nanosToMillis(value: string | undefined): number | undefined {
  if (value === undefined || value === '0') return undefined;
  return Number(BigInt(value) / 1_000_000n) + Number(BigInt(value) % 1_000_000n) / 1_000_000;
}

/** A field OTLP defines as a string; anything else a client sent is kept as its JSON text. */
function text(value: unknown): string {
  return typeof value === 'string' ? value : (JSON.stringify(value) ?? '');
}

function lowerHex(value: unknown): string {
  return typeof value === 'string' ? value.toLowerCase() : '';
}

function pushError(errors: string[], message: string): void {
  if (errors.length < 5 && !errors.includes(message)) errors.push(message);
}

function scopeOf(scope: unknown): { name: string; version?: string } {
  const value = object(scope);
  return {
    name: typeof value.name === 'string' ? value.name : '',
    ...(typeof value.version === 'string' && value.version !== '' ? { version: value.version } : {}),
  };
}

/**
 * `spans` rows from an ExportTraceServiceRequest (OTLP/JSON shape). `raw` is the span as OTLP/JSON
 * with attribute lists flattened to objects, plus its `resource` attributes and `scope`.
 * Spans without a valid trace id, span id or start time are rejected.
 */
export function spansToRows(request: Json): Converted<Record<string, unknown>> {
  const result: Converted<Record<string, unknown>> = { items: [], rejected: 0, errors: [] };
  for (const resourceSpans of list(request.resourceSpans)) {
    const resource = attributesToObject(object(resourceSpans.resource).attributes);
    const service = typeof resource['service.name'] === 'string' ? resource['service.name'] : '';
    for (const scopeSpans of list(resourceSpans.scopeSpans)) {
      const scope = scopeOf(scopeSpans.scope);
      for (const span of list(scopeSpans.spans)) {
        const traceId = lowerHex(span.traceId);
        const spanId = lowerHex(span.spanId);
        const start = nanos(span.startTimeUnixNano);
        const end = nanos(span.endTimeUnixNano) ?? start;
        if (!HEX_TRACE_ID.test(traceId) || traceId === ZERO_TRACE_ID || !HEX_SPAN_ID.test(spanId) || spanId === ZERO_SPAN_ID) {
          result.rejected += 1;
          pushError(result.errors, 'span with an invalid trace or span id');
          continue;
        }
        if (start === undefined || start === '0') {
          result.rejected += 1;
          pushError(result.errors, 'span without startTimeUnixNano');
          continue;
        }
        const parentSpanId = lowerHex(span.parentSpanId);
        // Enums arrive as numbers: decodeOtlpRequest turns names (`SPAN_KIND_SERVER`) into them.
        const kind = Number(span.kind ?? 0) || 0;
        const spanStatus = object(span.status);
        const status = { code: Number(spanStatus.code ?? 0) || 0, ...(spanStatus.message ? { message: text(spanStatus.message) } : {}) };
        const raw = {
          traceId,
          spanId,
          ...(parentSpanId ? { parentSpanId } : {}),
          ...(span.traceState ? { traceState: text(span.traceState) } : {}),
          name: typeof span.name === 'string' ? span.name : '',
          kind,
          startTimeUnixNano: start,
          endTimeUnixNano: end,
          attributes: attributesToObject(span.attributes),
          ...(span.droppedAttributesCount ? { droppedAttributesCount: Number(span.droppedAttributesCount) } : {}),
          events: list(span.events).map((event) => ({
            timeUnixNano: nanos(event.timeUnixNano) ?? start,
            name: typeof event.name === 'string' ? event.name : '',
            attributes: attributesToObject(event.attributes),
          })),
          links: list(span.links).map((link) => ({
            traceId: lowerHex(link.traceId),
            spanId: lowerHex(link.spanId),
            attributes: attributesToObject(link.attributes),
          })),
          status,
          ...(span.flags !== undefined ? { flags: Number(span.flags) } : {}),
          resource,
          scope,
        };
        const durationMs = end === undefined ? 0 : Number(BigInt(end) - BigInt(start)) / 1e6;
        result.items.push({
          dt: dtFromUnixNanos(start),
          // An object, not a string: the store writes it once as JSON and ClickHouse keeps the
          // text as the String column (escaping a pre-serialized string would cost twice).
          raw,
          trace_id: traceId,
          span_id: spanId,
          parent_span_id: parentSpanId,
          name: raw.name,
          kind,
          service,
          duration_ms: durationMs,
          status_code: status.code,
        });
      }
    }
  }
  return result;
}

/**
 * `logs` rows from an ExportLogsServiceRequest. `raw` is the record as OTLP/JSON with `body` and
 * attributes as plain values, plus `resource` and `scope`. `dt` is the record's time, else its
 * observed time, else now.
 */
export function logsToRows(request: Json, now: () => number = Date.now): Converted<Record<string, unknown>> {
  const result: Converted<Record<string, unknown>> = { items: [], rejected: 0, errors: [] };
  for (const resourceLogs of list(request.resourceLogs)) {
    const resource = attributesToObject(object(resourceLogs.resource).attributes);
    const service = typeof resource['service.name'] === 'string' ? resource['service.name'] : '';
    for (const scopeLogs of list(resourceLogs.scopeLogs)) {
      const scope = scopeOf(scopeLogs.scope);
      for (const record of list(scopeLogs.logRecords)) {
        const traceId = lowerHex(record.traceId);
        const spanId = lowerHex(record.spanId);
        if ((traceId !== '' && !HEX_TRACE_ID.test(traceId)) || (spanId !== '' && !HEX_SPAN_ID.test(spanId))) {
          result.rejected += 1;
          pushError(result.errors, 'log record with an invalid trace or span id');
          continue;
        }
        const time = nanos(record.timeUnixNano);
        const observed = nanos(record.observedTimeUnixNano);
        const dtNanos = time && time !== '0' ? time : observed && observed !== '0' ? observed : `${BigInt(now()) * 1_000_000n}`;
        const severityNumber = Math.min(255, Math.max(0, Number(record.severityNumber ?? 0) || 0));
        const severityText = typeof record.severityText === 'string' ? record.severityText : '';
        const raw = {
          timeUnixNano: time ?? '0',
          observedTimeUnixNano: observed ?? '0',
          severityNumber,
          ...(severityText ? { severityText } : {}),
          body: anyValueToJs(record.body) ?? null,
          attributes: attributesToObject(record.attributes),
          ...(record.eventName ? { eventName: text(record.eventName) } : {}),
          ...(traceId ? { traceId } : {}),
          ...(spanId ? { spanId } : {}),
          ...(record.flags !== undefined ? { flags: Number(record.flags) } : {}),
          resource,
          scope,
        };
        result.items.push({
          dt: dtFromUnixNanos(dtNanos),
          raw,
          trace_id: traceId,
          span_id: spanId,
          service,
          severity_number: severityNumber,
          severity_text: severityText,
        });
      }
    }
  }
  return result;
}

function tagValue(value: unknown): TagValue | undefined {
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  if (value === undefined || value === null) return undefined;
  return JSON.stringify(value);
}

function tagsOf(resource: Record<string, unknown>, attributes: Record<string, unknown>): Record<string, TagValue> {
  const tags: Record<string, TagValue> = {};
  for (const source of [resource, attributes]) {
    for (const key of Object.keys(source)) {
      const value = tagValue(source[key]);
      if (value !== undefined) tags[key] = value;
    }
  }
  return tags;
}

function numberValue(point: Json): number | undefined {
  if (point.asDouble !== undefined) return Number(point.asDouble);
  if (point.asInt !== undefined) return Number(point.asInt);
  return undefined;
}

const NO_RECORDED_VALUE = 1;

/**
 * Metric points from an ExportMetricsServiceRequest: gauges, sums and explicit-bucket histograms.
 * Exponential histograms and summaries are not stored: their points are counted as rejected and
 * named in the error, never dropped silently. Tags are the resource attributes overlaid with the
 * point attributes.
 */
export function metricsToPoints(request: Json): Converted<MetricPointInput> {
  const result: Converted<MetricPointInput> = { items: [], rejected: 0, errors: [] };
  for (const resourceMetrics of list(request.resourceMetrics)) {
    const resource = attributesToObject(object(resourceMetrics.resource).attributes);
    for (const scopeMetrics of list(resourceMetrics.scopeMetrics)) {
      for (const metric of list(scopeMetrics.metrics)) {
        const name = typeof metric.name === 'string' ? metric.name : '';
        const unsupported = metric.exponentialHistogram ? 'exponential histogram' : metric.summary ? 'summary' : undefined;
        if (unsupported) {
          const count = list(object(metric.exponentialHistogram ?? metric.summary).dataPoints).length;
          result.rejected += count;
          pushError(result.errors, `${unsupported} metrics are not supported (${name})`);
          continue;
        }
        const kind = metric.gauge ? 'gauge' : metric.sum ? 'sum' : metric.histogram ? 'histogram' : undefined;
        const data = kind === undefined ? undefined : object(metric[kind]);
        if (!data || !kind) {
          pushError(result.errors, `metric ${name || '(unnamed)'} has no data`);
          continue;
        }
        if (name === '') {
          result.rejected += list(data.dataPoints).length;
          pushError(result.errors, 'metric without a name');
          continue;
        }
        const temporality = Number(data.aggregationTemporality) === 1 ? 'delta' : 'cumulative';
        for (const point of list(data.dataPoints)) {
          if ((Number(point.flags ?? 0) & NO_RECORDED_VALUE) !== 0) {
            result.rejected += 1;
            pushError(result.errors, `point of ${name} has no recorded value`);
            continue;
          }
          const time = nanosToMillis(nanos(point.timeUnixNano));
          if (time === undefined) {
            result.rejected += 1;
            pushError(result.errors, `point of ${name} without timeUnixNano`);
            continue;
          }
          const startTime = nanosToMillis(nanos(point.startTimeUnixNano));
          const tags = tagsOf(resource, attributesToObject(point.attributes));
          const base = { name, tags, time, ...(startTime !== undefined ? { startTime } : {}) };
          if (kind === 'histogram') {
            const bounds = (Array.isArray(point.explicitBounds) ? (point.explicitBounds as unknown[]) : []).map(Number);
            let bucketCounts = (Array.isArray(point.bucketCounts) ? (point.bucketCounts as unknown[]) : []).map(Number);
            // OTLP allows a histogram with no buckets at all: one +Inf bucket holding the count.
            if (bounds.length === 0 && bucketCounts.length === 0) bucketCounts = [Number(point.count ?? 0)];
            result.items.push({
              ...base,
              kind,
              temporality,
              bounds,
              bucketCounts,
              ...(point.sum !== undefined ? { sum: Number(point.sum) } : {}),
              ...(point.count !== undefined ? { count: Number(point.count) } : {}),
              ...(point.min !== undefined ? { min: Number(point.min) } : {}),
              ...(point.max !== undefined ? { max: Number(point.max) } : {}),
            });
          } else {
            const value = numberValue(point);
            if (value === undefined || !Number.isFinite(value)) {
              result.rejected += 1;
              pushError(result.errors, `point of ${name} without a finite value`);
              continue;
            }
            result.items.push({
              ...base,
              kind,
              value,
              ...(kind === 'sum' ? { temporality, monotonic: data.isMonotonic === true } : {}),
            });
          }
        }
      }
    }
  }
  return result;
}
