import type { TelemetryDecision, TelemetryEnableOptions } from './types';

const PREFIX = '@kira/otel-core:';

/**
 * The on/off rule (DESIGN.md): `OTEL_SDK_DISABLED=true` wins; then the `enabled` option; then
 * `KIRA_TELEMETRY=on|off`; else on only when `NODE_ENV=production`. Pure: it reads only `env`
 * and returns warnings instead of printing them. `@kira/sentry` keeps a copy of this rule and
 * both run the shared `enableRuleCases` table so they cannot drift.
 */
export function resolveTelemetryEnabled(
  env: Record<string, string | undefined> | null | undefined = process.env,
  options: TelemetryEnableOptions | null = {},
): TelemetryDecision {
  env ??= process.env;
  options ??= {};
  const warnings: string[] = [];

  // The spec's boolean env rule: only case-insensitive "true" is true; anything but "false" or
  // empty is worth a warning because the user clearly meant something.
  const disabledRaw = env.OTEL_SDK_DISABLED?.trim() ?? '';
  if (disabledRaw.toLowerCase() === 'true') {
    return { enabled: false, reason: 'OTEL_SDK_DISABLED=true', warnings };
  }
  if (disabledRaw !== '' && disabledRaw.toLowerCase() !== 'false') {
    warnings.push(
      `${PREFIX} OTEL_SDK_DISABLED="${disabledRaw}" is not "true" or "false"; treating it as false`,
    );
  }

  if (typeof options.enabled === 'boolean') {
    return { enabled: options.enabled, reason: `option enabled=${options.enabled}`, warnings };
  }

  const kiraRaw = env.KIRA_TELEMETRY?.trim() ?? '';
  const kira = kiraRaw.toLowerCase();
  if (kira === 'on' || kira === 'off') {
    return { enabled: kira === 'on', reason: `KIRA_TELEMETRY=${kira}`, warnings };
  }
  if (kiraRaw !== '') {
    warnings.push(
      `${PREFIX} KIRA_TELEMETRY="${kiraRaw}" is not "on" or "off"; falling back to the NODE_ENV rule`,
    );
  }

  const production = env.NODE_ENV === 'production';
  return {
    enabled: production,
    reason: production ? 'NODE_ENV=production' : `NODE_ENV=${env.NODE_ENV ?? '(unset)'} is not production`,
    warnings,
  };
}
