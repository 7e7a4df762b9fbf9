import { createContextKey, type Context } from '@opentelemetry/api';

/**
 * The one place this package reaches into OpenTelemetry internals.
 *
 * `@opentelemetry/core`'s `suppressTracing(context)` is public, but only in the SDK's core package,
 * and this package may depend on `@opentelemetry/api` alone (a runtime library must never pull an
 * SDK into a service). The API has no suppress function, so the key is re-created here: the API's
 * `createContextKey(description)` is `Symbol.for(description)`, so the same description gives the
 * very key core uses. `opentelemetry-internals.test.ts` checks it against the installed
 * `@opentelemetry/core` and fails naming the key if a release changes it.
 */
export const SUPPRESS_TRACING_KEY_DESCRIPTION = 'OpenTelemetry SDK Context Key SUPPRESS_TRACING';
const SUPPRESS_TRACING_KEY = createContextKey(SUPPRESS_TRACING_KEY_DESCRIPTION);

/**
 * `context` with tracing suppressed: the undici instrumentation starts no span in it and the W3C
 * propagator injects no header.
 */
export function suppressTracing(context: Context): Context {
  return context.setValue(SUPPRESS_TRACING_KEY, true);
}
