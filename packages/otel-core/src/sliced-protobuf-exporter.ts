import { context } from '@opentelemetry/api';
import { type ExportResult, ExportResultCode } from '@opentelemetry/core';
import { OTLPExporterBase } from '@opentelemetry/otlp-exporter-base';
import { createOtlpHttpExportDelegate } from '@opentelemetry/otlp-exporter-base/node-http';
import { ProtobufLogsSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { type OtlpHttpDestination, otlpHttpOptions } from './otlp-http-exporters';
import { asError } from './as-error';

/**
 * Items encoded per event-loop turn. The SDK's protobuf serializer takes a few µs per span, so a
 * default batch of 512 spans blocked the event loop for about 3 ms at once, and every request in
 * flight waited that long (the tail of `pnpm bench`'s saturated p99). 32 items keep each turn
 * around 0.1–0.2 ms.
 */
export const ITEMS_PER_SLICE = 32;

/** A batch already encoded as one OTLP/protobuf export request, and how many items it holds. */
interface EncodedBatch {
  readonly bytes: Uint8Array;
  readonly items: number;
}

interface Signal<Item> {
  /** Which signal's SDK settings (`otlpHttpOptions`) apply. */
  readonly name: 'traces' | 'logs';
  /** The SDK's own exporter component type and item name (self-observability attributes). */
  readonly componentType: string;
  readonly itemName: 'span' | 'log';
  readonly serializer: { serializeRequest(items: Item[]): Uint8Array | undefined; deserializeResponse(data: Uint8Array): unknown };
}

const TRACES: Signal<ReadableSpan> = {
  name: 'traces',
  componentType: 'otlp_http_span_exporter',
  itemName: 'span',
  serializer: ProtobufTraceSerializer,
};
const LOGS: Signal<ReadableLogRecord> = {
  name: 'logs',
  componentType: 'otlp_http_log_exporter',
  itemName: 'log',
  serializer: ProtobufLogsSerializer,
};

/** Where the batches go; `headers` default to none. */
type SlicedExporterConfig = Omit<OtlpHttpDestination, 'headers'> & { headers?: Record<string, string> };

const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * An OTLP/protobuf exporter (traces or logs) that encodes a batch {@link ITEMS_PER_SLICE} items
 * per event-loop turn instead of in one go, then sends it as one request.
 *
 * Protobuf defines the concatenation of two encoded messages as their merge, and the request's
 * only field (`resource_spans` / `resource_logs`) is repeated: the slices' bytes joined are one
 * valid export request whose resource and scope are simply repeated once per slice (a few
 * hundred bytes per 32 items). Sending uses the SDK's own HTTP delegate
 * (`@opentelemetry/otlp-exporter-base/node-http`), so the retry queue and spool wrap it exactly
 * like the SDK's exporters (`ExportQueues.wrap`).
 */
export class SlicedProtobufExporter<Item> {
  /** The SDK exporter that sends the encoded bytes (its transport is what ExportQueues wraps). */
  readonly sender: OTLPExporterBase<EncodedBatch>;
  private readonly encoding = new Set<Promise<void>>();

  private constructor(
    private readonly signal: Signal<Item>,
    config: SlicedExporterConfig,
  ) {
    this.sender = new OTLPExporterBase(
      createOtlpHttpExportDelegate(
        otlpHttpOptions(signal.name, { url: config.url, headers: config.headers ?? {}, source: config.source }, 'application/x-protobuf'),
        { serializeRequest: (batch: EncodedBatch) => batch.bytes, deserializeResponse: (data: Uint8Array) => signal.serializer.deserializeResponse(data) },
        signal.componentType,
        { name: signal.itemName, countItems: (batch: EncodedBatch) => batch.items },
        // No meter provider: like the SDK's exporters by default, no otel.sdk.exporter.* metrics.
        undefined,
      ),
    );
  }

  static forSpans(config: SlicedExporterConfig): SlicedProtobufExporter<ReadableSpan> {
    return new SlicedProtobufExporter(TRACES, config);
  }

  static forLogs(config: SlicedExporterConfig): SlicedProtobufExporter<ReadableLogRecord> {
    return new SlicedProtobufExporter(LOGS, config);
  }

  export(items: Item[], resultCallback: (result: ExportResult) => void): void {
    // The batch processor exports inside a context that suppresses tracing; the send after the
    // slices must run in it too, or the http instrumentation would trace the export itself.
    const exportContext = context.active();
    const failed = (error: unknown) => resultCallback({ code: ExportResultCode.FAILED, error: asError(error) });
    // Never rejects: every outcome reaches the batch processor through resultCallback.
    const encoded = encodeInSlices(items, this.signal.serializer).then((bytes) => {
      if (bytes.byteLength === 0) {
        resultCallback({ code: ExportResultCode.SUCCESS });
        return;
      }
      context.with(exportContext, () => this.sendEncoded(bytes, items.length, resultCallback));
    }, failed);
    this.encoding.add(encoded);
    const settled = (): void => void this.encoding.delete(encoded);
    encoded.then(settled, settled);
  }

  /**
   * Sends an already encoded export request (or several joined) of `items` items, in the active
   * context; every outcome reaches `resultCallback`. `EncodeOnEndSpanProcessor` sends through it.
   */
  sendEncoded(bytes: Uint8Array, items: number, resultCallback: (result: ExportResult) => void): void {
    try {
      this.sender.export({ bytes, items }, resultCallback);
    } catch (error) {
      resultCallback({ code: ExportResultCode.FAILED, error: asError(error) });
    }
  }

  async forceFlush(): Promise<void> {
    await Promise.all(this.encoding);
    await this.sender.forceFlush();
  }

  async shutdown(): Promise<void> {
    await Promise.all(this.encoding);
    await this.sender.shutdown();
  }
}

/**
 * Encodes `items` as one OTLP/protobuf export request, {@link ITEMS_PER_SLICE} per event-loop
 * turn (the first slice at once), and joins the slices' bytes.
 */
export async function encodeInSlices<Item>(items: Item[], serializer: { serializeRequest(items: Item[]): Uint8Array | undefined }): Promise<Uint8Array> {
  const slices: Uint8Array[] = [];
  let byteLength = 0;
  for (let start = 0; start < items.length; start += ITEMS_PER_SLICE) {
    if (start > 0) await yieldToEventLoop();
    const slice = serializer.serializeRequest(items.slice(start, start + ITEMS_PER_SLICE));
    if (slice === undefined) continue;
    slices.push(slice);
    byteLength += slice.byteLength;
  }
  if (slices.length === 1) return slices[0]!;
  const joined = new Uint8Array(byteLength);
  let offset = 0;
  for (const slice of slices) {
    joined.set(slice, offset);
    offset += slice.byteLength;
  }
  return joined;
}
