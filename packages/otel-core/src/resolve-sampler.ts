import type { Env } from './resolve-exporter-config';
import type { TelemetryOptions } from './types';
import { MESSAGE_PREFIX } from './message-prefix';

/**
 * The trace sampler. `parent-based` is `ParentBased(TraceIdRatioBased(ratio))`, run by
 * `ParentBasedTracerProvider` (ratio 1 and 0 are `parentbased_always_on` / `_off`: the same
 * decisions); the others ignore the parent's decision and run on the SDK's plain provider.
 */
export type SamplerChoice =
  | { kind: 'parent-based'; ratio: number }
  | { kind: 'always_on' }
  | { kind: 'always_off' }
  | { kind: 'traceidratio'; ratio: number };

const SUPPORTED = ['parentbased_traceidratio', 'parentbased_always_on', 'parentbased_always_off', 'traceidratio', 'always_on', 'always_off'];

/**
 * `OTEL_TRACES_SAMPLER`, as the SDK environment variable spec defines it
 * (https://opentelemetry.io/docs/specs/otel/configuration/sdk-environment-variables/#general-sdk-configuration):
 * an enum, so case-insensitive, an empty value is unset, and an unknown value warns and is
 * ignored. Unset, it is `parentbased_traceidratio` here (the spec's default is
 * `parentbased_always_on`; ours keeps 10 % of traces). `sampleRatio` is the ratio already resolved
 * from the option or `OTEL_TRACES_SAMPLER_ARG`; samplers without a ratio say it is not used.
 */
export function resolveSampler(env: Env, options: TelemetryOptions, sampleRatio: number, warnings: string[]): SamplerChoice {
  const raw = env.OTEL_TRACES_SAMPLER?.trim() ?? '';
  const name = raw.toLowerCase();
  switch (name) {
    case '':
    case 'parentbased_traceidratio':
      return { kind: 'parent-based', ratio: sampleRatio };
    case 'traceidratio':
      return { kind: 'traceidratio', ratio: sampleRatio };
    case 'parentbased_always_on':
      warnRatioUnused(env, options, raw, warnings);
      return { kind: 'parent-based', ratio: 1 };
    case 'parentbased_always_off':
      warnRatioUnused(env, options, raw, warnings);
      return { kind: 'parent-based', ratio: 0 };
    case 'always_on':
    case 'always_off':
      warnRatioUnused(env, options, raw, warnings);
      return { kind: name };
    default:
      warnings.push(`${MESSAGE_PREFIX} OTEL_TRACES_SAMPLER="${raw}" is not supported (use one of ${SUPPORTED.join(', ')}); using parentbased_traceidratio`);
      return { kind: 'parent-based', ratio: sampleRatio };
  }
}

/** The ratio's two sources, both of which a sampler without a ratio leaves unused. */
function warnRatioUnused(env: Env, options: TelemetryOptions, sampler: string, warnings: string[]): void {
  const unused = [options.sampleRatio !== undefined ? 'option sampleRatio' : undefined, env.OTEL_TRACES_SAMPLER_ARG?.trim() ? 'OTEL_TRACES_SAMPLER_ARG' : undefined].filter(
    (source): source is string => source !== undefined,
  );
  if (unused.length > 0) warnings.push(`${MESSAGE_PREFIX} OTEL_TRACES_SAMPLER="${sampler}" takes no ratio; ignoring ${unused.join(' and ')}`);
}
