import { init, type BrowserOptions } from '@sentry/react';
import { composeSafeOptions } from './compose-safe-options';
import { resolveSentryEnabled } from './resolve-sentry-enabled';
import type { BrowserSentryOptions, SentryInitResult } from './types';

/**
 * Starts `@sentry/react` with the same on/off rule as the server, fed from options because a
 * browser has no process environment: on when `environment` is `production`, unless `enabled`
 * forces it. Without a DSN it stays off. Never throws.
 *
 * @example
 * initSentryBrowser({ dsn: import.meta.env.VITE_SENTRY_DSN, environment: import.meta.env.MODE });
 */
export function initSentryBrowser(options: BrowserSentryOptions = {}): SentryInitResult {
  try {
    const decision = resolveSentryEnabled({ NODE_ENV: options.environment }, options.enabled);
    if (!decision.enabled) return { enabled: false, reason: decision.reason };
    const dsn = options.dsn?.trim();
    if (!dsn) {
      console.warn('@kira/sentry: Sentry is on but no dsn was given; Sentry stays off');
      return { enabled: false, reason: 'dsn is not set' };
    }
    init(
      composeSafeOptions(
        {
          dsn,
          environment: options.environment,
          release: options.release,
          ...(options.sentryOptions as Partial<BrowserOptions> | undefined),
        },
        (defaults) => defaults,
        // The browser SDK exports no `withStaticSpan`; with `traceLifecycle: 'static'` the user's
        // span hook is passed through as given (the scrubbing of events and logs still applies).
        undefined,
      ),
    );
    return { enabled: true, reason: decision.reason };
  } catch (error) {
    console.warn(`@kira/sentry: Sentry could not start (${error instanceof Error ? error.message : String(error)}); it stays off`);
    return { enabled: false, reason: 'start failed' };
  }
}
