// An active-span context for OpenTelemetry's `context.with`, shared by the packages that make one
// per request or per call (otelHono, tracedFetch, traceAITool). This package depends on no
// OpenTelemetry package, so the context is typed by its shape: the API's `Context` has exactly
// these three methods, and the API's own span key is `Symbol.for(description)` in every 1.x
// release (`createContextKey`). `context-with-span.test.ts` checks both against the installed API.
import { argumentError } from './values';

/** OpenTelemetry's `Context`, by shape (the API's `Context` is one). */
export interface ContextLike {
  getValue(key: symbol): unknown;
  setValue(key: symbol, value: unknown): ContextLike;
  deleteValue(key: symbol): ContextLike;
}

/** The description of the API's active-span key: `trace.setSpan` stores the span under `Symbol.for` of it. */
export const ACTIVE_SPAN_KEY_DESCRIPTION = 'OpenTelemetry Context Key SPAN';
const ACTIVE_SPAN_KEY = Symbol.for(ACTIVE_SPAN_KEY_DESCRIPTION);

/**
 * `parent` with `span` as its active span, read through the same interface as what
 * `trace.setSpan(parent, span)` returns. The API's context copies every value of `parent` into a
 * new `Map` and makes three closures on each write; this is one small object. A write to another
 * key goes to (a copy of) the parent, and a new span replaces this one, so there is never more than
 * one of these over the API's context.
 */
class ContextWithSpan implements ContextLike {
  constructor(
    private readonly parent: ContextLike,
    private readonly span: unknown,
  ) {}

  getValue(key: symbol): unknown {
    return key === ACTIVE_SPAN_KEY ? this.span : this.parent.getValue(key);
  }

  setValue(key: symbol, value: unknown): ContextLike {
    return key === ACTIVE_SPAN_KEY ? new ContextWithSpan(this.parent, value) : new ContextWithSpan(this.parent.setValue(key, value), this.span);
  }

  deleteValue(key: symbol): ContextLike {
    // Deleting the span key must also hide a span the parent holds (an extracted remote parent).
    return key === ACTIVE_SPAN_KEY ? this.parent.deleteValue(key) : new ContextWithSpan(this.parent.deleteValue(key), this.span);
  }
}

/**
 * What `trace.setSpan(parent, span)` returns, without copying `parent`: for code that makes a span
 * active once per request or call. Throws a `TypeError` when `parent` is not a context (callers
 * start spans inside their own try/catch).
 *
 * @example context.with(contextWithSpan(context.active(), span), handler)
 */
export function contextWithSpan<C extends ContextLike>(parent: C, span: object): C {
  if (parent instanceof ContextWithSpan) return parent.setValue(ACTIVE_SPAN_KEY, span) as C;
  if (typeof (parent as Partial<ContextLike> | null)?.getValue !== 'function') {
    throw argumentError('contextWithSpan', 'an OpenTelemetry context', parent);
  }
  return new ContextWithSpan(parent, span) as unknown as C;
}
