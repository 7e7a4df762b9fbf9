import { resolveTelemetryEnabled } from '@kira/otel-core';
import { enableRuleCases } from '@kira/test-utils';
import { describe, expect, it } from 'vitest';
import { resolveSentryEnabled } from './resolve-sentry-enabled';

describe('resolveSentryEnabled follows the same table as @kira/otel-core', () => {
  it('the table reaches every step of the rule, both ways, and otel-core decides every row alike', () => {
    const decisions = enableRuleCases.map((ruleCase) => ({ ruleCase, decision: resolveSentryEnabled(ruleCase.env, ruleCase.option) }));
    const step = (reason: string) => reason.replace(/[=\s].*$/, '');
    const stepsReached = new Set(decisions.map(({ decision }) => `${step(decision.reason)} → ${decision.enabled ? 'on' : 'off'}`));
    expect([...stepsReached].sort()).toEqual(
      ['KIRA_TELEMETRY → off', 'KIRA_TELEMETRY → on', 'NODE_ENV → off', 'NODE_ENV → on', 'OTEL_SDK_DISABLED → off', 'option → off', 'option → on'].sort(),
    );
    for (const { ruleCase, decision } of decisions) {
      const otelCore = resolveTelemetryEnabled(ruleCase.env, { enabled: ruleCase.option });
      expect({ case: ruleCase.name, enabled: decision.enabled, reason: decision.reason }).toEqual({ case: ruleCase.name, enabled: otelCore.enabled, reason: otelCore.reason });
    }
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
