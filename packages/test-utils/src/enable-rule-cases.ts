import type { EnableRuleCase } from './types';

/**
 * The telemetry on/off rule (docs/telemetry-contract.md, `resolveTelemetryEnabled` of
 * @kira/conventions) as a table; @kira/conventions, @kira/otel-core and @kira/sentry run it:
 * OTEL_SDK_DISABLED=true (case-insensitive) wins → off; else the `enabled` option when given;
 * else KIRA_TELEMETRY=on|off; else on only when NODE_ENV=production. Invalid values are ignored.
 */
export const enableRuleCases: ReadonlyArray<EnableRuleCase> = [
  { name: 'nothing set → off (not production)', env: {}, enabled: false },
  { name: 'NODE_ENV=production → on', env: { NODE_ENV: 'production' }, enabled: true },
  { name: 'NODE_ENV=development → off', env: { NODE_ENV: 'development' }, enabled: false },
  { name: 'NODE_ENV=test → off', env: { NODE_ENV: 'test' }, enabled: false },
  { name: 'NODE_ENV=Production is not production → off', env: { NODE_ENV: 'Production' }, enabled: false },
  { name: 'KIRA_TELEMETRY=on in development → on', env: { NODE_ENV: 'development', KIRA_TELEMETRY: 'on' }, enabled: true },
  { name: 'KIRA_TELEMETRY=on without NODE_ENV → on', env: { KIRA_TELEMETRY: 'on' }, enabled: true },
  { name: 'KIRA_TELEMETRY=off in production → off', env: { NODE_ENV: 'production', KIRA_TELEMETRY: 'off' }, enabled: false },
  { name: 'KIRA_TELEMETRY=maybe falls back to NODE_ENV=production → on', env: { NODE_ENV: 'production', KIRA_TELEMETRY: 'maybe' }, enabled: true },
  { name: 'KIRA_TELEMETRY=maybe falls back to NODE_ENV=development → off', env: { NODE_ENV: 'development', KIRA_TELEMETRY: 'maybe' }, enabled: false },
  { name: 'KIRA_TELEMETRY empty falls back to NODE_ENV=production → on', env: { NODE_ENV: 'production', KIRA_TELEMETRY: '' }, enabled: true },
  { name: 'option true beats NODE_ENV=development', env: { NODE_ENV: 'development' }, option: true, enabled: true },
  { name: 'option false beats NODE_ENV=production', env: { NODE_ENV: 'production' }, option: false, enabled: false },
  { name: 'option true beats KIRA_TELEMETRY=off', env: { KIRA_TELEMETRY: 'off' }, option: true, enabled: true },
  { name: 'option false beats KIRA_TELEMETRY=on', env: { KIRA_TELEMETRY: 'on' }, option: false, enabled: false },
  { name: 'OTEL_SDK_DISABLED=true beats production', env: { NODE_ENV: 'production', OTEL_SDK_DISABLED: 'true' }, enabled: false },
  { name: 'OTEL_SDK_DISABLED=true beats KIRA_TELEMETRY=on', env: { KIRA_TELEMETRY: 'on', OTEL_SDK_DISABLED: 'true' }, enabled: false },
  { name: 'OTEL_SDK_DISABLED=true beats option true', env: { OTEL_SDK_DISABLED: 'true' }, option: true, enabled: false },
  { name: 'OTEL_SDK_DISABLED=TRUE (case-insensitive) → off', env: { NODE_ENV: 'production', OTEL_SDK_DISABLED: 'TRUE' }, enabled: false },
  { name: 'OTEL_SDK_DISABLED=1 is not "true" → production rule → on', env: { NODE_ENV: 'production', OTEL_SDK_DISABLED: '1' }, enabled: true },
  { name: 'OTEL_SDK_DISABLED=false → production rule → on', env: { NODE_ENV: 'production', OTEL_SDK_DISABLED: 'false' }, enabled: true },
  { name: 'OTEL_SDK_DISABLED=false with KIRA_TELEMETRY=on → on', env: { KIRA_TELEMETRY: 'on', OTEL_SDK_DISABLED: 'false' }, enabled: true },
];
