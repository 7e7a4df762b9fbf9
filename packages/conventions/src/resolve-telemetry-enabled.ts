import { processEnv } from './process-env';

/** The outcome of the on/off rule. */
export interface TelemetryDecision {
  enabled: boolean;
  /** Which input decided, e.g. `"KIRA_TELEMETRY=on"`. */
  reason: string;
  /** Warnings about ignored values (already prefixed); the caller prints them. */
  warnings: string[];
}

/** Options of {@link resolveTelemetryEnabled}. */
export interface TelemetryEnableOptions {
  /**
   * Overrides `KIRA_TELEMETRY` and `NODE_ENV` (not `OTEL_SDK_DISABLED=true`).
   * @example { enabled: false }
   */
  enabled?: boolean;
  /**
   * Prefix of the warnings, naming the package that applies the rule. Default `@kira/conventions:`.
   * @example { warningPrefix: '@kira/sentry:' }
   */
  warningPrefix?: string;
}

/** The environment variables the on/off rule reads, in the order they are considered. */
export const TELEMETRY_SWITCH_VARIABLES = ['OTEL_SDK_DISABLED', 'KIRA_TELEMETRY', 'NODE_ENV'] as const;

/**
 * The on/off rule shared by telemetry (`@kira/otel-core`) and error reporting (`@kira/sentry`):
 *
 * 1. `OTEL_SDK_DISABLED=true` (case-insensitive, the spec's boolean rule) → off, whatever else is set;
 * 2. the `enabled` option, when given;
 * 3. `KIRA_TELEMETRY=on|off` (case-insensitive);
 * 4. on only when `NODE_ENV=production` (exactly).
 *
 * Values that mean nothing (`OTEL_SDK_DISABLED=1`, `KIRA_TELEMETRY=maybe`) are ignored with a
 * warning. Pure: it reads only `env` and returns the warnings instead of printing them.
 *
 * @example resolveTelemetryEnabled(process.env, { enabled: undefined }) // { enabled: false, reason: 'NODE_ENV=development is not production', warnings: [] }
 */
export function resolveTelemetryEnabled(
  env: Record<string, string | undefined> | null | undefined = processEnv() ?? {},
  options: TelemetryEnableOptions | null = {},
): TelemetryDecision {
  env ??= processEnv() ?? {};
  const prefix = typeof options?.warningPrefix === 'string' ? options.warningPrefix : '@kira/conventions:';
  const warnings: string[] = [];

  // The spec's boolean env rule: only case-insensitive "true" is true; anything but "false" or
  // empty is worth a warning because the user clearly meant something.
  const disabledRaw = asString(env.OTEL_SDK_DISABLED).trim();
  if (disabledRaw.toLowerCase() === 'true') return { enabled: false, reason: 'OTEL_SDK_DISABLED=true', warnings };
  if (disabledRaw !== '' && disabledRaw.toLowerCase() !== 'false') {
    warnings.push(`${prefix} OTEL_SDK_DISABLED="${disabledRaw}" is not "true" or "false"; treating it as false`);
  }

  const enabled = options?.enabled;
  if (typeof enabled === 'boolean') return { enabled, reason: `option enabled=${enabled}`, warnings };

  const kiraRaw = asString(env.KIRA_TELEMETRY).trim();
  const kira = kiraRaw.toLowerCase();
  if (kira === 'on' || kira === 'off') return { enabled: kira === 'on', reason: `KIRA_TELEMETRY=${kira}`, warnings };
  if (kiraRaw !== '') {
    warnings.push(`${prefix} KIRA_TELEMETRY="${kiraRaw}" is not "on" or "off"; falling back to the NODE_ENV rule`);
  }

  const production = env.NODE_ENV === 'production';
  return {
    enabled: production,
    reason: production ? 'NODE_ENV=production' : `NODE_ENV=${env.NODE_ENV ?? '(unset)'} is not production`,
    warnings,
  };
}


function asString(value: unknown): string {
  return typeof value === 'string' ? value : '';
}
