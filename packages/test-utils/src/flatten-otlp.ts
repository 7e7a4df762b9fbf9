import { attributesToObject } from '@kira/telemetry-wire';
import type { FlatLogRecord, FlatMetric, FlatMetricPoint, FlatSpan } from './types';

/** Every span of a decoded ExportTraceServiceRequest, with its resource and scope inlined. */
export function flattenSpans(request: any): FlatSpan[] {
  const result: FlatSpan[] = [];
  for (const resourceSpans of request?.resourceSpans ?? []) {
    const resource = attributesToObject(resourceSpans.resource?.attributes);
    for (const scopeSpans of resourceSpans.scopeSpans ?? []) {
      const scope = scopeSpans.scope?.name ?? '';
      for (const span of scopeSpans.spans ?? []) {
        const flat: FlatSpan = {
          resource,
          scope,
          traceId: span.traceId ?? '',
          spanId: span.spanId ?? '',
          name: span.name ?? '',
          kind: Number(span.kind ?? 0),
          attributes: attributesToObject(span.attributes),
          status: { code: Number(span.status?.code ?? 0) },
          events: (span.events ?? []).map((event: any) => ({ name: event.name ?? '', attributes: attributesToObject(event.attributes) })),
          startTimeUnixNano: String(span.startTimeUnixNano ?? '0'),
          endTimeUnixNano: String(span.endTimeUnixNano ?? '0'),
        };
        if (span.parentSpanId) flat.parentSpanId = span.parentSpanId;
        if (span.status?.message) flat.status.message = span.status.message;
        result.push(flat);
      }
    }
  }
  return result;
}

/** Every log record of a decoded ExportLogsServiceRequest, with its resource and scope inlined. */
export function flattenLogs(request: any): FlatLogRecord[] {
  const result: FlatLogRecord[] = [];
  for (const resourceLogs of request?.resourceLogs ?? []) {
    const resource = attributesToObject(resourceLogs.resource?.attributes);
    for (const scopeLogs of resourceLogs.scopeLogs ?? []) {
      const scope = scopeLogs.scope?.name ?? '';
      for (const logRecord of scopeLogs.logRecords ?? []) {
        const flat: FlatLogRecord = {
          resource,
          scope,
          severityNumber: Number(logRecord.severityNumber ?? 0),
          body: anyValueOrUndefined(logRecord.body),
          attributes: attributesToObject(logRecord.attributes),
          timeUnixNano: String(logRecord.timeUnixNano ?? logRecord.observedTimeUnixNano ?? '0'),
        };
        if (logRecord.severityText) flat.severityText = logRecord.severityText;
        if (logRecord.traceId) flat.traceId = logRecord.traceId;
        if (logRecord.spanId) flat.spanId = logRecord.spanId;
        result.push(flat);
      }
    }
  }
  return result;
}

/** Every metric of a decoded ExportMetricsServiceRequest, with its points simplified. */
export function flattenMetrics(request: any): FlatMetric[] {
  const result: FlatMetric[] = [];
  for (const resourceMetrics of request?.resourceMetrics ?? []) {
    const resource = attributesToObject(resourceMetrics.resource?.attributes);
    for (const scopeMetrics of resourceMetrics.scopeMetrics ?? []) {
      const scope = scopeMetrics.scope?.name ?? '';
      for (const metric of scopeMetrics.metrics ?? []) {
        const type = metricType(metric);
        if (!type) continue;
        const data = metric[type];
        const flat: FlatMetric = {
          resource,
          scope,
          name: metric.name ?? '',
          unit: metric.unit ?? '',
          description: metric.description ?? '',
          type,
          points: (data.dataPoints ?? []).map((point: any) => flattenPoint(type, point)),
        };
        if (data.isMonotonic !== undefined || type === 'sum') flat.isMonotonic = Boolean(data.isMonotonic);
        if (data.aggregationTemporality !== undefined) flat.aggregationTemporality = Number(data.aggregationTemporality);
        result.push(flat);
      }
    }
  }
  return result;
}

function anyValueOrUndefined(value: any): unknown {
  if (value === undefined || value === null) return undefined;
  return attributesToObject([{ key: 'v', value }]).v;
}

function metricType(metric: any): FlatMetric['type'] | undefined {
  for (const type of ['gauge', 'sum', 'histogram', 'exponentialHistogram', 'summary'] as const) {
    if (metric[type] !== undefined && metric[type] !== null) return type;
  }
  return undefined;
}

function flattenPoint(type: FlatMetric['type'], point: any): FlatMetricPoint {
  const flat: FlatMetricPoint = {
    attributes: attributesToObject(point.attributes),
    startTimeUnixNano: String(point.startTimeUnixNano ?? '0'),
    timeUnixNano: String(point.timeUnixNano ?? '0'),
  };
  if (type === 'gauge' || type === 'sum') {
    const raw = point.asDouble ?? point.asInt;
    if (raw !== undefined) flat.value = Number(raw);
    return flat;
  }
  flat.count = Number(point.count ?? 0);
  if (point.sum !== undefined) flat.sum = Number(point.sum);
  if (point.min !== undefined) flat.min = Number(point.min);
  if (point.max !== undefined) flat.max = Number(point.max);
  if (type === 'histogram') {
    flat.bucketCounts = (point.bucketCounts ?? []).map(Number);
    flat.explicitBounds = (point.explicitBounds ?? []).map(Number);
  }
  return flat;
}
