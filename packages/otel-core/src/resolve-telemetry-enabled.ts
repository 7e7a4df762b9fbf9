import { resolveTelemetryEnabled as resolveContractRule } from '@kira/conventions';
import type { TelemetryDecision, TelemetryEnableOptions } from './types';
import { MESSAGE_PREFIX } from './message-prefix';

/**
 * The on/off rule of the telemetry contract (`@kira/conventions`, the same rule `@kira/sentry`
 * applies): `OTEL_SDK_DISABLED=true` wins; then the `enabled` option; then `KIRA_TELEMETRY=on|off`;
 * else on only when `NODE_ENV=production`. Pure: it reads only `env` and returns warnings
 * (prefixed `@kira/otel-core:`) instead of printing them.
 *
 * @example resolveTelemetryEnabled(process.env, { enabled: undefined }).enabled
 */
export function resolveTelemetryEnabled(
  env: Record<string, string | undefined> | null | undefined = process.env,
  options: TelemetryEnableOptions | null = {},
): TelemetryDecision {
  return resolveContractRule(env ?? process.env, { enabled: options?.enabled, warningPrefix: MESSAGE_PREFIX });
}
