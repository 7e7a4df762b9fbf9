// Fault injection for the packages' "a broken context manager never breaks the host" tests: the
// user registers the context manager, and one that throws from `with` must cost the telemetry its
// context, never the caller's work.
import { context } from '@opentelemetry/api';

/** Where the broken `with` throws: before calling its function, or after it (while restoring). */
export type ContextWithBreakage = 'before' | 'after';

export interface BrokenContextWith {
  /** The errors the broken call threw (one once it happened, none before). */
  readonly thrown: Error[];
  /** Puts the real `with` back if the broken call never happened. Safe to call twice. */
  restore(): void;
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
  // `with` is a method of the API's singleton; an own property shadows it until restore.
  const api = context as { with: typeof context.with };
  const restore = () => {
    if (Object.prototype.hasOwnProperty.call(api, 'with')) delete (api as Partial<typeof api>).with;
  };
  api.with = function brokenWith(this: typeof context, ...args: Parameters<typeof context.with>) {
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
  } as typeof context.with;
  return { thrown, restore };
}
