import { errorType, sanitize } from '@kira/conventions';
import { captureException, isInitialized } from '@sentry/node';
import { reportOnce } from './report-once';
import type { ToolErrorContext } from './types';

/**
 * Sends an AI tool failure to Sentry with the `toolName` tag and the sanitized input as extra
 * `input`. Returns the event id (undefined while Sentry is off or if capturing failed); a no-op
 * while Sentry is off.
 * It never throws, so it is safe inside a `catch` that rethrows the original error.
 *
 * @example
 * catch (error) { captureToolError(error, { toolName: 'generateImageWithAI', input }); throw error; }
 */
export function captureToolError(error: unknown, toolContext: ToolErrorContext): string | undefined {
  try {
    // Checked first: with no client nothing is sent, so sanitizing the input would be wasted work.
    if (!isInitialized()) return undefined;
    return captureException(error, {
      tags: { toolName: toolContext.toolName },
      extra: { input: sanitize(toolContext.input) },
    });
  } catch (failure) {
    reportOnce(`captureToolError-${errorType(failure)}`, 'captureToolError failed; the error was not sent', failure);
    return undefined;
  }
}
