import { enableRuleCases } from '@kira/test-utils';
import { describe, expect, it } from 'vitest';
import { resolveSentryEnabled } from './resolve-sentry-enabled';

describe('resolveSentryEnabled applies the contract on/off rule (the table @kira/otel-core runs too)', () => {
  it('has cases to run', () => {
    expect(enableRuleCases.length).toBeGreaterThan(10);
  });

  for (const ruleCase of enableRuleCases) {
    it(ruleCase.name, () => {
      expect(resolveSentryEnabled(ruleCase.env, ruleCase.option).enabled).toBe(ruleCase.enabled);
    });
  }

  it('explains ignored values in prefixed warnings', () => {
    const decision = resolveSentryEnabled({ KIRA_TELEMETRY: 'maybe', OTEL_SDK_DISABLED: '1' });
    expect(decision.warnings).toHaveLength(2);
    for (const warning of decision.warnings) expect(warning.startsWith('@kira/sentry:')).toBe(true);
  });
});
