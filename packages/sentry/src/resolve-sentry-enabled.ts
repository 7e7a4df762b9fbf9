import { resolveTelemetryEnabled, type TelemetryDecision } from '@kira/conventions';

/** The outcome of the on/off rule. */
export type EnabledDecision = TelemetryDecision;

/**
 * The on/off rule of the telemetry contract (`@kira/conventions`, the rule `@kira/otel-core`
 * applies too): `OTEL_SDK_DISABLED=true` (case-insensitive) wins; then the `enabled` option; then
 * `KIRA_TELEMETRY=on|off`; else on only when `NODE_ENV=production`. Pure; warnings are prefixed
 * `@kira/sentry:`.
 *
 * @example resolveSentryEnabled(process.env, undefined).enabled
 */
export function resolveSentryEnabled(env?: Record<string, string | undefined> | null, enabled?: boolean): EnabledDecision {
  return resolveTelemetryEnabled(env, { enabled, warningPrefix: '@kira/sentry:' });
}
