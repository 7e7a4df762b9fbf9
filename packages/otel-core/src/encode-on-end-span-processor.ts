import { context, diag, ROOT_CONTEXT, TraceFlags } from '@opentelemetry/api';
import { type ExportResult, ExportResultCode, globalErrorHandler, suppressTracing } from '@opentelemetry/core';
import type { ReadableSpan, SpanProcessor } from '@opentelemetry/sdk-trace';
import { asError } from './as-error';
import { OtlpSpanEncoder } from './otlp-span-encoder';
import { reportQueueFull } from './report-queue-full';

/** The batch processor's settings, with the SDK's `BatchSpanProcessor` defaults. */
export interface EncodeOnEndSpanProcessorOptions {
  /** Spans per export request (SDK default 512). */
  maxExportBatchSize?: number;
  /** Spans waiting for export, past which new ones are dropped (SDK default 2048). */
  maxQueueSize?: number;
  /** The longest a span waits before its request is sent (SDK default 5,000 ms). */
  scheduledDelayMillis?: number;
  /** How long an export may go unanswered before the next one is sent anyway (SDK default 30,000 ms). */
  exportTimeoutMillis?: number;
}

/** Sends an encoded OTLP/protobuf request (`SlicedProtobufExporter.forSpans`, under the retry queue). */
export interface EncodedSpanSender {
  sendEncoded(bytes: Uint8Array, items: number, resultCallback: (result: ExportResult) => void): void;
  forceFlush(): Promise<void>;
  shutdown(): Promise<void>;
}

/**
 * Ended spans wait in groups of this many before they are encoded, one after the other. A span
 * ends on a CPU that is often just back from idle, where the encoder's code runs cold; in a
 * group it runs cold for the first span and warm for the rest (in `pnpm bench`'s in-process
 * check, 3 to 5 µs less per sampled span).
 */
const ENCODE_GROUP_SIZE = 32;

/**
 * The SDK's `BatchSpanProcessor`, except that sampled spans are encoded to OTLP/protobuf soon
 * after they end, in groups of {@link ENCODE_GROUP_SIZE}, and only their bytes wait for the export.
 *
 * Why: the SDK's processor keeps up to 512 finished spans, about twenty objects each, alive until
 * the batch is exported, then encodes them all at once. Every young-generation collection in
 * between copied them (pauses of 1–1.6 ms in `pnpm bench` against 0.3–0.5 ms without telemetry),
 * and each pause delayed every request in flight: most of the saturated p99. Here at most one
 * group of spans is alive at a time, and the bytes of a batch sit in one reused buffer.
 *
 * A span's attributes are copied when it ends: what code changes in the attributes object
 * afterwards (which the API does not allow) is not exported. Its other fields, which the SDK
 * never changes after the end, are read when its group is encoded: when the group is full, when a
 * request is due (full batch or `scheduledDelayMillis`), or on flush and shutdown.
 *
 * Otherwise it behaves like the SDK's processor: unsampled spans are ignored, one export at a
 * time of at most `maxExportBatchSize` spans (the next one goes after `exportTimeoutMillis` without
 * an answer), a timer that does not keep the process alive, spans past `maxQueueSize` (waiting
 * spans count) dropped with one diag warning (and otel-core's stderr line, once per process),
 * failures (of the encoding too) to the global error handler, and the export sent in a context
 * that suppresses tracing.
 */
export class EncodeOnEndSpanProcessor implements SpanProcessor {
  private readonly maxExportBatchSize: number;
  private readonly maxQueueSize: number;
  private readonly scheduledDelayMillis: number;
  private readonly exportTimeoutMillis: number;
  private readonly encoder = new OtlpSpanEncoder();
  /** Ended spans not encoded yet, and (same index) their attributes as they were at the end. */
  private readonly pendingSpans: ReadableSpan[] = [];
  private readonly pendingAttributes: Array<ReadableSpan['attributes']> = [];
  /** Full requests waiting for their turn, oldest first. */
  private readonly ready: Array<{ bytes: Uint8Array; items: number }> = [];
  private readyItems = 0;
  private exportTimer: NodeJS.Timeout | undefined;
  private exporting: Promise<void> | undefined;
  private droppedSpans = 0;
  private shutdownPromise: Promise<void> | undefined;

  constructor(
    private readonly sender: EncodedSpanSender,
    options: EncodeOnEndSpanProcessorOptions = {},
  ) {
    this.maxQueueSize = options.maxQueueSize ?? 2048;
    this.maxExportBatchSize = Math.min(options.maxExportBatchSize ?? 512, this.maxQueueSize);
    this.scheduledDelayMillis = options.scheduledDelayMillis ?? 5000;
    this.exportTimeoutMillis = options.exportTimeoutMillis ?? 30_000;
  }

  onStart(): void {}

  onEnd(span: ReadableSpan): void {
    if (this.shutdownPromise !== undefined) return;
    if ((span.spanContext().traceFlags & TraceFlags.SAMPLED) === 0) return;
    if (this.pendingSpans.length + this.encoder.count + this.readyItems >= this.maxQueueSize) {
      if (this.droppedSpans === 0) reportQueueFull('spans', this.maxQueueSize);
      this.droppedSpans++;
      return;
    }
    if (this.droppedSpans > 0) {
      diag.warn(`Dropped ${this.droppedSpans} spans because maxQueueSize reached`);
      this.droppedSpans = 0;
    }
    let attributes: ReadableSpan['attributes'];
    try {
      attributes = { ...span.attributes };
    } catch (error) {
      // Never thrown into the span's end: this span is lost, the others are not.
      globalErrorHandler(asError(error));
      return;
    }
    this.pendingSpans.push(span);
    this.pendingAttributes.push(attributes);
    const pending = this.pendingSpans.length;
    if (pending >= ENCODE_GROUP_SIZE || pending + this.encoder.count >= this.maxExportBatchSize) this.encodePending();
    if (this.encoder.count >= this.maxExportBatchSize) {
      this.sealRequest();
      void this.exportNext();
    } else if (this.exportTimer === undefined) {
      this.exportTimer = setTimeout(this.exportOnTimer, this.scheduledDelayMillis);
      this.exportTimer.unref();
    }
  }

  forceFlush(): Promise<void> {
    return this.shutdownPromise ?? this.flushAll();
  }

  shutdown(): Promise<void> {
    this.shutdownPromise ??= this.flushAll().then(() => this.sender.shutdown());
    return this.shutdownPromise;
  }

  private readonly exportOnTimer = (): void => {
    this.exportTimer = undefined;
    this.sealRequest();
    void this.exportNext();
  };

  /** Encodes the waiting spans, oldest first. */
  private encodePending(): void {
    const spans = this.pendingSpans;
    const attributes = this.pendingAttributes;
    for (let index = 0; index < spans.length; index++) {
      try {
        this.encoder.append(spans[index]!, attributes[index]);
      } catch (error) {
        // This span is lost; the ones already encoded and the next ones are not.
        globalErrorHandler(asError(error));
      }
    }
    spans.length = 0;
    attributes.length = 0;
  }

  /** Moves what the encoder holds into a request of its own, ready to send. */
  private sealRequest(): void {
    this.encodePending();
    const items = this.encoder.count;
    let bytes: Uint8Array | undefined;
    try {
      bytes = this.encoder.take();
    } catch (error) {
      // Never thrown into the span's end or a timer: these spans are lost, the next ones are not.
      this.encoder.discard();
      globalErrorHandler(asError(error));
      return;
    }
    if (bytes === undefined) return;
    this.ready.push({ bytes, items });
    this.readyItems += items;
  }

  /** Sends the oldest ready request unless one is in flight; never rejects. */
  private exportNext(): Promise<void> {
    if (this.exporting !== undefined) return this.exporting;
    const request = this.ready.shift();
    if (request === undefined) return Promise.resolve();
    this.readyItems -= request.items;
    const sent = new Promise<void>((resolve) => {
      // The SDK's sender answers within its own timeout; this only keeps a sender that never
      // answers from stopping every later export (the batch processor's rule).
      const timeout = setTimeout(() => {
        globalErrorHandler(new Error(`EncodeOnEndSpanProcessor: span export unanswered after ${this.exportTimeoutMillis} ms`));
        resolve();
      }, this.exportTimeoutMillis);
      timeout.unref();
      context.with(suppressTracing(ROOT_CONTEXT), () =>
        this.sender.sendEncoded(request.bytes, request.items, (result) => {
          clearTimeout(timeout);
          if (result.code !== ExportResultCode.SUCCESS) globalErrorHandler(result.error ?? new Error('EncodeOnEndSpanProcessor: span export failed'));
          resolve();
        }),
      );
    });
    this.exporting = sent.then(() => {
      this.exporting = undefined;
      if (this.ready.length > 0) void this.exportNext();
    });
    return this.exporting;
  }

  /** Sends everything encoded so far, then waits for the sender. */
  private async flushAll(): Promise<void> {
    if (this.exportTimer !== undefined) {
      clearTimeout(this.exportTimer);
      this.exportTimer = undefined;
    }
    this.sealRequest();
    while (this.exporting !== undefined || this.ready.length > 0) await this.exportNext();
    await this.sender.forceFlush();
  }
}
