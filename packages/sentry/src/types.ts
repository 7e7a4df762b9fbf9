import type { NodeOptions } from '@sentry/node';

/** Options of {@link initSentry}; each overrides its environment variable. */
export interface InitSentryOptions {
  /**
   * Force Sentry on or off; overrides `KIRA_TELEMETRY` and `NODE_ENV`, not `OTEL_SDK_DISABLED=true`.
   * @example initSentry({ enabled: true })
   */
  enabled?: boolean;
  /**
   * DSN; default `SENTRY_DSN`. Without one Sentry stays off (with one warning when it should be on).
   * @example initSentry({ dsn: 'https://key@o1.ingest.sentry.io/2' })
   */
  dsn?: string;
  /**
   * Environment; default `SENTRY_ENVIRONMENT`, then `NODE_ENV`.
   * @example initSentry({ environment: 'staging' })
   */
  environment?: string;
  /**
   * Release; default `SENTRY_RELEASE`.
   * @example initSentry({ release: 'kira-be@1.4.2' })
   */
  release?: string;
  /**
   * Sentry's own tracing. Off by default: OpenTelemetry (`@kira/otel-core`) owns traces, and
   * Sentry events are linked to the active OTel span instead.
   * @example initSentry({ tracesSampleRate: 0.1 })
   */
  tracesSampleRate?: number;
  /**
   * Runs after the built-in scrubbing (headers, cookies, query secrets); return `null` to drop.
   * @example initSentry({ beforeSend: (event) => (event.level === 'debug' ? null : event) })
   */
  beforeSend?: NodeOptions['beforeSend'];
  /**
   * Sentry's default Dedupe integration drops an event identical to the one sent just before it
   * (same message, exception type, value and stack trace), so a route failing the same way twice
   * in a row is one event. `false` sends every one. Default `true`.
   * @example initSentry({ dedupe: false })
   */
  dedupe?: boolean;
  /**
   * Any other `Sentry.init` options, applied last — except that hooks (`beforeSend`,
   * `beforeSendTransaction`, `beforeSendSpan`, `beforeBreadcrumb`, `beforeSendLog`) run after the
   * built-in scrubbing instead of replacing it, and `integrations` is merged with ours by name (an
   * array replaces same-named ones and adds the rest; a function receives our list).
   * @example initSentry({ sentryOptions: { sampleRate: 0.5 } })
   */
  sentryOptions?: Partial<NodeOptions>;
}

/** What {@link initSentry} did. */
export interface SentryInitResult {
  /** Whether Sentry was initialised and sends events. */
  readonly enabled: boolean;
  /** Which input decided, e.g. `"KIRA_TELEMETRY=on"` or `"SENTRY_DSN is not set"`. */
  readonly reason: string;
}

/** Context of {@link captureToolError}. */
export interface ToolErrorContext {
  /** Sent as the `toolName` tag. @example { toolName: 'generateImageWithAI' } */
  toolName: string;
  /** Sent as extra `input`, after `sanitize` (`@kira/conventions`). @example { input: { prompt, image } } */
  input?: unknown;
}

/** Options of `sentryUser()` from `@kira/sentry/hono`. */
export interface SentryUserOptions {
  /**
   * Context variable holding the verified JWT payload. Default `jwtPayload` (what `hono/jwt` sets).
   * @example sentryUser({ payloadKey: 'auth' })
   */
  payloadKey?: string;
}

/** Options of `initSentryBrowser()` from `@kira/sentry/react`; the browser has no process env. */
export interface BrowserSentryOptions {
  /**
   * DSN; without one Sentry stays off. @example { dsn: import.meta.env.VITE_SENTRY_DSN }
   */
  dsn?: string;
  /**
   * Environment name; Sentry is on only when it is `production`, unless `enabled` says otherwise.
   * @example { environment: import.meta.env.MODE }
   */
  environment?: string;
  /**
   * Force Sentry on or off. @example { enabled: true }
   */
  enabled?: boolean;
  /** Release name. @example { release: 'kira-web@2.0.1' } */
  release?: string;
  /**
   * Any other `Sentry.init` options (integrations, tracesSampleRate, …), applied last.
   * @example { sentryOptions: { tracesSampleRate: 0.1 } }
   */
  sentryOptions?: Record<string, unknown>;
}

/** The logged-in profile `useSentryUser` reads. */
export interface SentryProfile {
  id: string;
  email?: string | null;
  nickname?: string | null;
}
