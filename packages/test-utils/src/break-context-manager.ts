// Fault injection for the packages' "a broken context manager never breaks the host" tests: the
// user registers the context manager, and one that throws must cost the telemetry its context,
// never the caller's work.
import { context } from '@opentelemetry/api';

/** Where the broken `with` throws: before calling its function, or after it (while restoring). */
export type ContextWithBreakage = 'before' | 'after';

export interface BrokenContextWith {
  /** The errors the broken call threw (one once it happened, none before). */
  readonly thrown: Error[];
  /** Puts the real `with` back if the broken call never happened. Safe to call twice. */
  restore(): void;
}

export interface BrokenContextActive {
  /** The errors `context.active()` threw, one per call since the breakage. */
  readonly thrown: Error[];
  /** Puts the real `active` back. Safe to call twice. */
  restore(): void;
}

type ContextApi = typeof context;

/**
 * Shadows one method of the API's `context` singleton with an own property until the returned
 * function removes it again (the prototype's method is never touched, so nothing else is lost).
 */
function shadowContextMethod<Name extends 'active' | 'with'>(name: Name, replacement: ContextApi[Name]): () => void {
  const api = context as Pick<ContextApi, Name>;
  api[name] = replacement;
  return () => {
    if (Object.prototype.hasOwnProperty.call(api, name)) delete (api as Partial<Pick<ContextApi, Name>>)[name];
  };
}

/**
 * Makes the next `context.with` call throw, as a broken context manager's would; every later call
 * is the real one again (the SDK's own processors use `with` too, and must keep working).
 * - `before`: throws without calling the function;
 * - `after`: calls the function through the real `with`, then throws its own error, whatever the
 *   function returned or threw (a manager whose restore step fails masks the function's outcome).
 */
export function breakNextContextWith(breakage: ContextWithBreakage): BrokenContextWith {
  const thrown: Error[] = [];
  const restore = shadowContextMethod('with', function brokenWith(this: ContextApi, ...args: Parameters<ContextApi['with']>) {
    restore();
    const error = new Error(`broken context manager: with() failed ${breakage === 'before' ? 'before calling its function' : 'after its function'}`);
    thrown.push(error);
    if (breakage === 'after') {
      try {
        context.with(...args);
      } catch {
        // Masked by the manager's own error below, as a throwing `finally` would mask it.
      }
    }
    throw error;
  } as ContextApi['with']);
  return { thrown, restore };
}

/**
 * Makes every `context.active()` call throw until `restore()`, as a broken context manager's
 * would when the active context is read.
 */
export function breakContextActive(): BrokenContextActive {
  const thrown: Error[] = [];
  const restore = shadowContextMethod('active', function brokenActive(): never {
    const error = new Error('broken context manager: active() failed');
    thrown.push(error);
    throw error;
  });
  return { thrown, restore };
}
