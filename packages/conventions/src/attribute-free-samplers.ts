// Which tracer providers sample without reading span attributes. OpenTelemetry asks instrumentations
// to pass the attributes they know at span start, so a sampler can read them; building them costs
// as much as the rest of a dropped span. @kira/otel-core's sampler, ParentBased(TraceIdRatioBased),
// decides from the trace id and the parent alone, and says so here; instrumentations (tracedFetch)
// then start the span bare and set the attributes only when it records. Every other provider gets
// the attributes at start. On globalThis under a registered symbol: one registry for every copy of
// every package (CommonJS and ESM builds).
const REGISTRY_KEY = Symbol.for('@kira/attribute-free-samplers');

function registry(): WeakSet<object> {
  const holder = globalThis as { [REGISTRY_KEY]?: WeakSet<object> };
  return (holder[REGISTRY_KEY] ??= new WeakSet());
}

/**
 * For the owner of a tracer provider: its sampler never reads the attributes passed at span start.
 *
 * @example declareSamplerIgnoresAttributes(tracerProvider);
 */
export function declareSamplerIgnoresAttributes(tracerProvider: object): void {
  registry().add(tracerProvider);
}

/**
 * Whether `tracerProvider` (or the provider a global proxy delegates to) declared that its sampler
 * never reads start attributes.
 *
 * @example if (samplerIgnoresAttributes(provider)) span.setAttributes(attributes) // after start, only when recording
 */
export function samplerIgnoresAttributes(tracerProvider: object): boolean {
  const known = registry();
  if (known.has(tracerProvider)) return true;
  // The API's ProxyTracerProvider (what trace.getTracerProvider() returns) delegates to the SDK's.
  const getDelegate = (tracerProvider as { getDelegate?: unknown }).getDelegate;
  if (typeof getDelegate !== 'function') return false;
  const delegate: unknown = getDelegate.call(tracerProvider);
  return typeof delegate === 'object' && delegate !== null && known.has(delegate);
}
