import path from 'node:path';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';
import type { OtlpSignal } from './types';

// Both src/*.ts (tests) and the bundled dist/index.js sit one level below the package root.
const protoDirectory = fileURLToPath(new URL('../proto/', import.meta.url));

const serviceFiles = [
  'opentelemetry/proto/collector/trace/v1/trace_service.proto',
  'opentelemetry/proto/collector/metrics/v1/metrics_service.proto',
  'opentelemetry/proto/collector/logs/v1/logs_service.proto',
  'google/rpc/status.proto',
];

const requestTypeNames: Record<OtlpSignal, string> = {
  traces: 'opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest',
  metrics: 'opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest',
  logs: 'opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest',
};

const responseTypeNames: Record<OtlpSignal, string> = {
  traces: 'opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse',
  metrics: 'opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceResponse',
  logs: 'opentelemetry.proto.collector.logs.v1.ExportLogsServiceResponse',
};

export interface OtlpTypes {
  request: Record<OtlpSignal, protobuf.Type>;
  response: Record<OtlpSignal, protobuf.Type>;
  status: protobuf.Type;
}

let cached: OtlpTypes | undefined;

/** Parses the .proto files once per process; every decode after that reuses the generated codecs. */
export function otlpTypes(): OtlpTypes {
  if (cached) return cached;
  const root = new protobuf.Root();
  root.resolvePath = (_origin, target) => path.join(protoDirectory, target);
  root.loadSync(serviceFiles, { keepCase: false });
  root.resolveAll();
  const lookup = (name: string) => root.lookupType(name);
  cached = {
    request: {
      traces: lookup(requestTypeNames.traces),
      metrics: lookup(requestTypeNames.metrics),
      logs: lookup(requestTypeNames.logs),
    },
    response: {
      traces: lookup(responseTypeNames.traces),
      metrics: lookup(responseTypeNames.metrics),
      logs: lookup(responseTypeNames.logs),
    },
    status: lookup('google.rpc.Status'),
  };
  return cached;
}

/** Absolute path of the shipped .proto folder (for tools that want to load it themselves). */
export const otlpProtoDirectory = protoDirectory;
