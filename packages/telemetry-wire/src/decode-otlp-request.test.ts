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
