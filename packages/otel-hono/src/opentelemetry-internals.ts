import { createContextKey, type Context, type Span } from '@opentelemetry/api';

// The one place this package reaches into OpenTelemetry internals (the API's globals registry,
// which tells when telemetry is off, is read by @kira/conventions for every package). It may depend on
// `@opentelemetry/api` alone (a runtime library must never pull an SDK into a service), and the
// API offers no public way to do the things below. `opentelemetry-internals.test.ts`
// checks each against the installed @opentelemetry/* packages and fails naming the key.

/**
 * The shape @opentelemetry/core's `setRPCMetadata` stores; the http instrumentation reads
 * `route` back when the response closes to set `http.route` and rename its SERVER span.
 */
export interface HttpRpcMetadata {
  type: string;
  span: Span;
  route?: string;
}

/**
 * `getRPCMetadata` is public only in `@opentelemetry/core` (an SDK package). The API's
 * `createContextKey(description)` is `Symbol.for(description)`, so the same description is the
 * very key core uses.
 */
export const RPC_METADATA_KEY_DESCRIPTION = 'OpenTelemetry SDK Context Key RPC_METADATA';
const RPC_METADATA_KEY = createContextKey(RPC_METADATA_KEY_DESCRIPTION);

/** The http instrumentation's metadata for the current inbound request, if it is active. */
export function getHttpRpcMetadata(context: Context): HttpRpcMetadata | undefined {
  const value = context.getValue(RPC_METADATA_KEY) as HttpRpcMetadata | undefined;
  return value !== undefined && value.type === 'http' && value.span !== undefined ? value : undefined;
}
