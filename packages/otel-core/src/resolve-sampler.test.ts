import { describe, expect, it } from 'vitest';
import { resolveSampler } from './resolve-sampler';

function resolve(env: Record<string, string>, options = {}, sampleRatio = 0.1) {
  const warnings: string[] = [];
  return { sampler: resolveSampler(env, options, sampleRatio, warnings), warnings };
}

describe('resolveSampler', () => {
  it('defaults to parent-based with the resolved ratio when unset or empty', () => {
    expect(resolve({})).toEqual({ sampler: { kind: 'parent-based', ratio: 0.1 }, warnings: [] });
    expect(resolve({ OTEL_TRACES_SAMPLER: ' ' }, {}, 0.3)).toEqual({ sampler: { kind: 'parent-based', ratio: 0.3 }, warnings: [] });
  });

  it.each([
    ['parentbased_traceidratio', { kind: 'parent-based', ratio: 0.25 }],
    ['  ParentBased_Always_On ', { kind: 'parent-based', ratio: 1 }],
    ['PARENTBASED_ALWAYS_OFF', { kind: 'parent-based', ratio: 0 }],
    ['always_on', { kind: 'always_on' }],
    ['Always_Off', { kind: 'always_off' }],
    ['traceidratio', { kind: 'traceidratio', ratio: 0.25 }],
  ])('OTEL_TRACES_SAMPLER=%j is case-insensitive and trimmed', (value, expected) => {
    expect(resolve({ OTEL_TRACES_SAMPLER: value }, {}, 0.25)).toEqual({ sampler: expected, warnings: [] });
  });

  it('a sampler without a ratio says the ratio it ignores', () => {
    expect(resolve({ OTEL_TRACES_SAMPLER: 'always_on', OTEL_TRACES_SAMPLER_ARG: '0.5' }, { sampleRatio: 0.2 }).warnings).toEqual([
      '@kira/otel-core: OTEL_TRACES_SAMPLER="always_on" takes no ratio; ignoring option sampleRatio and OTEL_TRACES_SAMPLER_ARG',
    ]);
    expect(resolve({ OTEL_TRACES_SAMPLER: 'parentbased_always_off', OTEL_TRACES_SAMPLER_ARG: '0.5' }).warnings).toEqual([
      '@kira/otel-core: OTEL_TRACES_SAMPLER="parentbased_always_off" takes no ratio; ignoring OTEL_TRACES_SAMPLER_ARG',
    ]);
  });

  it.each(['jaeger_remote', 'parentbased_jaeger_remote', 'xray', 'alwayson'])('%s warns and uses the default', (value) => {
    const { sampler, warnings } = resolve({ OTEL_TRACES_SAMPLER: value });
    expect(sampler).toEqual({ kind: 'parent-based', ratio: 0.1 });
    expect(warnings).toEqual([
      `@kira/otel-core: OTEL_TRACES_SAMPLER="${value}" is not supported (use one of parentbased_traceidratio, parentbased_always_on, parentbased_always_off, traceidratio, always_on, always_off); using parentbased_traceidratio`,
    ]);
  });
});
