// Which tracer providers sample without reading span attributes. OpenTelemetry asks instrumentations
// to pass the attributes they know at span start, so a sampler can read them; building them costs
// as much as the rest of a dropped span. @kira/otel-core's sampler, ParentBased(TraceIdRatioBased),
// decides from the trace id and the parent alone, and says so here; instrumentations (tracedFetch)
// then start the span bare and set the attributes only when it records. Every other provider gets
// the attributes at start. On globalThis under a registered symbol: one registry for every copy of
// every package (CommonJS and ESM builds).
//
// The same sampler also follows its parent: a child of a parent that is not sampled is never
// sampled either. It declares that too, in a second registry; tracedFetch then starts no span of
// its own under an unsampled parent where nothing could tell the difference (see its README).
import { argumentError, isObjectLike } from './values';

const REGISTRY_KEY = Symbol.for('@kira/attribute-free-samplers');
const FOLLOWS_PARENT_KEY = Symbol.for('@kira/parent-following-samplers');

function registry(key: symbol): WeakSet<object> {
  const holder = globalThis as Record<symbol, WeakSet<object> | undefined>;
  return (holder[key] ??= new WeakSet());
}

/** Adds `tracerProvider` to the registry; the owner of the provider calls this once, at set-up. */
function declare(key: symbol, fn: string, tracerProvider: unknown): void {
  if (!isObjectLike(tracerProvider)) throw argumentError(fn, 'the tracer provider as an object', tracerProvider);
  registry(key).add(tracerProvider);
}

/** Whether `tracerProvider`, or the provider a global proxy delegates to, is in the registry. */
function declared(key: symbol, tracerProvider: object): boolean {
  // Asked per tracer provider an instrumentation is given: anything else never declared anything.
  if (!isObjectLike(tracerProvider)) return false;
  const known = registry(key);
  if (known.has(tracerProvider)) return true;
  // The API's ProxyTracerProvider (what trace.getTracerProvider() returns) delegates to the SDK's.
  const getDelegate = (tracerProvider as { getDelegate?: unknown }).getDelegate;
  if (typeof getDelegate !== 'function') return false;
  const delegate: unknown = getDelegate.call(tracerProvider);
  return typeof delegate === 'object' && delegate !== null && known.has(delegate);
}

/**
 * For the owner of a tracer provider: its sampler never reads the attributes passed at span start.
 *
 * @example declareSamplerIgnoresAttributes(tracerProvider);
 */
export function declareSamplerIgnoresAttributes(tracerProvider: object): void {
  declare(REGISTRY_KEY, 'declareSamplerIgnoresAttributes', tracerProvider);
}

/**
 * Whether `tracerProvider` (or the provider a global proxy delegates to) declared that its sampler
 * never reads start attributes.
 *
 * @example if (samplerIgnoresAttributes(provider)) span.setAttributes(attributes) // after start, only when recording
 */
export function samplerIgnoresAttributes(tracerProvider: object): boolean {
  return declared(REGISTRY_KEY, tracerProvider);
}

/**
 * For the owner of a tracer provider: its sampler never samples a span whose parent (local or
 * remote) is valid and not sampled, as `ParentBased` with its default `localParentNotSampled` /
 * `remoteParentNotSampled` (AlwaysOff) does.
 *
 * @example declareSamplerFollowsParent(tracerProvider);
 */
export function declareSamplerFollowsParent(tracerProvider: object): void {
  declare(FOLLOWS_PARENT_KEY, 'declareSamplerFollowsParent', tracerProvider);
}

/**
 * Whether `tracerProvider` (or the provider a global proxy delegates to) declared that children of
 * unsampled parents are never sampled.
 *
 * @example if (samplerFollowsParent(provider) && !parentSampled) return; // the span could never record
 */
export function samplerFollowsParent(tracerProvider: object): boolean {
  return declared(FOLLOWS_PARENT_KEY, tracerProvider);
}
