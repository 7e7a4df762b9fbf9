/**
 * Polls `condition` every 10 ms until it returns true; rejects after `timeoutMs` (default 5000)
 * naming `what`. Example: `await waitUntil(() => sink.events().length > 0, 5000, 'a Sentry event')`
 */
export async function waitUntil(condition: () => boolean | Promise<boolean>, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      if (await condition()) return;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() >= deadline) {
      const reason = lastError instanceof Error ? ` (last error: ${lastError.message})` : lastError ? ` (last error: ${typeof lastError === 'string' ? lastError : JSON.stringify(lastError)})` : '';
      throw new Error(`waitUntil: timed out after ${timeoutMs} ms waiting for ${what}${reason}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
