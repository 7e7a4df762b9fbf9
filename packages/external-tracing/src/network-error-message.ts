import { safeString } from '@kira/conventions';

/** Status description for a failed fetch, including the cause undici hides behind "fetch failed". */
export function networkErrorMessage(error: unknown): string {
  if (typeof error !== 'object' || error === null) return safeString(error);
  const message = (error as { message?: unknown }).message;
  const cause = (error as { cause?: unknown }).cause;
  const causeMessage = typeof cause === 'object' && cause !== null ? (cause as { message?: unknown }).message : undefined;
  const text = typeof message === 'string' ? message : safeString(error);
  return typeof causeMessage === 'string' && causeMessage.length > 0 ? `${text}: ${causeMessage}` : text;
}
