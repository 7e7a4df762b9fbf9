import { type ExportResult, ExportResultCode } from '@opentelemetry/core';
import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { describe, expect, it } from 'vitest';
import { endContractShapedSpans } from './fixtures/contract-shaped-spans';
import { encodeInSlices, ITEMS_PER_SLICE, SlicedProtobufExporter } from './sliced-protobuf-exporter';
import { afterTest, captureOtlp } from './fixtures/test-cleanups';

// Real SDK spans and log records, exported by the SDK's own OTLP/protobuf exporters and by the
// sliced exporter to the same real OTLP receiver on loopback: what arrives must be the same.

const resource = resourceFromAttributes({ 'service.name': 'sliced-test', 'deployment.environment.name': 'test' });

/** `count` finished spans of every shape the contract uses. */
function finishedSpans(count: number) {
  const memory = new InMemorySpanExporter();
  const provider = new TracerProvider({ resource, spanProcessors: [new SimpleSpanProcessor({ exporter: memory })] });
  endContractShapedSpans(provider.getTracer('sliced-test', '1.2.3'), count);
  return memory.getFinishedSpans();
}

function exported(exporter: { export(items: never[], callback: (result: ExportResult) => void): void }, items: unknown[]): Promise<ExportResult> {
  return new Promise((resolve) => exporter.export(items as never[], resolve));
}

describe('SlicedProtobufExporter', () => {
  it('sends one request with the same spans, resource and scope as the SDK exporter', async () => {
    const spans = finishedSpans(5 * ITEMS_PER_SLICE + 7);
    const sdkReceiver = await captureOtlp();
    const slicedReceiver = await captureOtlp();
    const sdk = new OTLPTraceExporter({ url: `${sdkReceiver.url}/v1/traces` });
    const sliced = SlicedProtobufExporter.forSpans({ url: `${slicedReceiver.url}/v1/traces`, headers: { authorization: 'Bearer test-token' } });
    afterTest(() => sdk.shutdown(), () => sliced.shutdown());

    expect((await exported(sdk, spans)).code).toBe(ExportResultCode.SUCCESS);
    expect((await exported(sliced, spans)).code).toBe(ExportResultCode.SUCCESS);

    expect(slicedReceiver.requests).toHaveLength(1);
    const request = slicedReceiver.requests[0]!;
    expect(request.decodeError).toBeUndefined();
    expect(request.contentType).toBe('application/x-protobuf');
    expect(request.headers.authorization).toBe('Bearer test-token');
    // One resource entry per slice: the slices' bytes were joined, not re-encoded.
    expect(request.body.resourceSpans).toHaveLength(Math.ceil(spans.length / ITEMS_PER_SLICE));
    expect(slicedReceiver.spans()).toEqual(sdkReceiver.spans());
    expect(slicedReceiver.spans()).toHaveLength(spans.length);
  });

  it('sends log records as the SDK log exporter does', async () => {
    const memory = new InMemoryLogRecordExporter();
    const provider = new LoggerProvider({ resource, processors: [new SimpleLogRecordProcessor({ exporter: memory })] });
    const logger = provider.getLogger('sliced-test');
    for (let index = 0; index < ITEMS_PER_SLICE + 3; index++) logger.emit({ body: `line ${index}`, severityNumber: 9, attributes: { index } });
    const records = memory.getFinishedLogRecords();
    const sdkReceiver = await captureOtlp();
    const slicedReceiver = await captureOtlp();
    const sdk = new OTLPLogExporter({ url: `${sdkReceiver.url}/v1/logs` });
    const sliced = SlicedProtobufExporter.forLogs({ url: `${slicedReceiver.url}/v1/logs` });
    afterTest(() => sdk.shutdown(), () => sliced.shutdown());

    expect((await exported(sdk, records)).code).toBe(ExportResultCode.SUCCESS);
    expect((await exported(sliced, records)).code).toBe(ExportResultCode.SUCCESS);
    expect(slicedReceiver.requests).toHaveLength(1);
    expect(slicedReceiver.logs()).toEqual(sdkReceiver.logs());
    expect(slicedReceiver.logs()).toHaveLength(records.length);
  });

  it('reports a failed export (the backend refuses) to the batch processor', async () => {
    const receiver = await captureOtlp({ respond: () => ({ status: 400, body: 'bad request' }) });
    const sliced = SlicedProtobufExporter.forSpans({ url: `${receiver.url}/v1/traces` });
    afterTest(() => sliced.shutdown());
    expect((await exported(sliced, finishedSpans(3))).code).toBe(ExportResultCode.FAILED);
  });

  it('reports a batch that cannot be encoded as failed, without an unhandled rejection', async () => {
    const receiver = await captureOtlp();
    const sliced = SlicedProtobufExporter.forSpans({ url: `${receiver.url}/v1/traces` });
    afterTest(() => sliced.shutdown());
    // Not spans: the SDK's serializer throws on them (in the second slice, after a yield).
    const result = await exported(sliced, [...finishedSpans(ITEMS_PER_SLICE), { name: 'not a span' }]);
    expect(result.code).toBe(ExportResultCode.FAILED);
    expect(result.error).toBeInstanceOf(Error);
    await sliced.forceFlush();
    expect(receiver.requests).toHaveLength(0);
  });

  it('forceFlush waits for a batch still being encoded', async () => {
    const receiver = await captureOtlp();
    const sliced = SlicedProtobufExporter.forSpans({ url: `${receiver.url}/v1/traces` });
    afterTest(() => sliced.shutdown());
    let result: ExportResult | undefined;
    sliced.export(finishedSpans(4 * ITEMS_PER_SLICE), (exportResult) => (result = exportResult));
    await sliced.forceFlush();
    expect(result?.code).toBe(ExportResultCode.SUCCESS);
    expect(receiver.spans()).toHaveLength(4 * ITEMS_PER_SLICE);
  });
});

describe('encodeInSlices', () => {
  it('lets the event loop run between slices', async () => {
    const spans = finishedSpans(8 * ITEMS_PER_SLICE);
    let done = false;
    let turns = 0;
    const probe = (): void => {
      if (done) return;
      turns++;
      setImmediate(probe);
    };
    setImmediate(probe);
    const bytes = await encodeInSlices(spans, ProtobufTraceSerializer);
    done = true;
    // One yield before each slice after the first; the probe runs once per event-loop turn.
    expect(turns).toBeGreaterThanOrEqual(7);
    expect(bytes.byteLength).toBeGreaterThan(0);
  });

  it('encodes a batch of one slice or less at once, in the same turn', async () => {
    const spans = finishedSpans(ITEMS_PER_SLICE);
    let probeRan = false;
    setImmediate(() => (probeRan = true));
    const bytes = await encodeInSlices(spans, ProtobufTraceSerializer);
    expect(probeRan).toBe(false);
    expect(bytes).toEqual(ProtobufTraceSerializer.serializeRequest(spans));
  });
});
