/**
 * Stable `error.type` for a failed fetch: the abort/timeout name, else the system error code that
 * undici puts on `cause` (`ECONNREFUSED`, `ENOTFOUND`, `UND_ERR_SOCKET`…) — more useful than the
 * generic `TypeError: fetch failed` — else the error's name.
 */
export function networkErrorType(error: unknown): string {
  if (typeof error !== 'object' || error === null) return '_OTHER';
  const name = (error as { name?: unknown }).name;
  if (name === 'AbortError' || name === 'TimeoutError') return name;
  const causeCode = ((error as { cause?: unknown }).cause as { code?: unknown } | undefined | null)?.code;
  if (typeof causeCode === 'string' && causeCode.length > 0) return causeCode;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && code.length > 0) return code;
  return typeof name === 'string' && name.length > 0 ? name : '_OTHER';
}

/** Status description for a failed fetch, including the cause undici hides behind "fetch failed". */
export function networkErrorMessage(error: unknown): string {
  if (typeof error !== 'object' || error === null) return safeString(error);
  const message = (error as { message?: unknown }).message;
  const cause = (error as { cause?: unknown }).cause;
  const causeMessage = typeof cause === 'object' && cause !== null ? (cause as { message?: unknown }).message : undefined;
  const text = typeof message === 'string' ? message : safeString(error);
  return typeof causeMessage === 'string' && causeMessage.length > 0 ? `${text}: ${causeMessage}` : text;
}

function safeString(value: unknown): string {
  try {
    return String(value);
  } catch {
    return '[unprintable]';
  }
}
