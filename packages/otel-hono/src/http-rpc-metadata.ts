import { createContextKey, type Context, type Span } from '@opentelemetry/api';

/**
 * The shape @opentelemetry/core's `setRPCMetadata` stores; the http instrumentation reads
 * `route` back when the response closes to set `http.route` and rename its SERVER span.
 */
export interface HttpRpcMetadata {
  type: string;
  span: Span;
  route?: string;
}

// Same description as @opentelemetry/core's RPC_METADATA key; the api's createContextKey is
// Symbol.for(description), so this is the very same key without depending on the SDK.
const RPC_METADATA_KEY = createContextKey('OpenTelemetry SDK Context Key RPC_METADATA');

/** The http instrumentation's metadata for the current inbound request, if it is active. */
export function getHttpRpcMetadata(context: Context): HttpRpcMetadata | undefined {
  const value = context.getValue(RPC_METADATA_KEY) as HttpRpcMetadata | undefined;
  return value !== undefined && value.type === 'http' && value.span !== undefined ? value : undefined;
}
