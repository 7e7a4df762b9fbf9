import { safeString } from '@kira/conventions';

/**
 * What was thrown, as the `Error` the SDK's error handler and export results expect. A value that
 * is not an Error becomes one whose message is its text; `safeString` keeps a value whose
 * `toString` throws from throwing again inside the `catch` that called this.
 */
export function asError(thrown: unknown): Error {
  return thrown instanceof Error ? thrown : new Error(safeString(thrown));
}
