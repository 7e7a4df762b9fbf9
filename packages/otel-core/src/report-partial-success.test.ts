import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { type ExportResult, ExportResultCode } from '@opentelemetry/core';
import { LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { encodeOtlpResponse, type OtlpSignal, waitUntil } from '@kira/test-utils';
import { describe, expect, it } from 'vitest';
import { DEFAULT_SPOOL_SIZE_LIMIT_BYTES, ExportQueues } from './export-queues';
import { afterTest, captureConsoleWarnings, captureOtlp } from './fixtures/test-cleanups';
import { partialSuccessReporter } from './report-partial-success';
import { SlicedProtobufExporter } from './sliced-protobuf-exporter';

// Real OTLP exporters (protobuf and JSON) under otel-core's export queues, against a real OTLP
// receiver on loopback that answers 200 with a `partial_success`, encoded as the spec's
// Export*ServiceResponse (https://opentelemetry.io/docs/specs/otlp/#partial-success-1). Each test
// uses its own reason: otel-core prints a reason once per process.

const queues = () => {
  const exportQueues = new ExportQueues({ spoolDir: undefined, spoolSizeLimitBytes: DEFAULT_SPOOL_SIZE_LIMIT_BYTES }, 'http/protobuf');
  afterTest(() => exportQueues.close());
  return exportQueues;
};

/** A receiver answering every request of `signal` with `partial` (encoded as the request was), until `healthy()`. */
async function partialBackend(signal: OtlpSignal, partial: { rejected?: number; errorMessage?: string }, options: { unavailableFirst?: boolean } = {}) {
  let unavailable = options.unavailableFirst === true;
  const backend = await captureOtlp({
    respond: (request) => {
      if (unavailable) return { status: 503 };
      if (request.signal !== signal) return undefined;
      const contentType = request.contentType.includes('json') ? 'application/json' : 'application/x-protobuf';
      return { status: 200, headers: { 'content-type': contentType }, body: encodeOtlpResponse(signal, partial, contentType) };
    },
  });
  return { ...backend, recover: () => (unavailable = false) };
}

describe('partial success from the backend', () => {
  it('prints the spans a backend rejected, with its reason, once per reason; the export still succeeds and is not sent again', async () => {
    const warnings = captureConsoleWarnings();
    const backend = await partialBackend('traces', { rejected: 2, errorMessage: 'span timestamps out of range' });
    const exporter = queues().wrap(new OTLPTraceExporter({ url: `${backend.url}/v1/traces` }), 'traces');
    const memory = new InMemorySpanExporter();
    const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter: memory })] });
    const tracer = provider.getTracer('partial-test');
    tracer.startSpan('a').end();
    tracer.startSpan('b').end();

    for (let attempt = 0; attempt < 2; attempt++) {
      const result = await new Promise<ExportResult>((resolve) => exporter.export(memory.getFinishedSpans(), resolve));
      expect(result.code).toBe(ExportResultCode.SUCCESS);
    }
    expect(backend.requests).toHaveLength(2);
    expect(warnings).toEqual([
      '@kira/otel-core: the telemetry backend rejected 2 span(s) of an export ("span timestamps out of range"); rejected data is not sent again. ' +
        'Further answers with this reason are not printed (OTEL_LOG_LEVEL=debug shows each).',
    ]);
  });

  it("does the same on otel-core's default protobuf path (the sliced span exporter)", async () => {
    const warnings = captureConsoleWarnings();
    const backend = await partialBackend('traces', { rejected: 1, errorMessage: 'sliced span rejected' });
    const exporter = queues().wrapSliced(SlicedProtobufExporter.forSpans({ url: `${backend.url}/v1/traces` }), 'traces');
    const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
    afterTest(() => provider.shutdown());
    provider.getTracer('partial-test').startSpan('sliced').end();
    await provider.forceFlush();
    await waitUntil(() => warnings.length > 0, 5_000, 'the warning');
    expect(warnings).toEqual([expect.stringMatching(/^@kira\/otel-core: the telemetry backend rejected 1 span\(s\) of an export \("sliced span rejected"\)/)]);
  });

  it("reads the JSON answer's int64 as the decimal string it is (http/json metrics)", async () => {
    const warnings = captureConsoleWarnings();
    const backend = await partialBackend('metrics', { rejected: 3, errorMessage: 'metric name too long' });
    const exporter = queues().wrap(new OTLPMetricExporter({ url: `${backend.url}/v1/metrics` }), 'metrics');
    const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 60_000 });
    const meterProvider = new MeterProvider({ readers: [reader] });
    afterTest(() => meterProvider.shutdown());
    meterProvider.getMeter('partial-test').createCounter('requests').add(1);
    await meterProvider.forceFlush();
    expect(backend.requests[0]?.contentType).toMatch(/json/);
    expect(warnings).toEqual([expect.stringMatching(/^@kira\/otel-core: the telemetry backend rejected 3 metric data point\(s\) of an export \("metric name too long"\)/)]);
  });

  it('prints a warning the backend sends with nothing rejected as a warning (logs)', async () => {
    const warnings = captureConsoleWarnings();
    const backend = await partialBackend('logs', { errorMessage: 'attribute values truncated to 4 KiB' });
    const exporter = queues().wrap(new OTLPLogExporter({ url: `${backend.url}/v1/logs` }), 'logs');
    const loggerProvider = new LoggerProvider({ processors: [new SimpleLogRecordProcessor({ exporter })] });
    afterTest(() => loggerProvider.shutdown());
    loggerProvider.getLogger('partial-test').emit({ body: 'hello' });
    await loggerProvider.forceFlush();
    await waitUntil(() => warnings.length > 0, 5_000, 'the warning');
    expect(warnings).toEqual([
      '@kira/otel-core: the telemetry backend took an export with a warning ("attribute values truncated to 4 KiB"). ' +
        'Further answers with this reason are not printed (OTEL_LOG_LEVEL=debug shows each).',
    ]);
  });

  it('reads the answer to a body the queue replays after an outage', async () => {
    const warnings = captureConsoleWarnings();
    const backend = await partialBackend('traces', { rejected: 1, errorMessage: 'replayed span rejected' }, { unavailableFirst: true });
    const exporter = queues().wrap(new OTLPTraceExporter({ url: `${backend.url}/v1/traces` }), 'traces');
    const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
    afterTest(() => provider.shutdown());
    provider.getTracer('partial-test').startSpan('queued').end();
    await provider.forceFlush();
    // Queued on the 503, so the exporter itself never saw the partial answer.
    expect(warnings).toEqual([expect.stringMatching(/retryable status/)]);
    backend.recover();
    await waitUntil(() => warnings.length === 2, 10_000, 'the replayed body answered');
    expect(warnings[1]).toMatch(/^@kira\/otel-core: the telemetry backend rejected 1 span\(s\) of an export \("replayed span rejected"\)/);
  });
});

describe('partialSuccessReporter', () => {
  it('is silent for a full success, and never throws on an answer of another shape', () => {
    const warnings = captureConsoleWarnings();
    const reporter = partialSuccessReporter('traces');
    for (const answer of [{}, { partialSuccess: {} }, { partialSuccess: { rejectedSpans: 0 } }, { partialSuccess: null }, null, undefined, 'text', 7]) {
      expect(() => reporter.handleResponse(answer)).not.toThrow();
    }
    expect(warnings).toEqual([]);
  });

  it('counts a message that differs only in its numbers as the same reason', () => {
    const warnings = captureConsoleWarnings();
    const reporter = partialSuccessReporter('logs');
    reporter.handleResponse({ partialSuccess: { rejectedLogRecords: 1, errorMessage: '1 of 2 dated after 2106' } });
    reporter.handleResponse({ partialSuccess: { rejectedLogRecords: 3, errorMessage: '3 of 40 dated after 2106' } });
    reporter.handleResponse({ partialSuccess: { rejectedLogRecords: 1, errorMessage: 'attribute too long' } });
    expect(warnings).toEqual([
      expect.stringMatching(/rejected 1 log record\(s\) of an export \("1 of 2 dated after 2106"\)/),
      expect.stringMatching(/rejected 1 log record\(s\) of an export \("attribute too long"\)/),
    ]);
  });

  it('takes the count as a number, a decimal string, a bigint or a Long, and says when no reason came', () => {
    const warnings = captureConsoleWarnings();
    partialSuccessReporter('logs').handleResponse({ partialSuccess: { rejectedLogRecords: '4' } });
    partialSuccessReporter('metrics').handleResponse({ partialSuccess: { rejectedDataPoints: 5n } });
    // protobufjs's Long, as older serializers decoded int64.
    partialSuccessReporter('traces').handleResponse({ partialSuccess: { rejectedSpans: { low: 6, high: 0, toNumber: () => 6 } } });
    expect(warnings).toEqual([
      expect.stringMatching(/rejected 4 log record\(s\) of an export \(no reason given\)/),
      expect.stringMatching(/rejected 5 metric data point\(s\) of an export \(no reason given\)/),
      expect.stringMatching(/rejected 6 span\(s\) of an export \(no reason given\)/),
    ]);
  });
});
