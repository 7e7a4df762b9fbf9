import type { IncomingHttpHeaders } from 'node:http';
import type { OtlpSignal, ParsedEnvelope } from '@kira/telemetry-wire';
import type { Attributes } from '@opentelemetry/api';
import type { ReadableLogRecord, LoggerProvider } from '@opentelemetry/sdk-logs';
import type { MeterProvider, MetricData } from '@opentelemetry/sdk-metrics';
import type { ReadableSpan, Sampler, TracerProvider } from '@opentelemetry/sdk-trace';

export interface TestSdkOptions {
  /** Sampler for the tracer provider; default AlwaysOn. Example: `{ sampler: new AlwaysOffSampler() }` */
  sampler?: Sampler;
  /** Extra resource attributes. Example: `{ resourceAttributes: { 'service.name': 'svc' } }` */
  resourceAttributes?: Attributes;
  /**
   * Register the providers, an AsyncLocalStorage context manager and the W3C propagator as the
   * OpenTelemetry globals (default true); `shutdown()` unregisters them. Example: `{ registerGlobal: false }`
   */
  registerGlobal?: boolean;
}

export interface TestSdk {
  tracerProvider: TracerProvider;
  meterProvider: MeterProvider;
  loggerProvider: LoggerProvider;
  /** Finished spans, in end order. */
  spans(): ReadableSpan[];
  spanByName(name: string): ReadableSpan | undefined;
  logs(): ReadableLogRecord[];
  /** Collects now; flat over all scopes; cumulative temporality. */
  collectMetrics(): Promise<MetricData[]>;
  metric(name: string): Promise<MetricData | undefined>;
  /** Clears spans and logs (metrics are cumulative and stay). */
  reset(): void;
  shutdown(): Promise<void>;
}

export interface CapturedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  contentType: string;
  signal: OtlpSignal | undefined;
  /**
   * Decoded Export{Trace,Metrics,Logs}ServiceRequest in OTLP/JSON shape (lowerCamelCase fields,
   * ids as lowercase hex, enums as numbers, int64 as strings or numbers). Raw Buffer when the
   * path is not an OTLP signal or the body could not be decoded (see `decodeError`).
   */
  body: any;
  /** The (gunzipped) request body bytes. */
  rawBody: Buffer;
  /** Set when the body of an OTLP signal request could not be decoded. */
  decodeError?: string;
}

export interface OtlpCaptureResponse {
  status: number;
  headers?: Record<string, string>;
  body?: string | Buffer;
}

export interface OtlpCaptureServerOptions {
  /** Port on 127.0.0.1; default 0 (a free one). Example: `{ port: 0 }` */
  port?: number;
  /**
   * Override the answer for a request; return undefined for the default (200, empty response).
   * Example: `{ respond: () => ({ status: 503 }) }`
   */
  respond?: (request: CapturedRequest) => OtlpCaptureResponse | undefined;
  /** PEM key and certificate: serve HTTPS (`url` is then `https://127.0.0.1:PORT`). Example: `{ tls: selfSignedCertificate(dir) }` */
  tls?: { key: string; cert: string };
}

export interface OtlpCaptureServer {
  /** "http://127.0.0.1:PORT" ("https://…" with `tls`) — append /v1/traces etc. */
  url: string;
  port: number;
  requests: CapturedRequest[];
  waitFor(predicate: (request: CapturedRequest) => boolean, timeoutMs?: number): Promise<CapturedRequest>;
  /** Every span of every captured trace request, flattened. */
  spans(): FlatSpan[];
  logs(): FlatLogRecord[];
  metrics(): FlatMetric[];
  reset(): void;
  close(): Promise<void>;
}

export interface FlatSpan {
  resource: Record<string, unknown>;
  scope: string;
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes: Record<string, unknown>;
  status: { code: number; message?: string };
  events: Array<{ name: string; attributes: Record<string, unknown> }>;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
}

export interface FlatLogRecord {
  resource: Record<string, unknown>;
  scope: string;
  severityNumber: number;
  severityText?: string;
  body: unknown;
  attributes: Record<string, unknown>;
  traceId?: string;
  spanId?: string;
  timeUnixNano: string;
}

export interface FlatMetricPoint {
  attributes: Record<string, unknown>;
  value?: number;
  count?: number;
  sum?: number;
  bucketCounts?: number[];
  explicitBounds?: number[];
  min?: number;
  max?: number;
  startTimeUnixNano: string;
  timeUnixNano: string;
}

export interface FlatMetric {
  resource: Record<string, unknown>;
  scope: string;
  name: string;
  unit: string;
  description: string;
  type: 'gauge' | 'sum' | 'histogram' | 'exponentialHistogram' | 'summary';
  points: FlatMetricPoint[];
  isMonotonic?: boolean;
  aggregationTemporality?: number;
}

/** An envelope item as the sink reports it: payload JSON-parsed when possible, else the Buffer. */
export interface SentryItem {
  headers: Record<string, unknown>;
  payload: any;
}

export interface SentryEnvelopeRecord extends ParsedEnvelope {
  projectId: string;
  /** `sentry_key` from the X-Sentry-Auth header or the query string. */
  publicKey: string | undefined;
  /** The raw X-Sentry-Auth header, when sent. */
  auth: string | undefined;
  path: string;
}

export interface SentrySink {
  url: string;
  port: number;
  /** "http://<key>@127.0.0.1:PORT/<project>"; defaults project "1", key "public". */
  dsn(projectId?: string, publicKey?: string): string;
  envelopes: SentryEnvelopeRecord[];
  items(type?: string): SentryItem[];
  /** Items of type "event". */
  events(): any[];
  /** Items of type "transaction". */
  transactions(): any[];
  waitFor(predicate: (item: SentryItem) => boolean, timeoutMs?: number): Promise<SentryItem>;
  reset(): void;
  close(): Promise<void>;
}

export interface EnableRuleCase {
  name: string;
  env: Record<string, string>;
  option?: boolean;
  enabled: boolean;
}
