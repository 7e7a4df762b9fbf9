/** The outcome of the on/off rule. */
export interface EnabledDecision {
  enabled: boolean;
  reason: string;
  warnings: string[];
}

const PREFIX = '@kira/sentry:';

/**
 * The on/off rule of DESIGN.md, kept in sync with @kira/otel-core's copy by the shared
 * `enableRuleCases` table: `OTEL_SDK_DISABLED=true` (case-insensitive) wins; then the `enabled`
 * option; then `KIRA_TELEMETRY=on|off`; else on only when `NODE_ENV=production`. Pure.
 */
export function resolveSentryEnabled(env: Record<string, string | undefined> | null | undefined = process.env, enabled?: boolean): EnabledDecision {
  env ??= process.env;
  const warnings: string[] = [];
  const disabledRaw = env.OTEL_SDK_DISABLED?.trim() ?? '';
  if (disabledRaw.toLowerCase() === 'true') return { enabled: false, reason: 'OTEL_SDK_DISABLED=true', warnings };
  if (disabledRaw !== '' && disabledRaw.toLowerCase() !== 'false') {
    warnings.push(`${PREFIX} OTEL_SDK_DISABLED="${disabledRaw}" is not "true" or "false"; treating it as false`);
  }
  if (typeof enabled === 'boolean') return { enabled, reason: `option enabled=${enabled}`, warnings };
  const kiraRaw = env.KIRA_TELEMETRY?.trim() ?? '';
  const kira = kiraRaw.toLowerCase();
  if (kira === 'on' || kira === 'off') return { enabled: kira === 'on', reason: `KIRA_TELEMETRY=${kira}`, warnings };
  if (kiraRaw !== '') {
    warnings.push(`${PREFIX} KIRA_TELEMETRY="${kiraRaw}" is not "on" or "off"; falling back to the NODE_ENV rule`);
  }
  const production = env.NODE_ENV === 'production';
  return {
    enabled: production,
    reason: production ? 'NODE_ENV=production' : `NODE_ENV=${env.NODE_ENV ?? '(unset)'} is not production`,
    warnings,
  };
}
