import { SpanKind, context, trace } from '@opentelemetry/api';
import { JsonTraceSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { describe, expect, it } from 'vitest';
import { anyValueToJs, attributesToObject } from './any-value-to-js';
import { decodeOtlpRequest } from './decode-otlp-request';
import { encodeOtlpResponse, encodeOtlpStatus } from './encode-otlp-response';
import { OtlpDecodeError } from './otlp-decode-error';
import { otlpEnumValues } from './otlp-enums';
import { otlpTypes } from './otlp-proto-root';

describe('decodeOtlpRequest', () => {
  it('gives the same OTLP/JSON shape for protobuf and JSON bodies of the same spans', async () => {
    // The bodies come from the serializers the OTLP http/protobuf and http/json exporters send with.
    const exporter = new InMemorySpanExporter();
    const provider = new TracerProvider({ resource: resourceFromAttributes({ 'service.name': 'wire-test' }), spanProcessors: [new SimpleSpanProcessor({ exporter })] });
    const tracer = provider.getTracer('same', '1.0.0');
    const parent = tracer.startSpan('parent', { kind: SpanKind.PRODUCER, attributes: { big: 2 ** 40, negative: -5, text: 'x', list: [1, 2], flags: [true, false] } });
    const child = tracer.startSpan('child', { links: [{ context: parent.spanContext(), attributes: { why: 'fan-out' } }] }, trace.setSpan(context.active(), parent));
    child.end();
    parent.end();
    const spans = exporter.getFinishedSpans();
    // The decoded request is wire data: the test reads it as such.
    const fromProtobuf: any = decodeOtlpRequest('traces', ProtobufTraceSerializer.serializeRequest(spans)!, 'application/x-protobuf');
    const fromJson = decodeOtlpRequest('traces', JsonTraceSerializer.serializeRequest(spans)!, 'application/json');
    await provider.shutdown();

    const flatten = (request: any) =>
      request.resourceSpans[0].scopeSpans[0].spans.map((span: any) => ({
        name: span.name,
        kind: Number(span.kind),
        traceId: span.traceId,
        spanId: span.spanId,
        parentSpanId: span.parentSpanId || undefined,
        attributes: attributesToObject(span.attributes),
        links: (span.links ?? []).map((link: any) => ({ traceId: link.traceId, spanId: link.spanId, attributes: attributesToObject(link.attributes) })),
        start: String(span.startTimeUnixNano),
      }));
    expect(flatten(fromProtobuf)).toHaveLength(2);
    expect(flatten(fromProtobuf)).toEqual(flatten(fromJson));
    const protobufSpans = flatten(fromProtobuf);
    const flatParent = protobufSpans.find((span: any) => span.name === 'parent');
    expect(flatParent.kind).toBe(4);
    expect(flatParent.attributes).toEqual({ big: 2 ** 40, negative: -5, text: 'x', list: [1, 2], flags: [true, false] });
    const protobufChild = protobufSpans.find((span: any) => span.name === 'child');
    expect(protobufChild.parentSpanId).toBe(parent.spanContext().spanId);
    expect(protobufChild.links[0]).toEqual({ traceId: parent.spanContext().traceId, spanId: parent.spanContext().spanId, attributes: { why: 'fan-out' } });
    expect(fromProtobuf.resourceSpans[0].scopeSpans[0].scope).toEqual({ name: 'same', version: '1.0.0' });
    expect(attributesToObject(fromProtobuf.resourceSpans[0].resource.attributes)['service.name']).toBe('wire-test');
  });

  it('refuses other content types (415) and malformed bodies (400) with a typed error', () => {
    const reasonOf = (call: () => unknown) => {
      try {
        call();
      } catch (error) {
        expect(error).toBeInstanceOf(OtlpDecodeError);
        return (error as OtlpDecodeError).reason;
      }
      throw new Error('expected an OtlpDecodeError');
    };
    expect(reasonOf(() => decodeOtlpRequest('traces', Buffer.from('{}'), 'text/plain'))).toBe('unsupported-content-type');
    expect(reasonOf(() => decodeOtlpRequest('traces', Buffer.from('{'), 'application/json'))).toBe('malformed');
    expect(reasonOf(() => decodeOtlpRequest('traces', Buffer.from('{"resourceSpans":{}}'), 'application/json'))).toBe('malformed');
    expect(reasonOf(() => decodeOtlpRequest('traces', Buffer.from([0xff, 0xff, 0xff]), 'application/x-protobuf'))).toBe('malformed');
  });

  it('reads OTLP/JSON enums given by proto name or as integer strings as their numbers, and refuses unknown names naming the field', () => {
    const json = (request: unknown) => Buffer.from(JSON.stringify(request));
    const spans: any = decodeOtlpRequest(
      'traces',
      json({ resourceSpans: [{ scopeSpans: [{ spans: [{ kind: 'SPAN_KIND_CONSUMER', status: { code: 'STATUS_CODE_ERROR' } }, { kind: '3', status: { code: null } }, { kind: 7 }] }] }] }),
      'application/json',
    );
    expect(spans.resourceSpans[0].scopeSpans[0].spans).toEqual([{ kind: 5, status: { code: 2 } }, { kind: 3, status: { code: null } }, { kind: 7 }]);
    const logs: any = decodeOtlpRequest('logs', json({ resourceLogs: [{ scopeLogs: [{ logRecords: [{ severityNumber: 'SEVERITY_NUMBER_WARN3' }] }] }] }), 'application/json');
    expect(logs.resourceLogs[0].scopeLogs[0].logRecords[0].severityNumber).toBe(15);
    const metrics: any = decodeOtlpRequest(
      'metrics',
      json({ resourceMetrics: [{ scopeMetrics: [{ metrics: [{ sum: { aggregationTemporality: 'AGGREGATION_TEMPORALITY_DELTA' } }, { histogram: { aggregationTemporality: 'AGGREGATION_TEMPORALITY_CUMULATIVE' } }] }] }] }),
      'application/json',
    );
    expect(metrics.resourceMetrics[0].scopeMetrics[0].metrics).toEqual([{ sum: { aggregationTemporality: 1 } }, { histogram: { aggregationTemporality: 2 } }]);

    const refusal = (signal: 'traces' | 'logs', request: unknown) => {
      try {
        decodeOtlpRequest(signal, json(request), 'application/json');
      } catch (error) {
        expect(error).toBeInstanceOf(OtlpDecodeError);
        expect((error as OtlpDecodeError).reason).toBe('malformed');
        return (error as Error).message;
      }
      throw new Error('expected an OtlpDecodeError');
    };
    expect(refusal('traces', { resourceSpans: [{}, { scopeSpans: [{ spans: [{}, { kind: 'SERVER' }] }] }] })).toBe(
      'resourceSpans[1].scopeSpans[0].spans[1].kind: "SERVER" is no SpanKind: give a number or one of SPAN_KIND_UNSPECIFIED, SPAN_KIND_INTERNAL, SPAN_KIND_SERVER, SPAN_KIND_CLIENT, SPAN_KIND_PRODUCER, SPAN_KIND_CONSUMER',
    );
    expect(refusal('traces', { resourceSpans: [{ scopeSpans: [{ spans: [{ status: { code: true } }] }] }] })).toMatch(/^resourceSpans\[0\]\.scopeSpans\[0\]\.spans\[0\]\.status\.code: true is no StatusCode: /);
    // Names are matched exactly, as the protobuf JSON mapping and the Go collector do.
    expect(refusal('logs', { resourceLogs: [{ scopeLogs: [{ logRecords: [{ severityNumber: 'severity_number_warn' }] }] }] })).toMatch(/"severity_number_warn" is no SeverityNumber/);
    // Names for fields that hold none (a method name, `toString`) are unknown names like any other.
    expect(refusal('traces', { resourceSpans: [{ scopeSpans: [{ spans: [{ kind: 'toString' }] }] }] })).toMatch(/"toString" is no SpanKind/);
  });

  // The protobuf JSON mapping has parsers accept the proto field names too, as the Go collector does.
  describe('OTLP/JSON bodies that use the proto field names', () => {
    const json = (request: unknown) => Buffer.from(JSON.stringify(request));
    /** The request with every object key (never a value) in proto spelling: `startTimeUnixNano` → `start_time_unix_nano`. */
    const protoNames = (value: unknown): unknown => {
      if (Array.isArray(value)) return value.map(protoNames);
      if (value === null || typeof value !== 'object') return value;
      return Object.fromEntries(Object.entries(value).map(([key, field]) => [key.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`), protoNames(field)]));
    };

    it('decodes spans from the http/json exporter\'s serializer the same in proto field names', async () => {
      const exporter = new InMemorySpanExporter();
      const provider = new TracerProvider({ resource: resourceFromAttributes({ 'service.name': 'wire-test', user_id: 'trace_id' }), spanProcessors: [new SimpleSpanProcessor({ exporter })] });
      const tracer = provider.getTracer('proto-names', '1.0.0');
      const parent = tracer.startSpan('parent', { kind: SpanKind.SERVER, attributes: { start_time_unix_nano: 'span_id', 'http.request.method': 'GET', count: 3 } });
      parent.addEvent('retry_scheduled', { retry_count: 1 });
      parent.setStatus({ code: 2, message: 'parent_span_id' });
      const child = tracer.startSpan('child', { links: [{ context: parent.spanContext(), attributes: { why_linked: 'fan_out' } }] }, trace.setSpan(context.active(), parent));
      child.end();
      parent.end();
      const camelCase = JSON.parse(Buffer.from(JsonTraceSerializer.serializeRequest(exporter.getFinishedSpans())!).toString());
      await provider.shutdown();
      const protoSpelled = protoNames(camelCase);
      const text = JSON.stringify(protoSpelled);
      for (const key of ['resource_spans', 'scope_spans', 'trace_id', 'parent_span_id', 'start_time_unix_nano', 'time_unix_nano', 'string_value', 'int_value', 'dropped_attributes_count']) expect(text).toContain(`"${key}":`);

      const decoded: any = decodeOtlpRequest('traces', json(protoSpelled), 'application/json');
      expect(decoded).toEqual(decodeOtlpRequest('traces', json(camelCase), 'application/json'));
      const [fromParent, fromChild] = ['parent', 'child'].map((name) => decoded.resourceSpans[0].scopeSpans[0].spans.find((span: any) => span.name === name));
      expect(fromChild.parentSpanId).toBe(parent.spanContext().spanId);
      expect(fromChild.links[0]).toMatchObject({ traceId: parent.spanContext().traceId, spanId: parent.spanContext().spanId });
      expect(fromChild.links[0].attributes).toEqual([{ key: 'why_linked', value: { stringValue: 'fan_out' } }]);
      expect(fromParent).toMatchObject({ traceId: parent.spanContext().traceId, kind: 2, status: { code: 2, message: 'parent_span_id' } });
      expect(attributesToObject(fromParent.attributes)).toEqual({ start_time_unix_nano: 'span_id', 'http.request.method': 'GET', count: 3 });
      expect(fromParent.events[0]).toMatchObject({ name: 'retry_scheduled', attributes: [{ key: 'retry_count', value: { intValue: 1 } }] });
      expect(attributesToObject(decoded.resourceSpans[0].resource.attributes)).toMatchObject({ 'service.name': 'wire-test', user_id: 'trace_id' });
    });

    it('decodes log records and every kind of metric the same in proto field names, enums by name included', () => {
      const logs = {
        resourceLogs: [
          {
            resource: { attributes: [{ key: 'service.name', value: { stringValue: 'wire-test' } }], droppedAttributesCount: 1 },
            schemaUrl: 'https://opentelemetry.io/schemas/1.26.0',
            scopeLogs: [
              {
                scope: { name: 'proto-names', version: '1', attributes: [] },
                logRecords: [
                  {
                    timeUnixNano: '1767225600000000001',
                    observedTimeUnixNano: '1767225600000000002',
                    severityNumber: 'SEVERITY_NUMBER_WARN',
                    severityText: 'warn',
                    eventName: 'user_signed_in',
                    body: { kvlistValue: { values: [{ key: 'user_id', value: { arrayValue: { values: [{ bytesValue: 'aGk=' }, { doubleValue: 1.5 }, { boolValue: true }] } } }] } },
                    attributes: [{ key: 'log_records', value: { stringValue: 'resource_logs' } }],
                    traceId: 'ab'.repeat(16),
                    spanId: 'cd'.repeat(8),
                    flags: 1,
                  },
                ],
              },
            ],
          },
        ],
      };
      const point = { attributes: [{ key: 'data_points', value: { intValue: '2' } }], startTimeUnixNano: '1767225600000000000', timeUnixNano: '1767225610000000000' };
      const exemplar = { filteredAttributes: [{ key: 'as_double', value: { stringValue: 'x' } }], timeUnixNano: '1767225605000000000', asDouble: 4, spanId: 'cd'.repeat(8), traceId: 'ab'.repeat(16) };
      const metrics = {
        resourceMetrics: [
          {
            scopeMetrics: [
              {
                metrics: [
                  { name: 'queue_depth', gauge: { dataPoints: [{ ...point, asInt: '7', exemplars: [exemplar] }] } },
                  { name: 'requests_total', unit: '1', sum: { aggregationTemporality: 'AGGREGATION_TEMPORALITY_DELTA', isMonotonic: true, dataPoints: [{ ...point, asDouble: 3.5 }] } },
                  { name: 'duration_ms', histogram: { aggregationTemporality: 2, dataPoints: [{ ...point, count: '3', sum: 12, bucketCounts: ['1', '2'], explicitBounds: [10], min: 1, max: 9 }] } },
                  {
                    name: 'latency_exp',
                    exponentialHistogram: {
                      aggregationTemporality: 'AGGREGATION_TEMPORALITY_CUMULATIVE',
                      dataPoints: [{ ...point, count: '4', scale: 2, zeroCount: '1', zeroThreshold: 0.001, positive: { offset: -1, bucketCounts: ['2'] }, negative: { offset: 0, bucketCounts: ['1'] } }],
                    },
                  },
                  { name: 'rpc_summary', summary: { dataPoints: [{ ...point, count: '2', sum: 3, quantileValues: [{ quantile: 0.5, value: 1 }] }] } },
                ],
              },
            ],
          },
        ],
      };
      const decodedLogs: any = decodeOtlpRequest('logs', json(protoNames(logs)), 'application/json');
      expect(decodedLogs).toEqual(decodeOtlpRequest('logs', json(logs), 'application/json'));
      const record = decodedLogs.resourceLogs[0].scopeLogs[0].logRecords[0];
      expect(record).toMatchObject({ observedTimeUnixNano: '1767225600000000002', severityNumber: 13, eventName: 'user_signed_in', traceId: 'ab'.repeat(16), spanId: 'cd'.repeat(8) });
      expect(anyValueToJs(record.body)).toEqual({ user_id: [Buffer.from('hi').toString('base64'), 1.5, true] });

      const decodedMetrics: any = decodeOtlpRequest('metrics', json(protoNames(metrics)), 'application/json');
      expect(decodedMetrics).toEqual(decodeOtlpRequest('metrics', json(metrics), 'application/json'));
      const [gauge, sum, histogram, exponential, summary] = decodedMetrics.resourceMetrics[0].scopeMetrics[0].metrics;
      expect(gauge.gauge.dataPoints[0]).toMatchObject({ asInt: '7', timeUnixNano: '1767225610000000000', exemplars: [{ asDouble: 4, spanId: 'cd'.repeat(8) }] });
      expect(sum.sum).toMatchObject({ aggregationTemporality: 1, isMonotonic: true, dataPoints: [{ asDouble: 3.5 }] });
      expect(histogram.histogram.dataPoints[0]).toMatchObject({ bucketCounts: ['1', '2'], explicitBounds: [10] });
      expect(exponential.exponentialHistogram).toMatchObject({ aggregationTemporality: 2, dataPoints: [{ zeroCount: '1', zeroThreshold: 0.001, positive: { bucketCounts: ['2'] } }] });
      expect(summary.summary.dataPoints[0].quantileValues).toEqual([{ quantile: 0.5, value: 1 }]);
    });

    it('renames keys only: values, attribute keys, unknown keys and keys that are no field stay as written', () => {
      const body = {
        resource_spans: [
          {
            resource: { attributes: [{ key: 'resource_spans', value: { kvlist_value: { values: [{ key: 'trace_id', value: { string_value: '{"span_id": "x", "time_unix_nano": 1}' } }] } } }] },
            scope_spans: [{ spans: [{ trace_id: 'ab'.repeat(16), span_id: 'cd'.repeat(8), name: 'start_time_unix_nano', vendor_extension_field: 'kept', TRACE_STATE: 'kept' }] }],
          },
        ],
      };
      const decoded: any = decodeOtlpRequest('traces', json(body), 'application/json');
      expect(decoded).toEqual({
        resourceSpans: [
          {
            resource: { attributes: [{ key: 'resource_spans', value: { kvlistValue: { values: [{ key: 'trace_id', value: { stringValue: '{"span_id": "x", "time_unix_nano": 1}' } }] } } }] },
            // Names the protos do not define (another case included) are unknown fields, kept as they are.
            scopeSpans: [{ spans: [{ traceId: 'ab'.repeat(16), spanId: 'cd'.repeat(8), name: 'start_time_unix_nano', vendor_extension_field: 'kept', TRACE_STATE: 'kept' }] }],
          },
        ],
      });
    });

    it('takes the later of two spellings of one field, keeps the fields in their order, and reads escaped keys', () => {
      const spans = (text: string): any[] => (decodeOtlpRequest('traces', Buffer.from(`{"resource_spans":[{"scope_spans":[{"spans":[${text}]}]}]}`), 'application/json') as any).resourceSpans[0].scopeSpans[0].spans;
      const [first, second] = spans(`{"name":"a","span_id":"${'1'.repeat(16)}","spanId":"${'2'.repeat(16)}","kind":1},{"spanId":"${'2'.repeat(16)}","name":"b","span_id":"${'1'.repeat(16)}"}`);
      expect(first).toEqual({ name: 'a', spanId: '2'.repeat(16), kind: 1 });
      expect(Object.keys(first)).toEqual(['name', 'spanId', 'kind']);
      expect(second).toEqual({ spanId: '1'.repeat(16), name: 'b' });
      // `\u005f` is `_`: JSON.parse reads the key as `span_id`, in a body with no other proto name.
      const escaped: any = decodeOtlpRequest('traces', Buffer.from(String.raw`{"resourceSpans":[{"scopeSpans":[{"spans":[{"span\u005Fid":"${'cd'.repeat(8)}","\u006eame":"escaped"}]}]}]}`), 'application/json');
      expect(escaped.resourceSpans[0].scopeSpans[0].spans).toEqual([{ spanId: 'cd'.repeat(8), name: 'escaped' }]);
    });

    it('keeps a "__proto__" key a key, walks bodies nested deeper than the call stack, and scans long texts in linear time', () => {
      const [withProtoKey]: any[] = (decodeOtlpRequest('traces', Buffer.from('{"resource_spans":[{"__proto__":{"polluted":true},"scope_spans":[]}]}'), 'application/json') as any).resourceSpans;
      expect(Object.getPrototypeOf(withProtoKey)).toBe(Object.prototype);
      expect(withProtoKey.polluted).toBeUndefined();
      expect(Object.keys(withProtoKey)).toEqual(['__proto__', 'scopeSpans']);
      const depth = 100_000;
      const deep: any = decodeOtlpRequest('traces', Buffer.from(`{"resource_spans":[${'{"scope_spans":['.repeat(depth)}${']}'.repeat(depth)}]}`), 'application/json');
      expect(Object.keys(deep.resourceSpans[0])).toEqual(['scopeSpans']);
      // The check for proto names is linear: a scan from each underscore would take quadratic time
      // (tens of seconds for this value); a few milliseconds here.
      const underscores = '_'.repeat(200_000);
      const started = performance.now();
      const long: any = decodeOtlpRequest('traces', json({ resourceSpans: [{ scopeSpans: [{ spans: [{ name: underscores }] }] }] }), 'application/json');
      expect(performance.now() - started).toBeLessThan(2_000);
      expect(long.resourceSpans[0].scopeSpans[0].spans[0].name).toBe(underscores);
    });
  });

  it('takes the enum names and numbers from the OTLP protos', () => {
    expect(otlpEnumValues('SpanKind')).toEqual({ SPAN_KIND_UNSPECIFIED: 0, SPAN_KIND_INTERNAL: 1, SPAN_KIND_SERVER: 2, SPAN_KIND_CLIENT: 3, SPAN_KIND_PRODUCER: 4, SPAN_KIND_CONSUMER: 5 });
    expect(otlpEnumValues('StatusCode')).toEqual({ STATUS_CODE_UNSET: 0, STATUS_CODE_OK: 1, STATUS_CODE_ERROR: 2 });
    expect(otlpEnumValues('AggregationTemporality')).toEqual({ AGGREGATION_TEMPORALITY_UNSPECIFIED: 0, AGGREGATION_TEMPORALITY_DELTA: 1, AGGREGATION_TEMPORALITY_CUMULATIVE: 2 });
    const severity = otlpEnumValues('SeverityNumber');
    expect(Object.keys(severity)).toHaveLength(25);
    expect([severity.SEVERITY_NUMBER_UNSPECIFIED, severity.SEVERITY_NUMBER_TRACE, severity.SEVERITY_NUMBER_WARN, severity.SEVERITY_NUMBER_FATAL4]).toEqual([0, 1, 13, 24]);
  });

  it('keeps non-id bytes as base64 and converts AnyValue variants', () => {
    const type = otlpTypes().request.logs;
    const body = type.encode(
      type.fromObject({
        resourceLogs: [{ scopeLogs: [{ logRecords: [{ timeUnixNano: '1767225600000000001', body: { bytesValue: Buffer.from('hi') }, traceId: Buffer.alloc(16, 0xab), attributes: [{ key: 'n', value: { kvlistValue: { values: [{ key: 'd', value: { doubleValue: 1.5 } }] } } }, { key: 'min', value: { intValue: '-9223372036854775808' } }] }] }] }],
      }),
    ).finish();
    const decoded: any = decodeOtlpRequest('logs', Buffer.from(body), 'application/x-protobuf');
    const record = decoded.resourceLogs[0].scopeLogs[0].logRecords[0];
    expect(record.timeUnixNano).toBe('1767225600000000001');
    expect(record.body).toEqual({ bytesValue: Buffer.from('hi').toString('base64') });
    expect(record.traceId).toBe('ab'.repeat(16));
    expect(attributesToObject(record.attributes)).toEqual({ n: { d: 1.5 }, min: '-9223372036854775808' });
    expect(anyValueToJs({ intValue: '42' })).toBe(42);
    // Beyond 2^53 a protobuf int64 stays an exact decimal string.
    expect(anyValueToJs({ intValue: '1152921504606846977' })).toBe('1152921504606846977');
    expect(anyValueToJs({ arrayValue: {} })).toEqual([]);
  });
});

describe('encodeOtlpResponse / encodeOtlpStatus', () => {
  it('encodes partial success in protobuf and JSON, and an empty response otherwise', () => {
    const protobufBody = encodeOtlpResponse('metrics', { rejected: 2, errorMessage: 'bad points' }, 'application/x-protobuf');
    expect(otlpTypes().response.metrics.toObject(otlpTypes().response.metrics.decode(protobufBody), { longs: Number })).toEqual({ partialSuccess: { rejectedDataPoints: 2, errorMessage: 'bad points' } });
    expect(JSON.parse(encodeOtlpResponse('logs', { rejected: 1 }, 'application/json').toString())).toEqual({ partialSuccess: { rejectedLogRecords: '1' } });
    expect(encodeOtlpResponse('traces', {}, 'application/x-protobuf')).toHaveLength(0);
    expect(encodeOtlpResponse('traces', {}, 'application/json').toString()).toBe('{}');
  });

  it('encodes google.rpc.Status', () => {
    expect(otlpTypes().status.toObject(otlpTypes().status.decode(encodeOtlpStatus(3, 'invalid', 'application/x-protobuf')))).toEqual({ code: 3, message: 'invalid' });
    expect(JSON.parse(encodeOtlpStatus(8, 'too big', 'application/json').toString())).toEqual({ code: 8, message: 'too big' });
  });
});
