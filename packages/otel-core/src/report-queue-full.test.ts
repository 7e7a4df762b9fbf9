import { BatchLogRecordProcessor, InMemoryLogRecordExporter, LoggerProvider } from '@opentelemetry/sdk-logs';
import { describe, expect, it } from 'vitest';
import { captureConsoleWarnings } from './fixtures/test-cleanups';
import { queueFullListener } from './report-queue-full';

describe('queueFullListener', () => {
  it("hears only the processor's queue_full count; its other instruments keep nothing and never throw", () => {
    const warnings = captureConsoleWarnings();
    const meter = queueFullListener('spans', 8).getMeter('@opentelemetry/sdk-trace');
    const processed = meter.createCounter('otel.sdk.processor.span.processed');
    processed.add(5, { 'otel.component.type': 'batching_span_processor' });
    processed.add(1, { 'error.type': 'TimeoutError' });
    meter.createCounter('another.counter').add(1, { 'error.type': 'queue_full' });
    meter.createUpDownCounter('otel.sdk.processor.span.queue.capacity').add(8);
    meter.createObservableUpDownCounter('otel.sdk.processor.span.queue.size').addCallback(() => {});
    expect(warnings).toEqual([]);

    processed.add(1, { 'error.type': 'queue_full' });
    processed.add(1, { 'error.type': 'queue_full' });
    expect(warnings).toEqual([expect.stringMatching(/^@kira\/otel-core: dropped spans: their export queue was full \(OTEL_BSP_MAX_QUEUE_SIZE=8\)/)]);
  });

  it("is heard by the SDK's BatchLogRecordProcessor through its selfObsMeterProvider option", async () => {
    const warnings = captureConsoleWarnings();
    const exporter = new InMemoryLogRecordExporter();
    const processor = new BatchLogRecordProcessor({
      exporter,
      maxQueueSize: 3,
      maxExportBatchSize: 3,
      scheduledDelayMillis: 60_000,
      selfObsMeterProvider: queueFullListener('log records', 3),
    });
    const provider = new LoggerProvider({ processors: [processor] });
    const logger = provider.getLogger('queue-full-test');
    for (let index = 0; index < 10; index++) logger.emit({ body: `record ${index}` });
    await provider.shutdown();
    expect(exporter.getFinishedLogRecords().length).toBeLessThan(10);
    expect(warnings).toEqual([expect.stringMatching(/^@kira\/otel-core: dropped log records: their export queue was full \(OTEL_BLRP_MAX_QUEUE_SIZE=3\)/)]);
  });
});
