import type { Event, NodeOptions } from '@sentry/node';

// @sentry/node exports the option types but not every payload type they use; these are read off
// the options so no direct @sentry/core dependency is needed and they follow the installed SDK.
export type Integration = Exclude<NodeOptions['defaultIntegrations'], false | undefined>[number];
export type TransactionEvent = Parameters<NonNullable<NodeOptions['beforeSendTransaction']>>[0];
export type StreamedSpanJSON = Parameters<NonNullable<NodeOptions['beforeSendSpan']>>[0];
export type SpanJSON = NonNullable<Event['spans']>[number];
