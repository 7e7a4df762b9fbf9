import type { Attributes } from '@opentelemetry/api';
import type { Instrumentation } from '@opentelemetry/instrumentation';
import type { HttpInstrumentationConfig } from '@opentelemetry/instrumentation-http';
import type { IORedisInstrumentationConfig } from '@opentelemetry/instrumentation-ioredis';
import type { UndiciInstrumentationConfig } from '@opentelemetry/instrumentation-undici';

/** OTLP/HTTP payload encoding. */
export type OtlpProtocol = 'http/protobuf' | 'http/json';

/** Configuration of the built-in instrumentations; `false` turns one off. */
export interface InstrumentationOptions {
  /**
   * Node's `http`/`https` modules, inbound (SERVER) and outbound (CLIENT) spans.
   * `inbound: false` keeps outbound spans but leaves SERVER spans to someone else
   * (for example `@kira/otel-hono`).
   * @example { http: { inbound: false } }
   */
  http?: false | (HttpInstrumentationConfig & { inbound?: boolean });
  /**
   * Node's global `fetch` (undici) and the `undici` package.
   * @example { undici: { ignoreRequestHook: (request) => request.path === '/health' } }
   */
  undici?: false | UndiciInstrumentationConfig;
  /**
   * `ioredis` commands.
   * @example { ioredis: { requireParentSpan: true } }
   */
  ioredis?: false | IORedisInstrumentationConfig;
  /**
   * Any other instrumentations to register with the same providers.
   * @example { extra: [new PgInstrumentation()] }
   */
  extra?: Instrumentation[];
}

/** Options of {@link startTelemetry}; every one overrides its environment variable. */
export interface TelemetryOptions {
  /**
   * Force telemetry on or off; overrides `KIRA_TELEMETRY` and `NODE_ENV`, but not `OTEL_SDK_DISABLED=true`.
   * @example { enabled: true }
   */
  enabled?: boolean;
  /**
   * `service.name`; default `OTEL_SERVICE_NAME`, then the nearest package.json `name`.
   * @example { serviceName: 'kira-be' }
   */
  serviceName?: string;
  /**
   * `service.version`; default the nearest package.json `version`.
   * @example { serviceVersion: '1.4.2' }
   */
  serviceVersion?: string;
  /**
   * `deployment.environment.name`; default `NODE_ENV`.
   * @example { environment: 'staging' }
   */
  environment?: string;
  /**
   * Extra resource attributes, merged over `OTEL_RESOURCE_ATTRIBUTES`.
   * @example { resourceAttributes: { 'service.namespace': 'kira' } }
   */
  resourceAttributes?: Attributes;
  /**
   * OTLP base URL for all three signals; `/v1/traces`, `/v1/metrics`, `/v1/logs` are appended.
   * Overrides `OTEL_EXPORTER_OTLP_<SIGNAL>_ENDPOINT` (with a warning). Default, per signal:
   * `OTEL_EXPORTER_OTLP_<SIGNAL>_ENDPOINT`, `OTEL_EXPORTER_OTLP_ENDPOINT`, then `https://$BETTERSTACK_HOST`.
   * @example { endpoint: 'http://127.0.0.1:4318' }
   */
  endpoint?: string;
  /**
   * Headers sent with every export, over `OTEL_EXPORTER_OTLP_[<SIGNAL>_]HEADERS` (sent to OTLP URLs) or the BetterStack Bearer token.
   * @example { headers: { authorization: 'Bearer abc' } }
   */
  headers?: Record<string, string>;
  /**
   * OTLP encoding of all three signals; default `OTEL_EXPORTER_OTLP_<SIGNAL>_PROTOCOL`, `OTEL_EXPORTER_OTLP_PROTOCOL`, then `http/protobuf`.
   * @example { protocol: 'http/json' }
   */
  protocol?: OtlpProtocol;
  /**
   * Ratio of the `OTEL_TRACES_SAMPLER` (default `ParentBased(TraceIdRatioBased(ratio))`); default `OTEL_TRACES_SAMPLER_ARG`, then 0.1.
   * @example { sampleRatio: 1 }
   */
  sampleRatio?: number;
  /**
   * Metric export period in ms; default `OTEL_METRIC_EXPORT_INTERVAL`, then 30000.
   * @example { metricExportIntervalMillis: 60_000 }
   */
  metricExportIntervalMillis?: number;
  /**
   * Timeout of one metric export in ms (clamped to the interval); default `OTEL_METRIC_EXPORT_TIMEOUT`, then 30000.
   * @example { metricExportTimeoutMillis: 10_000 }
   */
  metricExportTimeoutMillis?: number;
  /**
   * Built-in instrumentations (all on by default) and extra ones.
   * @example { instrumentations: { http: { inbound: false }, ioredis: false } }
   */
  instrumentations?: InstrumentationOptions;
  /**
   * `'trace'`: keep `info`/`debug` records only when the active span is sampled; `warn`/`error` are always kept.
   * @example { logSampling: 'trace' }
   */
  logSampling?: 'all' | 'trace';
  /**
   * When telemetry is off, `getLogger()` prints readable lines to the console; `false` silences them.
   * @example { console: false }
   */
  console?: boolean;
  /**
   * Upper bound in ms for the flush + shutdown run on SIGTERM/SIGINT or when the process runs out of work. Default 5000.
   * @example { shutdownTimeoutMillis: 2000 }
   */
  shutdownTimeoutMillis?: number;
  /**
   * Flush and shut down on SIGTERM/SIGINT and on 'beforeExit' (never calls `process.exit`). Default true.
   * @example { shutdownOnExit: false }
   */
  shutdownOnExit?: boolean;
  /**
   * Directory where encoded export bodies are kept while the backend is unreachable, so a long
   * outage or a restart loses nothing; default `KIRA_TELEMETRY_SPOOL_DIR`, else no spool
   * (bodies wait in a bounded in-memory queue). Shared safely by several processes.
   * @example { spoolDir: '/var/lib/kira-be/telemetry-spool' }
   */
  spoolDir?: string;
  /**
   * Cap of the spool directory in bytes, all signals together; past it the oldest bodies are
   * deleted and counted. Default `KIRA_TELEMETRY_SPOOL_SIZE_LIMIT_BYTES`, then 64 MiB.
   * @example { spoolSizeLimitBytes: 256 * 1024 * 1024 }
   */
  spoolSizeLimitBytes?: number;
}

/** What {@link startTelemetry} returns; a frozen no-op when telemetry is off. */
export interface TelemetryHandle {
  /** Whether spans, metrics and logs are being exported. */
  readonly enabled: boolean;
  /** Flushes everything pending and stops exporting; safe to call more than once. */
  shutdown(): Promise<void>;
  /** Exports everything pending now. */
  forceFlush(): Promise<void>;
}

/** The outcome of the on/off rule (`@kira/conventions`). */
export type { TelemetryDecision } from '@kira/conventions';

/** Options of {@link resolveTelemetryEnabled}. */
export interface TelemetryEnableOptions {
  /**
   * Overrides `KIRA_TELEMETRY` and `NODE_ENV` (not `OTEL_SDK_DISABLED=true`).
   * @example { enabled: false }
   */
  enabled?: boolean;
}

/**
 * The body of a {@link KiraLogger} record: a message, or a structured object (sent as a map).
 * Either way it is sanitized before it leaves the process (see the package README).
 * @example logger.info({ event: 'image_generated', model: 'flux-dev', size: '1024x1024' })
 */
export type KiraLogBody = string | { readonly [key: string]: unknown };

/**
 * A small structured logger over the OpenTelemetry logs API. Bodies and attributes go through
 * `sanitize` from `@kira/conventions` when a record is written (never while the logger is silent).
 */
export interface KiraLogger {
  error(body: KiraLogBody, attributes?: Attributes): void;
  warn(body: KiraLogBody, attributes?: Attributes): void;
  info(body: KiraLogBody, attributes?: Attributes): void;
  /** Dropped when `NODE_ENV=production`. */
  debug(body: KiraLogBody, attributes?: Attributes): void;
}
