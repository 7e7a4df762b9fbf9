// Span contexts whose ids are known to be valid without checking them again. OpenTelemetry's
// `isSpanContextValid` runs two regular expressions over a parent's ids; a tracer runs it for every
// child span, and tracedFetch for every call inside a request. On a server that idles between
// requests that check cost about 1 µs per span (packages/benchmarks/docs/traced-fetch-cost.md).
// A tracer whose span contexts hold ids it generated itself or took from a parent that passed the
// check (valid W3C ids either way; span contexts are immutable under OpenTelemetry's specification)
// declares their class here; it and the instrumentations then skip the check for
// those parents and keep it for every other one (propagated, from another tracer). The mark is a
// registered symbol on the class's prototype: every copy of every package (CommonJS and ESM
// builds) reads the same one, with one property load.
import { argumentError } from './values';

const IDS_VALID = Symbol.for('@kira/span-context-ids-valid');

/**
 * For a tracer: instances of `spanContextClass` carry valid W3C ids (generated, or taken from a
 * parent that passed `isSpanContextValid`), never changed afterwards (span contexts are immutable
 * under OpenTelemetry's specification). Declare nothing else: a child trusts these ids unchecked.
 *
 * @example declareSpanContextIdsValid(GeneratedSpanContext);
 */
export function declareSpanContextIdsValid(spanContextClass: abstract new (...args: never[]) => object): void {
  const prototype: unknown = typeof spanContextClass === 'function' ? spanContextClass.prototype : undefined;
  if (typeof prototype !== 'object' || prototype === null) {
    throw argumentError('declareSpanContextIdsValid', 'a class of span contexts', spanContextClass);
  }
  Object.defineProperty(prototype, IDS_VALID, { value: true });
}

/**
 * Whether `spanContext` is an instance of a class declared with {@link declareSpanContextIdsValid}:
 * its ids need no `isSpanContextValid`.
 *
 * @example if (spanContextIdsKnownValid(parent) || trace.isSpanContextValid(parent)) followParent(parent);
 */
export function spanContextIdsKnownValid(spanContext: unknown): boolean {
  return typeof spanContext === 'object' && spanContext !== null && (spanContext as Record<symbol, unknown>)[IDS_VALID] === true;
}
