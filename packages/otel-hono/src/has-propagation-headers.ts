import { propagation } from '@opentelemetry/api';
import { registeredOpenTelemetryGlobal } from '@kira/conventions';

type HeaderRecord = Record<string, string | string[] | undefined>;

// `propagation.fields()` builds a fresh array per call: ask once per registered propagator (a
// replaced one is another object).
let cachedPropagator: unknown;
let cachedFields: readonly string[] = [];

function propagatorFields(): readonly string[] {
  const propagator = registeredOpenTelemetryGlobal('propagation');
  // None registered (the API's no-op has no fields), or a registry layout this package does not
  // know: ask every time, which is always right.
  if (propagator === undefined) return lowerCased(propagation.fields());
  if (propagator !== cachedPropagator) {
    cachedFields = lowerCased(propagation.fields());
    cachedPropagator = propagator;
  }
  return cachedFields;
}

// Node lower-cases incoming header names; Headers lookups ignore case anyway.
function lowerCased(fields: string[]): string[] {
  return fields.map((field) => field.toLowerCase());
}

/**
 * Whether the request carries any header the global propagator reads (`traceparent`,
 * `tracestate`, `baggage` with otel-core's W3C propagators; B3's or Jaeger's headers with
 * theirs). Without one, `propagation.extract` would return the active context unchanged. (A
 * propagator reading headers it does not list in `fields()`, such as Jaeger's `uberctx-*`
 * baggage, is only consulted when one of its listed headers is present.)
 */
export function hasPropagationHeaders(headers: HeaderRecord): boolean {
  for (const field of propagatorFields()) if (headers[field] !== undefined) return true;
  return false;
}

/** {@link hasPropagationHeaders} for a Fetch `Headers` (other runtimes, `app.request()`). */
export function hasPropagationHeadersIn(headers: Pick<Headers, 'has'>): boolean {
  for (const field of propagatorFields()) if (headers.has(field)) return true;
  return false;
}
