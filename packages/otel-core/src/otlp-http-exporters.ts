import { OTLPMetricExporterBase } from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPExporterBase } from '@opentelemetry/otlp-exporter-base';
import { convertLegacyHttpOptions, createOtlpHttpExportDelegate } from '@opentelemetry/otlp-exporter-base/node-http';
import {
  JsonLogsSerializer,
  JsonMetricsSerializer,
  JsonTraceSerializer,
  LogsExporterMetricsHelper,
  MetricsExporterMetricsHelper,
  ProtobufMetricsSerializer,
  TraceExporterMetricsHelper,
} from '@opentelemetry/otlp-transformer';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import type { EndpointSource, Signal } from './resolve-exporter-config';

/** Where and with which headers one signal's exporter sends. */
export interface OtlpHttpDestination {
  url: string;
  headers: Record<string, string>;
  /** `'BETTERSTACK'`: the `OTEL_EXPORTER_OTLP_*` certificate variables do not apply (see `otlpHttpOptions`). */
  source?: EndpointSource;
}

// The SDK's own agent options when no certificate variable is set (`getNodeHttpConfigurationDefaults`).
const BETTERSTACK_AGENT_OPTIONS = Object.freeze({ keepAlive: true });

/**
 * The SDK's HTTP settings for one signal's exporter (`convertLegacyHttpOptions`, as the SDK's own
 * exporters build them: `OTEL_EXPORTER_OTLP_[<SIGNAL>_]TIMEOUT` and `_COMPRESSION` still apply),
 * sending exactly `destination.headers` plus the content type.
 *
 * Why not the SDK's: it also merges `OTEL_EXPORTER_OTLP_HEADERS` and
 * `OTEL_EXPORTER_OTLP_<SIGNAL>_HEADERS` from the environment under the configured headers, into
 * every exporter whatever its URL; a signal sent to BetterStack would then carry headers (often a
 * credential) meant for another collector. `resolveExporterConfig` already put them, parsed and
 * warned about once, into the headers of the signals they belong to.
 *
 * The certificate variables (`OTEL_EXPORTER_OTLP_[<SIGNAL>_]CERTIFICATE`, `_CLIENT_KEY`,
 * `_CLIENT_CERTIFICATE`) follow the destination the same way: the SDK builds its TLS agent from
 * them for every exporter, and a `CERTIFICATE` replaces the trusted roots, so a private CA meant
 * for another collector made TLS to BetterStack fail (and a client key meant for it was offered
 * there). A signal sent to BetterStack gets the SDK's default agent instead; code-given agent
 * options win over the environment in `convertLegacyHttpOptions`.
 */
export function otlpHttpOptions(signal: Signal, destination: OtlpHttpDestination, contentType: string): ReturnType<typeof convertLegacyHttpOptions> {
  const required = { 'Content-Type': contentType };
  const httpAgentOptions = destination.source === 'BETTERSTACK' ? { ...BETTERSTACK_AGENT_OPTIONS } : undefined;
  const options = convertLegacyHttpOptions({ url: destination.url, httpAgentOptions }, signal.toUpperCase(), `v1/${signal}`, required);
  const headers = { ...destination.headers, ...required };
  return { ...options, headers: () => Promise.resolve({ ...headers }) };
}

// The SDK exporters' self-observability component types (`otel.component.type`).
const SPAN_EXPORTER = 'otlp_http_span_exporter';
const METRIC_EXPORTER = 'otlp_http_metric_exporter';
const LOG_EXPORTER = 'otlp_http_log_exporter';

// What `@opentelemetry/exporter-*-otlp-http`'s `OTLPTraceExporter`, `OTLPLogExporter` and
// `OTLPMetricExporter` (JSON) and `exporter-metrics-otlp-proto`'s `OTLPMetricExporter` build, over
// `otlpHttpOptions`. No meter provider: like those exporters by default, no otel.sdk.exporter.* metrics.

export function createJsonSpanExporter(destination: OtlpHttpDestination): OTLPExporterBase<ReadableSpan[]> {
  return new OTLPExporterBase(
    createOtlpHttpExportDelegate(otlpHttpOptions('traces', destination, 'application/json'), JsonTraceSerializer, SPAN_EXPORTER, TraceExporterMetricsHelper, undefined),
  );
}

export function createJsonLogExporter(destination: OtlpHttpDestination): OTLPExporterBase<ReadableLogRecord[]> {
  return new OTLPExporterBase(
    createOtlpHttpExportDelegate(otlpHttpOptions('logs', destination, 'application/json'), JsonLogsSerializer, LOG_EXPORTER, LogsExporterMetricsHelper, undefined),
  );
}

export function createMetricExporter(destination: OtlpHttpDestination, json: boolean): OTLPMetricExporterBase {
  const options = otlpHttpOptions('metrics', destination, json ? 'application/json' : 'application/x-protobuf');
  // The temporality preference comes from OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE, as in the SDK's exporters.
  return new OTLPMetricExporterBase(
    createOtlpHttpExportDelegate(options, json ? JsonMetricsSerializer : ProtobufMetricsSerializer, METRIC_EXPORTER, MetricsExporterMetricsHelper, undefined),
  );
}
