import { otlpContentKind } from './otlp-content-kind';
import { otlpTypes } from './otlp-proto-root';
import type { OtlpSignal } from './types';

const rejectedField: Record<OtlpSignal, string> = {
  traces: 'rejectedSpans',
  metrics: 'rejectedDataPoints',
  logs: 'rejectedLogRecords',
};

/**
 * Encodes an Export*ServiceResponse in the request's encoding (JSON when the content type is
 * application/json, protobuf otherwise); `partialSuccess` is set only when something was rejected
 * or a message is given. Example: `encodeOtlpResponse('traces', { rejected: 2, errorMessage: 'bad ids' }, 'application/json')`
 */
export function encodeOtlpResponse(
  signal: OtlpSignal,
  result: { rejected?: number; errorMessage?: string } = {},
  contentType = 'application/x-protobuf',
): Buffer {
  const partialSuccess: Record<string, unknown> = {};
  if (result.rejected) partialSuccess[rejectedField[signal]] = result.rejected;
  if (result.errorMessage) partialSuccess.errorMessage = result.errorMessage;
  const hasPartialSuccess = Object.keys(partialSuccess).length > 0;

  if (otlpContentKind(contentType) === 'json') {
    if (!hasPartialSuccess) return Buffer.from('{}');
    // proto3 JSON mapping writes int64 as a decimal string.
    const json: Record<string, unknown> = { ...partialSuccess };
    if (json[rejectedField[signal]] !== undefined) json[rejectedField[signal]] = String(json[rejectedField[signal]]);
    return Buffer.from(JSON.stringify({ partialSuccess: json }));
  }
  const type = otlpTypes().response[signal];
  const message = type.fromObject(hasPartialSuccess ? { partialSuccess } : {});
  return Buffer.from(type.encode(message).finish());
}

/**
 * Encodes a google.rpc.Status, the body OTLP/HTTP sends with 4xx/5xx answers.
 * Example: `encodeOtlpStatus(3, 'invalid protobuf', 'application/x-protobuf')`
 */
export function encodeOtlpStatus(code: number, message: string, contentType = 'application/x-protobuf'): Buffer {
  if (otlpContentKind(contentType) === 'json') return Buffer.from(JSON.stringify({ code, message }));
  const type = otlpTypes().status;
  return Buffer.from(type.encode(type.fromObject({ code, message })).finish());
}
