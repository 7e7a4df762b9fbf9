import { enableRuleCases } from '@kira/test-utils';
import { describe, expect, it } from 'vitest';
import { resolveTelemetryEnabled } from './resolve-telemetry-enabled';

describe('resolveTelemetryEnabled', () => {
  // The contract's table: otel-core applies the rule of @kira/conventions, prefixing its own warnings.
  it.each(enableRuleCases.map((row) => [row.name, row] as const))('%s', (_name, row) => {
    const decision = resolveTelemetryEnabled(row.env, row.option === undefined ? {} : { enabled: row.option });
    expect(decision.enabled).toBe(row.enabled);
  });

  it('names the input that decided', () => {
    expect(resolveTelemetryEnabled({ KIRA_TELEMETRY: 'on', OTEL_SDK_DISABLED: 'true' }).reason).toBe('OTEL_SDK_DISABLED=true');
    expect(resolveTelemetryEnabled({ KIRA_TELEMETRY: 'on' }, { enabled: false }).reason).toBe('option enabled=false');
    expect(resolveTelemetryEnabled({ NODE_ENV: 'production', KIRA_TELEMETRY: 'OFF' }).reason).toBe('KIRA_TELEMETRY=off');
    expect(resolveTelemetryEnabled({ NODE_ENV: 'production' }).reason).toBe('NODE_ENV=production');
  });

  it('returns one prefixed warning per bad value instead of printing or throwing', () => {
    const decision = resolveTelemetryEnabled({ NODE_ENV: 'production', KIRA_TELEMETRY: 'maybe', OTEL_SDK_DISABLED: '1' });
    expect(decision.enabled).toBe(true);
    expect(decision.warnings).toHaveLength(2);
    expect(decision.warnings[0]).toMatch(/^@kira\/otel-core: OTEL_SDK_DISABLED="1"/);
    expect(decision.warnings[1]).toMatch(/^@kira\/otel-core: KIRA_TELEMETRY="maybe" .*NODE_ENV/);
    expect(resolveTelemetryEnabled({ NODE_ENV: 'production', KIRA_TELEMETRY: 'on' }).warnings).toEqual([]);
  });
});
