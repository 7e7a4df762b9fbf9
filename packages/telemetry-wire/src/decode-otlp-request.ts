import type protobuf from 'protobufjs';
import { otlpContentKind } from './otlp-content-kind';
import { OtlpDecodeError } from './otlp-decode-error';
import { resolveOtlpJsonEnums } from './otlp-enums';
import { withOtlpJsonFieldNames } from './otlp-json-field-names';
import { otlpMessageToJson } from './otlp-message-to-json';
import { otlpTypes } from './otlp-proto-root';
import type { OtlpSignal } from './types';

const topLevelKey: Record<OtlpSignal, string> = {
  traces: 'resourceSpans',
  metrics: 'resourceMetrics',
  logs: 'resourceLogs',
};

/**
 * Decodes an Export{Trace,Metrics,Logs}ServiceRequest body (already decompressed) into the
 * OTLP/JSON shape: lowerCamelCase fields (a JSON body may use the proto field names,
 * `"resource_spans"`, `"trace_id"`, see {@link withOtlpJsonFieldNames}), trace/span ids as
 * lowercase hex, enums as numbers
 * (a JSON body may give them by their proto name, `"SPAN_KIND_SERVER"`; an unknown name is a
 * malformed body, see {@link resolveOtlpJsonEnums}), 64-bit integers as decimal strings (JSON
 * input may also carry numbers), `bytesValue` as base64.
 * Throws OtlpDecodeError (`reason` tells 400 from 415).
 * Example: `decodeOtlpRequest('traces', body, 'application/x-protobuf').resourceSpans`
 */
export function decodeOtlpRequest(signal: OtlpSignal, body: Buffer | Uint8Array, contentType: string): Record<string, unknown> {
  const kind = otlpContentKind(contentType);
  if (kind === undefined) {
    throw new OtlpDecodeError(`unsupported content type "${contentType}" (expected application/x-protobuf or application/json)`, 'unsupported-content-type');
  }
  if (!(signal in topLevelKey)) throw new OtlpDecodeError(`unknown OTLP signal "${String(signal)}"`);
  return kind === 'protobuf' ? decodeProtobuf(signal, body) : decodeJson(signal, body);
}

function decodeProtobuf(signal: OtlpSignal, body: Buffer | Uint8Array): Record<string, unknown> {
  const type = otlpTypes().request[signal];
  let decoded: protobuf.Message;
  try {
    decoded = type.decode(body);
  } catch (error) {
    throw new OtlpDecodeError(`invalid protobuf ${type.name}: ${(error as Error).message}`, 'malformed', { cause: error });
  }
  return otlpMessageToJson(type, decoded);
}

function decodeJson(signal: OtlpSignal, body: Buffer | Uint8Array): Record<string, unknown> {
  const text = Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new OtlpDecodeError(`invalid JSON: ${(error as Error).message}`, 'malformed', { cause: error });
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new OtlpDecodeError('OTLP/JSON request body must be a JSON object');
  }
  // Before anything reads a field: the checks below and the enum walk know the lowerCamelCase names.
  const request = withOtlpJsonFieldNames(text, parsed as Record<string, unknown>);
  const list = request[topLevelKey[signal]];
  if (list !== undefined && !Array.isArray(list)) {
    throw new OtlpDecodeError(`OTLP/JSON field "${topLevelKey[signal]}" must be an array`);
  }
  resolveOtlpJsonEnums(signal, request);
  return request;
}
