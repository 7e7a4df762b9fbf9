// `context.with` for the packages that run the caller's code inside their span's context
// (otelHono around `next`, tracedFetch around `fetch`, traceAITool around the tool). A context
// manager is the user's to register, and a broken one throws from `with`: before calling the
// function, or after it, while restoring the previous context. Neither may fail the caller's work
// or run it twice (telemetry never breaks its host). This package depends on no OpenTelemetry
// package, so the API's context manager is typed by the one method used.
import { argumentError } from './values';

/** The part of OpenTelemetry's `ContextAPI` (`context` from `@opentelemetry/api`) used here. */
export interface ContextRunner<C> {
  with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(context: C, fn: F, thisArg?: ThisParameterType<F>, ...args: A): ReturnType<F>;
}

const NOT_CALLED = 0;
const RETURNED = 1;
const THREW = 2;

/**
 * One call's record: whether the function ran and how it ended. A class, so a call allocates one
 * object of a fixed shape and the function handed to `with` is the shared `run` method with the
 * record as `this`, not a closure per call. (OpenTelemetry's async-hooks manager binds `run` to
 * the record, one bound function per call. A version without either, the record kept in module
 * variables saved and restored around each run, was tried on 2026-12-06: around a real `fetch` it
 * measured about 1 µs slower per call, not faster, in three alternating micro runs.)
 */
class ContextRun<R> {
  state: typeof NOT_CALLED | typeof RETURNED | typeof THREW = NOT_CALLED;
  result: R | undefined;
  error: unknown;

  constructor(private readonly fn: () => R) {}

  run(): R {
    // A manager that calls its function twice gets the first run's outcome: `fn` never runs twice.
    if (this.state === RETURNED) return this.result as R;
    if (this.state === THREW) throw this.error;
    try {
      const result = this.fn();
      this.result = result;
      this.state = RETURNED;
      return result;
    } catch (error) {
      this.error = error;
      this.state = THREW;
      throw error;
    }
  }
}

/**
 * `contexts.with(context, fn)`, except when the context manager itself throws:
 * - before `fn` ran: `fn` runs once in the caller's context (untraced, not failed);
 * - after `fn` returned: its result is returned;
 * - after `fn` threw: `fn`'s own error is rethrown, not the manager's.
 *
 * `onContextFailure` hears the manager's error each time (a warning, say). A throw from `fn` is the
 * caller's, rethrown unchanged; `fn` never runs twice. Arguments of the wrong kind get a
 * `TypeError` naming the function, before anything runs.
 *
 * @example
 * await runInContext(context, contextWithSpan(parent, span), next, (error) => warn('context.with failed', error));
 */
export function runInContext<C, R>(contexts: ContextRunner<C>, context: C, fn: () => R, onContextFailure: (error: unknown) => void): R {
  if (typeof (contexts as Partial<ContextRunner<C>> | null)?.with !== 'function') {
    throw argumentError('runInContext', "OpenTelemetry's context API (an object with a with method)", contexts);
  }
  if (typeof fn !== 'function') throw argumentError('runInContext', 'a function to run', fn, ' as fn');
  if (typeof onContextFailure !== 'function') throw argumentError('runInContext', 'a function', onContextFailure, ' as onContextFailure');
  const call = new ContextRun(fn);
  try {
    // eslint-disable-next-line @typescript-eslint/unbound-method -- called with the record as `this`, by `with`
    return contexts.with(context, call.run, call);
  } catch (managerError) {
    if (call.state === THREW && managerError === call.error) throw managerError;
    try {
      onContextFailure(managerError);
    } catch {
      // The report of a failure failed too: nothing is left to tell, and the call still goes on.
    }
    if (call.state === THREW) throw call.error;
    if (call.state === RETURNED) return call.result as R;
    return fn();
  }
}
