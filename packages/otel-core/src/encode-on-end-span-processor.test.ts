import { context, diag, DiagLogLevel, ROOT_CONTEXT, trace, TraceFlags } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { isTracingSuppressed, loggingErrorHandler, setGlobalErrorHandler } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  AlwaysOffSampler,
  BatchSpanProcessor,
  createAlwaysRecordSampler,
  InMemorySpanExporter,
  type ReadableSpan,
  type Sampler,
  SimpleSpanProcessor,
  type SpanProcessor,
  TracerProvider,
} from '@opentelemetry/sdk-trace';
import { UNPRINTABLE } from '@kira/conventions';
import { type OtlpCaptureServer, waitUntil } from '@kira/test-utils';
import { describe, expect, it } from 'vitest';
import { EncodeOnEndSpanProcessor, type EncodeOnEndSpanProcessorOptions } from './encode-on-end-span-processor';
import { endContractShapedSpans, endEdgeCaseSpans } from './fixtures/contract-shaped-spans';
import { OtlpSpanEncoder } from './otlp-span-encoder';
import { ParentBasedTracerProvider } from './parent-based-tracer-provider';
import { PooledIdGenerator } from './pooled-id-generator';
import { SlicedProtobufExporter } from './sliced-protobuf-exporter';
import { afterTest, captureOtlp } from './fixtures/test-cleanups';

// Real SDK spans, encoded here and by the SDK's own serializer; exported to a real OTLP receiver
// on loopback next to the SDK's batch processor and exporter.

const resource = resourceFromAttributes({ 'service.name': 'encode-test', 'deployment.environment.name': 'test', 'service.instance.id': 'ïd-1' });

/** Finished spans from `end`, in the order they ended. */
function finished(end: (provider: TracerProvider) => void): ReadableSpan[] {
  const memory = new InMemorySpanExporter();
  end(new TracerProvider({ resource, spanProcessors: [new SimpleSpanProcessor({ exporter: memory })] }));
  return memory.getFinishedSpans();
}

function encodeAll(encoder: OtlpSpanEncoder, spans: readonly ReadableSpan[]): Uint8Array | undefined {
  for (const span of spans) encoder.append(span);
  return encoder.take();
}

describe('OtlpSpanEncoder', () => {
  it('writes the same bytes as the SDK serializer for every span shape', () => {
    const spans = finished((provider) => {
      endContractShapedSpans(provider.getTracer('shapes', '1.2.3'), 40);
      endEdgeCaseSpans(provider.getTracer('edges'));
      endContractShapedSpans(provider.getTracer('scoped', '2.0.0', { schemaUrl: 'https://opentelemetry.io/schemas/1.30.0' }), 3);
    });
    expect(encodeAll(new OtlpSpanEncoder(), spans)).toEqual(ProtobufTraceSerializer.serializeRequest(spans));
  });

  it('groups spans of several resources like the SDK serializer', () => {
    const other = resourceFromAttributes({ 'service.name': 'other' }, { schemaUrl: 'https://opentelemetry.io/schemas/1.30.0' });
    const memory = new InMemorySpanExporter();
    const providers = [resource, other].map((r) => new TracerProvider({ resource: r, spanProcessors: [new SimpleSpanProcessor({ exporter: memory })] }));
    for (let index = 0; index < 6; index++) providers[index % 2]!.getTracer(index < 3 ? 'a' : 'b').startSpan(`span ${index}`).end();
    const spans = memory.getFinishedSpans();
    expect(encodeAll(new OtlpSpanEncoder(), spans)).toEqual(ProtobufTraceSerializer.serializeRequest(spans));
  });

  it('sizes schema URLs that are not plain ASCII as TextEncoder writes them', () => {
    const spans = finished((provider) => {
      // A lone surrogate becomes U+FFFD (3 bytes), not the 4 of a surrogate pair.
      provider.getTracer('odd', '1', { schemaUrl: 'https://example.test/schémas/1.30\ud800' }).startSpan('odd scope').end();
    });
    expect(encodeAll(new OtlpSpanEncoder(), spans)).toEqual(ProtobufTraceSerializer.serializeRequest(spans));
  });

  it('starts each request empty, reusing its buffers', () => {
    const encoder = new OtlpSpanEncoder();
    const first = finished((provider) => endContractShapedSpans(provider.getTracer('shapes'), 300));
    const second = finished((provider) => endContractShapedSpans(provider.getTracer('shapes'), 7));
    expect(encodeAll(encoder, first)).toEqual(ProtobufTraceSerializer.serializeRequest(first));
    expect(encoder.count).toBe(0);
    expect(encoder.take()).toBeUndefined();
    expect(encodeAll(encoder, second)).toEqual(ProtobufTraceSerializer.serializeRequest(second));
  });

  it('keeps nothing of a span whose encoding throws', () => {
    const spans = finished((provider) => endContractShapedSpans(provider.getTracer('shapes'), 4));
    const broken = Object.create(spans[1]!, {
      events: {
        get() {
          throw new Error('broken span');
        },
      },
    }) as ReadableSpan;
    const encoder = new OtlpSpanEncoder();
    encoder.append(spans[0]!);
    expect(() => encoder.append(broken)).toThrow('broken span');
    encoder.append(spans[2]!);
    expect(encoder.count).toBe(2);
    expect(encoder.take()).toEqual(ProtobufTraceSerializer.serializeRequest([spans[0]!, spans[2]!]));
  });
});

describe('EncodeOnEndSpanProcessor', () => {
  function encodeOnEnd(receiver: OtlpCaptureServer, options: EncodeOnEndSpanProcessorOptions = {}) {
    const sender = SlicedProtobufExporter.forSpans({ url: `${receiver.url}/v1/traces` });
    const processor = new EncodeOnEndSpanProcessor(sender, options);
    afterTest(() => processor.shutdown());
    return { processor, sender };
  }

  function tracerOn(processor: EncodeOnEndSpanProcessor, sampler?: Sampler) {
    return new TracerProvider({ resource, sampler, spanProcessors: [processor] }).getTracer('encode-test', '1.2.3');
  }

  /** What reaches the global error handler until the test ends. */
  function reportedErrors(): unknown[] {
    const errors: unknown[] = [];
    setGlobalErrorHandler((error) => errors.push(error));
    afterTest(() => setGlobalErrorHandler(loggingErrorHandler()));
    return errors;
  }

  /**
   * The contract-shaped and edge-case spans, ended on the provider `withProcessors` builds, go to
   * a receiver through this processor and to another through the SDK's batch processor and OTLP
   * exporter; both receivers must decode the same 106 spans.
   */
  async function expectSameDeliveryAsSdk(withProcessors: (processors: SpanProcessor[]) => TracerProvider): Promise<void> {
    const sdkReceiver = await captureOtlp();
    const receiver = await captureOtlp();
    const { processor } = encodeOnEnd(receiver);
    const sdk = new BatchSpanProcessor({ exporter: new OTLPTraceExporter({ url: `${sdkReceiver.url}/v1/traces` }) });
    afterTest(() => sdk.shutdown());
    const provider = withProcessors([processor, sdk]);
    endContractShapedSpans(provider.getTracer('encode-test', '1.2.3'), 101);
    endEdgeCaseSpans(provider.getTracer('edges'));

    await provider.forceFlush();
    expect(receiver.requests).toHaveLength(1);
    expect(receiver.requests[0]!.decodeError).toBeUndefined();
    expect(receiver.spans()).toHaveLength(106);
    expect(receiver.spans()).toEqual(sdkReceiver.spans());
  }

  it('delivers the same spans as the SDK batch processor and exporter', async () => {
    await expectSameDeliveryAsSdk((spanProcessors) => new TracerProvider({ resource, spanProcessors }));
  });

  it("delivers otel-core's own sampled spans (RecordingSpan) as the SDK batch processor and exporter do", async () => {
    // Ratio 1: every span is sampled, so every one is made by otel-core's tracer, not the SDK's.
    await expectSameDeliveryAsSdk((spanProcessors) => new ParentBasedTracerProvider({ resource, sampleRatio: 1, idGenerator: new PooledIdGenerator(), spanProcessors }));
  });

  it('encodes a span when it ends: what changes in the object afterwards is not exported', async () => {
    const receiver = await captureOtlp();
    const { processor } = encodeOnEnd(receiver);
    const span = tracerOn(processor).startSpan('ended', { attributes: { value: 'at end' } });
    span.end();
    // The SDK's batch processor would read the object at export time and send the new value.
    (span as unknown as ReadableSpan).attributes.value = 'changed later';
    await processor.forceFlush();
    expect(receiver.spans().map((exported) => exported.attributes.value)).toEqual(['at end']);
  });

  it('encodes ended spans 32 at a time, and what waits on flush', async () => {
    const receiver = await captureOtlp();
    const { processor } = encodeOnEnd(receiver, { scheduledDelayMillis: 60_000 });
    const spans = finished((provider) => endContractShapedSpans(provider.getTracer('encode-test'), 33));
    // Only the encoder reads a span's name here: the reads say which spans were encoded.
    const encodedNames: string[] = [];
    const observed = spans.map(
      (span) =>
        new Proxy(span, {
          get(target, key, proxy) {
            if (key === 'name') encodedNames.push(target.name);
            return Reflect.get(target, key, proxy) as unknown;
          },
        }),
    );
    for (const span of observed.slice(0, 31)) processor.onEnd(span);
    expect(encodedNames).toEqual([]);
    processor.onEnd(observed[31]!);
    expect(encodedNames).toEqual(spans.slice(0, 32).map((span) => span.name));
    processor.onEnd(observed[32]!);
    expect(encodedNames).toHaveLength(32);
    await processor.forceFlush();
    expect(encodedNames).toHaveLength(33);
    expect(receiver.spans().map((span) => span.name)).toEqual(spans.map((span) => span.name));
  });

  it('sends a full batch at once, the rest on the timer', async () => {
    const receiver = await captureOtlp();
    const { processor } = encodeOnEnd(receiver, { maxExportBatchSize: 64, scheduledDelayMillis: 20 });
    endContractShapedSpans(tracerOn(processor), 100);
    // The first 64 leave as soon as they are there; the other 36 after the scheduled delay.
    await receiver.waitFor(() => receiver.spans().length === 100);
    expect(receiver.requests.map((request) => request.body.resourceSpans?.[0]?.scopeSpans?.[0]?.spans?.length)).toEqual([64, 36]);
  });

  it('ignores spans that record but are not sampled', async () => {
    const receiver = await captureOtlp();
    const { processor } = encodeOnEnd(receiver);
    const span = tracerOn(processor, createAlwaysRecordSampler(new AlwaysOffSampler())).startSpan('recorded, not sampled');
    expect(span.isRecording()).toBe(true);
    expect(span.spanContext().traceFlags & TraceFlags.SAMPLED).toBe(0);
    span.end();
    await processor.forceFlush();
    expect(receiver.requests).toHaveLength(0);
  });

  it('drops spans past maxQueueSize and says so once more are accepted', async () => {
    const receiver = await captureOtlp();
    const warnings: string[] = [];
    diag.setLogger({ warn: (message: string) => warnings.push(message), error: () => {}, info: () => {}, debug: () => {}, verbose: () => {} }, DiagLogLevel.WARN);
    afterTest(() => diag.disable());
    const { processor } = encodeOnEnd(receiver, { maxQueueSize: 10, maxExportBatchSize: 5, scheduledDelayMillis: 60_000 });
    const tracer = tracerOn(processor);
    // In this turn: 5 leave at once (in flight, no longer queued), the next 10 fill the queue.
    endContractShapedSpans(tracer, 15);
    for (let index = 0; index < 4; index++) tracer.startSpan(`dropped ${index}`).end();
    await receiver.waitFor(() => receiver.spans().length === 15);
    tracer.startSpan('accepted again').end();
    await processor.forceFlush();
    const names = receiver.spans().map((span) => span.name);
    expect(names).toHaveLength(16);
    expect(names).toContain('accepted again');
    expect(names.filter((name) => name.startsWith('dropped'))).toEqual([]);
    expect(warnings).toEqual(['Dropped 4 spans because maxQueueSize reached']);
  });

  it('reports a refused export to the global error handler and keeps sending later spans', async () => {
    let refuse = true;
    const receiver = await captureOtlp({ respond: () => (refuse ? { status: 400, body: 'bad request' } : undefined) });
    const errors = reportedErrors();
    const { processor } = encodeOnEnd(receiver);
    const tracer = tracerOn(processor);
    tracer.startSpan('refused').end();
    await processor.forceFlush();
    expect(errors).toHaveLength(1);
    refuse = false;
    tracer.startSpan('delivered').end();
    await processor.forceFlush();
    expect(receiver.requests).toHaveLength(2);
    expect(receiver.requests[1]!.body.resourceSpans?.[0]?.scopeSpans?.[0]?.spans?.[0]?.name).toBe('delivered');
  });

  it('sends the next request when one stays unanswered past exportTimeoutMillis', async () => {
    const receiver = await captureOtlp();
    const errors = reportedErrors();
    const { processor, sender } = encodeOnEnd(receiver, { exportTimeoutMillis: 50 });
    // The first request is swallowed without an answer (a broken sender); later ones go through.
    const sendEncoded = sender.sendEncoded.bind(sender);
    let swallowed = 0;
    sender.sendEncoded = (...args) => {
      if (swallowed++ === 0) return;
      sendEncoded(...args);
    };
    const tracer = tracerOn(processor);
    tracer.startSpan('unanswered').end();
    const firstFlush = processor.forceFlush();
    tracer.startSpan('next').end();
    await firstFlush;
    await processor.forceFlush();
    // The swallowed request is reported once it is 50 ms old. On a loaded machine the loopback
    // answer to the next request can take longer than that too; it is then reported the same way
    // (the timeout only stops a silent sender from holding up later requests) and still arrives.
    // So: at least one report, every report of that kind, and the next span delivered.
    await waitUntil(() => receiver.spans().length > 0, 5000, 'the next request to reach the receiver');
    expect(errors.length).toBeGreaterThanOrEqual(1);
    for (const error of errors) expect(String(error)).toContain('unanswered after 50 ms');
    expect(receiver.spans().map((span) => span.name)).toEqual(['next']);
  });

  it('reports a span that cannot be encoded and still sends the others', async () => {
    const receiver = await captureOtlp();
    const errors = reportedErrors();
    const { processor } = encodeOnEnd(receiver);
    const tracer = tracerOn(processor);
    tracer.startSpan('before').end();
    // Claims to be sampled but is no span: encoding it throws.
    processor.onEnd({ spanContext: () => ({ traceId: 'x', spanId: 'y', traceFlags: TraceFlags.SAMPLED }) } as unknown as ReadableSpan);
    tracer.startSpan('after').end();
    await processor.forceFlush();
    expect(errors).toHaveLength(1);
    expect(receiver.requests[0]!.decodeError).toBeUndefined();
    expect(receiver.spans().map((span) => span.name)).toEqual(['before', 'after']);
  });

  it('reports a span whose attributes cannot be read at its end, without throwing into the end', async () => {
    const receiver = await captureOtlp();
    const errors = reportedErrors();
    const { processor } = encodeOnEnd(receiver);
    const unreadable = {
      spanContext: () => ({ traceId: 'x', spanId: 'y', traceFlags: TraceFlags.SAMPLED }),
      get attributes(): never {
        throw new Error('attributes unreadable');
      },
    } as unknown as ReadableSpan;
    expect(() => processor.onEnd(unreadable)).not.toThrow();
    tracerOn(processor).startSpan('after').end();
    await processor.forceFlush();
    expect(errors.map(String)).toEqual(['Error: attributes unreadable']);
    expect(receiver.spans().map((span) => span.name)).toEqual(['after']);
  });

  it('reports a thrown value that cannot even be printed, still without throwing into the end', async () => {
    const errors = reportedErrors();
    const { processor } = encodeOnEnd(await captureOtlp());
    const unprintable = {
      toString(): never {
        throw new Error('no text either');
      },
    };
    const unreadable = {
      spanContext: () => ({ traceId: 'x', spanId: 'y', traceFlags: TraceFlags.SAMPLED }),
      get attributes(): never {
        // eslint-disable-next-line @typescript-eslint/only-throw-error -- what a hostile attribute getter may throw
        throw unprintable;
      },
    } as unknown as ReadableSpan;
    expect(() => processor.onEnd(unreadable)).not.toThrow();
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(Error);
    expect((errors[0] as Error).message).toBe(UNPRINTABLE);
  });

  it('sends with tracing suppressed, whatever context the span ended in', async () => {
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    afterTest(() => context.disable());
    const receiver = await captureOtlp();
    const { processor, sender } = encodeOnEnd(receiver);
    const suppressed: boolean[] = [];
    const sendEncoded = sender.sendEncoded.bind(sender);
    sender.sendEncoded = (...args) => {
      suppressed.push(isTracingSuppressed(context.active()));
      sendEncoded(...args);
    };
    const tracer = tracerOn(processor);
    const parent = tracer.startSpan('parent');
    context.with(trace.setSpan(ROOT_CONTEXT, parent), () => tracer.startSpan('child').end());
    parent.end();
    await processor.forceFlush();
    expect(suppressed).toEqual([true]);
    expect(receiver.spans()).toHaveLength(2);
  });

  it('flushes what is pending on shutdown, shuts the sender down, then ignores new spans', async () => {
    const receiver = await captureOtlp();
    const { processor } = encodeOnEnd(receiver, { scheduledDelayMillis: 60_000 });
    const tracer = tracerOn(processor);
    tracer.startSpan('before shutdown').end();
    await processor.shutdown();
    expect(receiver.spans().map((span) => span.name)).toEqual(['before shutdown']);
    tracer.startSpan('after shutdown').end();
    await processor.forceFlush();
    expect(receiver.requests).toHaveLength(1);
  });
});
