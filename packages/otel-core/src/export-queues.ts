import { isAbsolute, resolve } from 'node:path';
import { DroppedExports } from './dropped-exports';
import {
  DEFAULT_QUEUE_SIZE_LIMIT_BYTES,
  type ExportTransport,
  MemoryBacklog,
  QueueingTransport,
  SpoolBacklog,
} from './queueing-transport';
import type { Env } from './resolve-exporter-config';
import type { SlicedProtobufExporter } from './sliced-protobuf-exporter';
import { SpoolDirectory, type SpoolEncoding, type SpoolSignal } from './spool-directory';
import type { OtlpProtocol, TelemetryOptions } from './types';
import { partialSuccessReporter, type OtlpResponseHandler } from './report-partial-success';
import { warnOnce } from './warn-once';
import { MESSAGE_PREFIX } from './message-prefix';

export const DEFAULT_SPOOL_SIZE_LIMIT_BYTES = 64 * 1024 * 1024;

export interface SpoolSettings {
  /** Absolute directory, or undefined: no spool (the default). */
  spoolDir: string | undefined;
  spoolSizeLimitBytes: number;
}

/** `spoolDir` > `KIRA_TELEMETRY_SPOOL_DIR`; `spoolSizeLimitBytes` > `KIRA_TELEMETRY_SPOOL_SIZE_LIMIT_BYTES` > 64 MiB. */
export function resolveSpoolSettings(env: Env, options: TelemetryOptions, warnings: string[]): SpoolSettings {
  let rawDir = options.spoolDir ?? env.KIRA_TELEMETRY_SPOOL_DIR?.trim();
  if (rawDir !== undefined && typeof rawDir !== 'string') {
    warnings.push(`${MESSAGE_PREFIX} option spoolDir must be a directory path (a string); exports are queued in memory only`);
    rawDir = undefined;
  }
  const spoolDir = rawDir === undefined || rawDir === '' ? undefined : isAbsolute(rawDir) ? rawDir : resolve(rawDir);
  let spoolSizeLimitBytes = DEFAULT_SPOOL_SIZE_LIMIT_BYTES;
  const fromOption = options.spoolSizeLimitBytes;
  const rawLimit = fromOption ?? env.KIRA_TELEMETRY_SPOOL_SIZE_LIMIT_BYTES?.trim();
  if (rawLimit !== undefined && rawLimit !== '') {
    const parsed = Number(rawLimit);
    if (Number.isInteger(parsed) && parsed > 0) spoolSizeLimitBytes = parsed;
    else {
      const source = fromOption !== undefined ? 'option spoolSizeLimitBytes' : 'KIRA_TELEMETRY_SPOOL_SIZE_LIMIT_BYTES';
      warnings.push(`${MESSAGE_PREFIX} ${source}=${String(rawLimit)} is not a positive whole number of bytes; using ${DEFAULT_SPOOL_SIZE_LIMIT_BYTES}`);
    }
  }
  return { spoolDir, spoolSizeLimitBytes };
}

interface WrappableExporter {
  /**
   * `OTLPExportDelegate`: its transport, the timeout it passes to every `send`, the handler it
   * gives each answer's decoded body, and the serializer that decodes it.
   */
  _delegate?: {
    _transport?: ExportTransport & { _transport?: ExportTransport };
    _timeout?: unknown;
    _responseHandler?: Partial<OtlpResponseHandler>;
    _serializer?: { deserializeResponse?: (data: Uint8Array) => unknown };
  };
}

/**
 * The retry queues (and the optional spool) of the three OTLP exporters of one SDK. Each
 * exporter's transport is replaced by a {@link QueueingTransport} around its plain HTTP
 * transport; the OTLP retrying transport in between is left out, because the queue retries
 * without holding up the batch processors.
 */
export class ExportQueues {
  private readonly transports: QueueingTransport[] = [];
  private readonly dropped: DroppedExports;
  private readonly spool: SpoolDirectory | undefined;
  private readonly encodings: Record<SpoolSignal, SpoolEncoding>;

  /** `protocol`: one for all signals, or each signal's (`OTEL_EXPORTER_OTLP_<SIGNAL>_PROTOCOL`). */
  constructor(settings: SpoolSettings, protocol: OtlpProtocol | Readonly<Record<SpoolSignal, OtlpProtocol>>) {
    this.dropped = new DroppedExports({
      queueBytes: DEFAULT_QUEUE_SIZE_LIMIT_BYTES,
      spoolBytes: settings.spoolDir === undefined ? undefined : settings.spoolSizeLimitBytes,
    });
    this.spool = settings.spoolDir === undefined ? undefined : new SpoolDirectory(settings.spoolDir, settings.spoolSizeLimitBytes, this.dropped);
    const encoding = (signal: SpoolSignal): SpoolEncoding => ((typeof protocol === 'string' ? protocol : protocol[signal]) === 'http/json' ? 'json' : 'pb');
    this.encodings = { traces: encoding('traces'), metrics: encoding('metrics'), logs: encoding('logs') };
  }

  /**
   * Puts the queue under one OTLP exporter (`@opentelemetry/exporter-*-otlp-*`, whose
   * `OTLPExporterBase` keeps its transport in `_delegate._transport`). If a future SDK moves it,
   * the exporter keeps its own retries and a warning says the queue is off.
   */
  wrap<T>(exporter: T, signal: SpoolSignal): T {
    const delegate = (exporter as WrappableExporter)._delegate;
    const current = delegate?._transport;
    if (delegate === undefined || current === undefined || typeof current.send !== 'function') {
      warnOnce(`${MESSAGE_PREFIX} this OTLP exporter version keeps its transport elsewhere; exports are retried by the exporter only, without the retry queue or spool`);
      return exporter;
    }
    const plain = current._transport !== undefined && typeof current._transport.send === 'function' ? current._transport : current;
    // The backend's partial rejections are said on stderr, not only to `diag`; where the delegate
    // keeps no handler of the known shape, the SDK's own stays.
    const answers = typeof delegate._responseHandler?.handleResponse === 'function' ? partialSuccessReporter(signal) : undefined;
    if (answers !== undefined) delegate._responseHandler = answers;
    const serializer = delegate._serializer;
    const transport = new QueueingTransport(plain, {
      backlog: this.spool ? new SpoolBacklog(this.spool, signal, this.encodings[signal]) : new MemoryBacklog(DEFAULT_QUEUE_SIZE_LIMIT_BYTES, this.dropped),
      dropped: this.dropped,
      drainOnStart: this.spool !== undefined,
      timeoutMillis: typeof delegate._timeout === 'number' ? delegate._timeout : undefined,
      // A replayed body's answer never reaches the delegate: the queue hands it over itself.
      onReplayAnswer:
        answers !== undefined && typeof serializer?.deserializeResponse === 'function'
          ? (data) => {
              try {
                answers.handleResponse(serializer.deserializeResponse?.(data));
              } catch {
                // An answer that does not decode has nothing to report (the SDK only logs it to diag).
              }
            }
          : undefined,
    });
    delegate._transport = transport;
    this.transports.push(transport);
    return exporter;
  }

  /** The same for a {@link SlicedProtobufExporter}: the queue goes under the SDK exporter it sends with. */
  wrapSliced<Item>(exporter: SlicedProtobufExporter<Item>, signal: SpoolSignal): SlicedProtobufExporter<Item> {
    this.wrap(exporter.sender, signal);
    return exporter;
  }

  /** Sends the backlogs now where the backend is reachable. */
  async flush(): Promise<void> {
    await Promise.allSettled(this.transports.map((transport) => transport.flush()));
  }

  /** Final drain where the backend is reachable, then stop; reports what was dropped. */
  async close(): Promise<void> {
    const lost = await Promise.allSettled(this.transports.map((transport) => transport.close()));
    for (const result of lost) {
      if (result.status === 'fulfilled' && result.value.bodies > 0) this.dropped.record(result.value.bodies, result.value.bytes, 'shutdown');
    }
    this.dropped.report();
  }
}
