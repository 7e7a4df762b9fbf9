import type { Breadcrumb, BreadcrumbHint, ErrorEvent, EventHint, Log } from '@sentry/node';
import type { Integration, SpanJSON, StreamedSpanJSON, TransactionEvent } from './sentry-types';
import { scrubBreadcrumb, scrubEvent, scrubLog, scrubStaticSpan, scrubStreamedSpan } from './scrub-event';

type MaybePromise<T> = T | PromiseLike<T>;

/** The hooks and integrations of a `Sentry.init` options object that our scrubbing composes with. */
export interface ComposableOptions {
  beforeSend?: (event: ErrorEvent, hint: EventHint) => MaybePromise<ErrorEvent | null>;
  beforeSendTransaction?: (event: TransactionEvent, hint: EventHint) => MaybePromise<TransactionEvent | null>;
  beforeBreadcrumb?: (breadcrumb: Breadcrumb, hint?: BreadcrumbHint) => Breadcrumb | null;
  beforeSendLog?: (log: Log) => Log | null;
  beforeSendSpan?: (span: StreamedSpanJSON) => StreamedSpanJSON;
  integrations?: Integration[] | ((integrations: Integration[]) => Integration[]);
  traceLifecycle?: 'stream' | 'static';
}

/**
 * Marks a static-format `beforeSendSpan` callback, the way the SDK's `withStaticSpan` does. The
 * browser SDK does not export that helper, so each entry passes its own (or none).
 */
export type StaticSpanMarker = (callback: (span: SpanJSON) => SpanJSON) => (span: StreamedSpanJSON) => StreamedSpanJSON;

/**
 * `Sentry.init` options in which the user's own hooks run after our scrubbing and the user's
 * integrations are merged with ours, so no option can turn the scrubbing off. The user's options
 * otherwise keep the last word, as `sentryOptions` always promised.
 *
 * Integrations: ours (`ownIntegrations` applied to Sentry's defaults) first; a user array
 * replaces an integration of the same name and adds the rest (Sentry's own merge rule); a user
 * function receives our list and returns the final one.
 */
export function composeSafeOptions<T extends ComposableOptions>(
  userOptions: T,
  ownIntegrations: (defaults: Integration[]) => Integration[],
  markStatic: StaticSpanMarker | undefined,
): T {
  const { beforeSend, beforeSendTransaction, beforeBreadcrumb, beforeSendLog, beforeSendSpan, integrations } = userOptions;
  const composed: ComposableOptions = {
    beforeSend: (event, hint) => (beforeSend === undefined ? scrubEvent(event) : beforeSend(scrubEvent(event), hint)),
    beforeBreadcrumb: (breadcrumb, hint) => {
      // The user's hook sees the raw breadcrumb first (it may want the hint's details), and what it
      // keeps is scrubbed before Sentry stores it.
      const kept = beforeBreadcrumb === undefined ? breadcrumb : beforeBreadcrumb(breadcrumb, hint);
      return kept === null ? null : scrubBreadcrumb(kept);
    },
    beforeSendLog: (log) => (beforeSendLog === undefined ? scrubLog(log) : beforeSendLog(scrubLog(log))),
    integrations: (defaults) => mergeIntegrations(ownIntegrations(defaults), integrations),
  };
  // Transactions exist only with `traceLifecycle: 'static'`; Sentry warns about the hook otherwise.
  if (userOptions.traceLifecycle === 'static' || beforeSendTransaction !== undefined) {
    composed.beforeSendTransaction = (event, hint) =>
      beforeSendTransaction === undefined ? scrubEvent(event) : beforeSendTransaction(scrubEvent(event), hint);
  }
  const spanHook = composeSpanHook(beforeSendSpan, userOptions.traceLifecycle, markStatic);
  if (spanHook !== undefined) composed.beforeSendSpan = spanHook;
  return { ...userOptions, ...composed };
}

function composeSpanHook(
  user: ComposableOptions['beforeSendSpan'],
  lifecycle: ComposableOptions['traceLifecycle'],
  markStatic: StaticSpanMarker | undefined,
): ComposableOptions['beforeSendSpan'] {
  if (lifecycle === 'static') {
    // The SDK calls a callback only in the format its lifecycle uses: wrap ours the same way.
    if (markStatic === undefined) return user;
    const userStatic = user as unknown as ((span: SpanJSON) => SpanJSON) | undefined;
    return markStatic((span) => (userStatic === undefined ? scrubStaticSpan(span) : userStatic(scrubStaticSpan(span))));
  }
  return (span) => (user === undefined ? scrubStreamedSpan(span) : user(scrubStreamedSpan(span)));
}

function mergeIntegrations(ours: Integration[], user: ComposableOptions['integrations']): Integration[] {
  if (typeof user === 'function') return user(ours);
  if (!Array.isArray(user) || user.length === 0) return ours;
  const byName = new Map(user.map((integration) => [integration.name, integration]));
  const merged = ours.map((integration) => byName.get(integration.name) ?? integration);
  const present = new Set(merged.map((integration) => integration.name));
  for (const integration of user) if (!present.has(integration.name)) merged.push(integration);
  return merged;
}
