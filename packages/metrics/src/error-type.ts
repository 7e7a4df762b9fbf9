/**
 * Low-cardinality `error.type` for a thrown value: the error's class name. `new Error()` subclasses
 * that never set `name` still report `Error` as name, so the constructor name wins over a plain
 * `Error` name.
 */
export function errorType(error: unknown): string {
  if (typeof error !== 'object' || error === null) return '_OTHER';
  const name = (error as { name?: unknown }).name;
  if (typeof name === 'string' && name.length > 0 && name !== 'Error') return name;
  const constructorName = (error as { constructor?: { name?: unknown } }).constructor?.name;
  if (typeof constructorName === 'string' && constructorName.length > 0 && constructorName !== 'Object') {
    return constructorName;
  }
  return typeof name === 'string' && name.length > 0 ? name : '_OTHER';
}
