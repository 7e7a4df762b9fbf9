import { SpanKind, context, trace } from '@opentelemetry/api';
import type { ExportResult } from '@opentelemetry/core';
import { OTLPTraceExporter as OTLPTraceExporterHttp } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as OTLPTraceExporterProto } from '@opentelemetry/exporter-trace-otlp-proto';
import { afterAll, describe, expect, it } from 'vitest';
import { anyValueToJs, attributesToObject } from './any-value-to-js';
import { createTestSdk } from './create-test-sdk';
import { decodeOtlpRequest } from './decode-otlp-request';
import { encodeOtlpResponse, encodeOtlpStatus } from './encode-otlp-response';
import { flattenSpans } from './flatten-otlp';
import { otlpTypes } from './otlp-proto-root';
import { startOtlpCaptureServer } from './start-otlp-capture-server';

const cleanups: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const cleanup of cleanups) await cleanup();
});

describe('decodeOtlpRequest', () => {
  it('gives the same OTLP/JSON shape for protobuf and JSON bodies of the same spans', async () => {
    const server = await startOtlpCaptureServer();
    const sdk = createTestSdk({ registerGlobal: false });
    cleanups.push(() => server.close(), () => sdk.shutdown());
    const tracer = sdk.tracerProvider.getTracer('same', '1.0.0');
    const parent = tracer.startSpan('parent', { kind: SpanKind.PRODUCER, attributes: { big: 2 ** 40, negative: -5, text: 'x', list: [1, 2], flags: [true, false] } });
    const child = tracer.startSpan('child', { links: [{ context: parent.spanContext(), attributes: { why: 'fan-out' } }] }, trace.setSpan(context.active(), parent));
    child.end();
    parent.end();
    for (const exporter of [new OTLPTraceExporterProto({ url: `${server.url}/v1/traces` }), new OTLPTraceExporterHttp({ url: `${server.url}/v1/traces` })]) {
      await new Promise<ExportResult>((resolve) => exporter.export(sdk.spans(), resolve));
      await exporter.shutdown();
    }
    const [fromProtobuf, fromJson] = server.requests.map((request) => flattenSpans(request.body));
    expect(fromProtobuf).toHaveLength(2);
    expect(fromProtobuf).toEqual(fromJson);
    const flatParent = fromProtobuf!.find((span) => span.name === 'parent')!;
    expect(flatParent.kind).toBe(4);
    expect(flatParent.attributes).toEqual({ big: 2 ** 40, negative: -5, text: 'x', list: [1, 2], flags: [true, false] });
    const protobufChild = server.requests[0]!.body.resourceSpans[0].scopeSpans[0].spans.find((span: any) => span.name === 'child');
    expect(protobufChild.links[0].spanId).toBe(parent.spanContext().spanId);
    expect(protobufChild.links[0].traceId).toBe(parent.spanContext().traceId);
    expect(server.requests[0]!.body.resourceSpans[0].scopeSpans[0].scope).toEqual({ name: 'same', version: '1.0.0' });
  });

  it('keeps non-id bytes as base64 and converts AnyValue variants', () => {
    const type = otlpTypes().request.logs;
    const body = type.encode(
      type.fromObject({
        resourceLogs: [{ scopeLogs: [{ logRecords: [{ timeUnixNano: '1767225600000000001', body: { bytesValue: Buffer.from('hi') }, traceId: Buffer.alloc(16, 0xab), attributes: [{ key: 'n', value: { kvlistValue: { values: [{ key: 'd', value: { doubleValue: 1.5 } }] } } }, { key: 'min', value: { intValue: '-9223372036854775808' } }] }] }] }],
      }),
    ).finish();
    const record = decodeOtlpRequest('logs', Buffer.from(body), 'application/x-protobuf').resourceLogs[0].scopeLogs[0].logRecords[0];
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
