/**
 * Handling values of any type safely: what telemetry needs when it turns a caller's value into
 * text, and what a public function needs to say what it was given instead of what it expects.
 * None of these throw, whatever the value: a symbol, a bigint, a cyclic object, a 4 MB string,
 * a null-prototype object, a Proxy whose traps throw.
 */

/** What {@link safeString} records for a value whose conversion to text throws. */
export const UNPRINTABLE = '[unprintable]';

/**
 * `String(value)`, as a template literal writes it, or {@link UNPRINTABLE} when the conversion
 * throws (a null-prototype object, a `toString` that throws). For values that end up in telemetry
 * (an exception message, a status). An error message may describe such a value instead: pass
 * {@link describeValue} as `describeUnprintable`.
 *
 * @example safeString(Object.create(null)) // '[unprintable]'
 * @example safeString(Object.create(null), describeValue) // 'an object without properties'
 */
export function safeString(value: unknown, describeUnprintable?: (value: unknown) => string): string {
  if (typeof value === 'string') return value;
  try {
    return String(value);
  } catch {
    return typeof describeUnprintable === 'function' ? describeUnprintable(value) : UNPRINTABLE;
  }
}

/**
 * A short description of any value for an error message: its kind and size, never its content
 * beyond 40 characters of a string or five property names.
 *
 * @example describeValue(null) // 'null'; describeValue('x'.repeat(100)) // 'a string of 100 characters'
 */
export function describeValue(value: unknown): string {
  try {
    switch (typeof value) {
      case 'string':
        return value.length <= 40 ? `the string ${JSON.stringify(value)}` : `a string of ${value.length} characters`;
      case 'number':
      case 'boolean':
        return `${typeof value} ${String(value)}`;
      case 'bigint':
        return `the bigint ${String(value)}n`;
      case 'symbol':
        return 'a symbol';
      case 'function':
        return 'a function';
      case 'undefined':
        return 'undefined';
      case 'object': {
        if (value === null) return 'null';
        if (Array.isArray(value)) return `an array of ${value.length} items`;
        if (value instanceof Date) return 'a Date';
        const keys = Object.keys(value);
        if (keys.length === 0) return 'an object without properties';
        const shown = keys.slice(0, 5).map((key) => (key.length > 30 ? `${key.slice(0, 30)}…` : key));
        return `an object with ${shown.join(', ')}${keys.length > shown.length ? ', …' : ''}`;
      }
    }
  } catch {
    return 'a value that cannot be inspected';
  }
}

/**
 * Whether `value` is a promise or any other thenable (an object or function with a `then`
 * method), the way `await` decides. A `then` getter that throws counts as not thenable.
 */
export function isThenable(value: unknown): value is PromiseLike<unknown> {
  if ((typeof value !== 'object' && typeof value !== 'function') || value === null) return false;
  try {
    return typeof (value as { then?: unknown }).then === 'function';
  } catch {
    return false;
  }
}

/**
 * The TypeError every @kira package gives a caller who passed a value of the wrong kind: it names
 * the package and function, what it expects and what it got, as {@link describeValue} writes it
 * (kind and size; never an object's values).
 *
 * @example throw argumentTypeError('@kira/dashboards', 'renderPanelSql', 'a panel', null) // '@kira/dashboards: renderPanelSql expects a panel, got null'
 */
export function argumentTypeError(packageName: string, fn: string, expected: string, value: unknown, where = ''): TypeError {
  // The texts go through safeString too: building the error must not throw for the caller's caller.
  return new TypeError(`${safeString(packageName)}: ${safeString(fn)} expects ${safeString(expected)}, got ${describeValue(value)}${safeString(where)}`);
}

/** {@link argumentTypeError} for this package's own functions (not exported from the index). */
export function argumentError(fn: string, expected: string, value: unknown, where = ''): TypeError {
  return argumentTypeError('@kira/conventions', fn, expected, value, where);
}

/** Whether `value` can be a registry key or hold properties: an object or a function, not null. */
export function isObjectLike(value: unknown): value is object {
  return (typeof value === 'object' && value !== null) || typeof value === 'function';
}
