import { enableRuleCases } from '@kira/test-utils';
import { describe, expect, it } from 'vitest';
import { resolveTelemetryEnabled } from './resolve-telemetry-enabled';

describe('resolveTelemetryEnabled (the on/off rule)', () => {
  it.each(enableRuleCases.map((row) => [row.name, row] as const))('%s', (_name, row) => {
    expect(resolveTelemetryEnabled(row.env, { enabled: row.option }).enabled).toBe(row.enabled);
  });

  it('names the deciding input and prefixes warnings with the caller', () => {
    expect(resolveTelemetryEnabled({ KIRA_TELEMETRY: 'ON' }).reason).toBe('KIRA_TELEMETRY=on');
    const decision = resolveTelemetryEnabled(
      { NODE_ENV: 'production', OTEL_SDK_DISABLED: '1', KIRA_TELEMETRY: 'maybe' },
      { warningPrefix: '@kira/sentry:' },
    );
    expect(decision).toEqual({
      enabled: true,
      reason: 'NODE_ENV=production',
      warnings: [
        '@kira/sentry: OTEL_SDK_DISABLED="1" is not "true" or "false"; treating it as false',
        '@kira/sentry: KIRA_TELEMETRY="maybe" is not "on" or "off"; falling back to the NODE_ENV rule',
      ],
    });
  });

  it('accepts null env and options and values of the wrong type', () => {
    expect(() => resolveTelemetryEnabled(null, null)).not.toThrow();
    expect(resolveTelemetryEnabled({ KIRA_TELEMETRY: 42 as unknown as string, NODE_ENV: 'production' }).enabled).toBe(true);
  });
});
