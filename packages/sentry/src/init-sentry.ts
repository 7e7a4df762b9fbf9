import { registerTelemetryDestination, sentryIngestPrefix } from '@kira/conventions';
import * as Sentry from '@sentry/node';
import { resolveSentryEnabled } from './resolve-sentry-enabled';
import { composeSafeOptions } from './compose-safe-options';
import type { InitSentryOptions, SentryInitResult } from './types';

const PREFIX = '@kira/sentry:';
// Replaced below by span-less versions: OpenTelemetry owns HTTP spans and trace propagation.
const REPLACED_INTEGRATIONS = new Set(['Http', 'NodeFetch']);

let initialised: SentryInitResult | undefined;

/**
 * Starts Sentry for a Node service with the same on/off rule as `@kira/otel-core` (on only in
 * production unless `KIRA_TELEMETRY=on`; `OTEL_SDK_DISABLED=true` wins). Runs beside otel-core
 * without a second OpenTelemetry setup: no Sentry tracer provider, no Sentry HTTP spans or trace
 * headers, and every event carries the active OTel span's trace and span id. Never throws.
 *
 * @example
 * startTelemetry({ serviceName: 'kira-be' });
 * initSentry({ release: process.env.GIT_SHA });
 */
export function initSentry(options: InitSentryOptions = {}): SentryInitResult {
  if (initialised !== undefined) {
    if (initialised.enabled) console.warn(`${PREFIX} initSentry() was called more than once; keeping the first setup`);
    return initialised;
  }
  try {
    initialised = start(options, process.env);
  } catch (error) {
    console.warn(`${PREFIX} Sentry could not start (${error instanceof Error ? error.message : String(error)}); it stays off`);
    initialised = { enabled: false, reason: 'start failed' };
  }
  return initialised;
}

function start(options: InitSentryOptions, env: NodeJS.ProcessEnv): SentryInitResult {
  const decision = resolveSentryEnabled(env, options.enabled);
  for (const warning of decision.warnings) console.warn(warning);
  if (!decision.enabled) return { enabled: false, reason: decision.reason };

  const dsn = nonEmpty(options.dsn) ?? nonEmpty(env.SENTRY_DSN);
  if (dsn === undefined) {
    console.warn(`${PREFIX} Sentry is on (${decision.reason}) but SENTRY_DSN is not set; set SENTRY_DSN to send errors. Sentry stays off`);
    return { enabled: false, reason: 'SENTRY_DSN is not set' };
  }

  const { beforeSend: optionsBeforeSend, ...userOptions } = options.sentryOptions ?? {};
  // Sentry's envelope POSTs must not become OpenTelemetry spans (their URL carries the DSN key).
  const ingest = sentryIngestPrefix(nonEmpty(userOptions.dsn) ?? dsn);
  if (ingest !== undefined) registerTelemetryDestination(ingest);
  if (typeof userOptions.tunnel === 'string') registerTelemetryDestination(userOptions.tunnel);
  const beforeSend = chainBeforeSend(options.beforeSend, optionsBeforeSend);
  Sentry.init(
    composeSafeOptions(
      {
        dsn,
        environment: nonEmpty(options.environment) ?? nonEmpty(env.SENTRY_ENVIRONMENT) ?? nonEmpty(env.NODE_ENV),
        release: nonEmpty(options.release) ?? nonEmpty(env.SENTRY_RELEASE),
        tracesSampleRate: options.tracesSampleRate,
        // Sentry 11 registers no tracer provider unless asked (the old `skipOpenTelemetrySetup`);
        // stated explicitly because a second provider would fight otel-core's.
        enableOpenTelemetrySetup: false,
        ...userOptions,
        ...(beforeSend === undefined ? {} : { beforeSend }),
      },
      (defaults) => [
        ...defaults.filter((integration) => !REPLACED_INTEGRATIONS.has(integration.name) && (options.dedupe !== false || integration.name !== 'Dedupe')),
        // Keep request isolation and breadcrumbs, drop spans and sentry-trace/baggage injection.
        Sentry.httpIntegration({ spans: false, tracePropagation: false }),
        Sentry.nativeNodeFetchIntegration({ spans: false, tracePropagation: false }),
        // Events take trace_id/span_id from the active OpenTelemetry span.
        Sentry.openTelemetryIntegration(),
      ],
      Sentry.withStaticSpan,
    ),
  );
  return { enabled: true, reason: decision.reason };
}

type BeforeSend = NonNullable<InitSentryOptions['beforeSend']>;

// `beforeSend` given both ways runs the option first, then the one inside `sentryOptions`.
function chainBeforeSend(first: BeforeSend | undefined, second: BeforeSend | undefined): BeforeSend | undefined {
  if (first === undefined || second === undefined) return first ?? second;
  return async (event, hint) => {
    const kept = await first(event, hint);
    return kept === null ? null : second(kept, hint);
  };
}

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}
