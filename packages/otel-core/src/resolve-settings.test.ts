import { describe, expect, it } from 'vitest';
import { resolveSettings } from './resolve-settings';

describe('resolveSettings', () => {
  it('defaults to ratio 0.1, a 30 s metric interval and a 5 s shutdown bound', () => {
    const warnings: string[] = [];
    expect(resolveSettings({}, {}, warnings)).toEqual({
      sampleRatio: 0.1,
      metricExportIntervalMillis: 30_000,
      metricExportTimeoutMillis: 30_000,
      shutdownTimeoutMillis: 5_000,
    });
    expect(warnings).toEqual([]);
  });

  it('reads the environment and lets options win', () => {
    const env = { OTEL_TRACES_SAMPLER_ARG: '0.25', OTEL_METRIC_EXPORT_INTERVAL: '60000', OTEL_METRIC_EXPORT_TIMEOUT: '5000' };
    expect(resolveSettings(env, {}, [])).toMatchObject({ sampleRatio: 0.25, metricExportIntervalMillis: 60_000, metricExportTimeoutMillis: 5_000 });
    expect(resolveSettings(env, { sampleRatio: 1, metricExportIntervalMillis: 1000 }, [])).toMatchObject({
      sampleRatio: 1,
      metricExportIntervalMillis: 1000,
      // clamped: the reader refuses a timeout longer than the interval
      metricExportTimeoutMillis: 1000,
    });
  });

  it.each([
    ['OTEL_TRACES_SAMPLER_ARG', 'abc', 'sampleRatio', 0.1],
    ['OTEL_TRACES_SAMPLER_ARG', '1.5', 'sampleRatio', 0.1],
    ['OTEL_TRACES_SAMPLER_ARG', '-0.2', 'sampleRatio', 0.1],
    ['OTEL_METRIC_EXPORT_INTERVAL', '-5', 'metricExportIntervalMillis', 30_000],
    ['OTEL_METRIC_EXPORT_INTERVAL', 'soon', 'metricExportIntervalMillis', 30_000],
  ] as const)('%s=%s warns once and uses the default', (name, value, key, fallback) => {
    const warnings: string[] = [];
    const settings = resolveSettings({ [name]: value }, {}, warnings);
    expect(settings[key]).toBe(fallback);
    expect(warnings).toEqual([`@kira/otel-core: ${name}="${value}" is not ${key === 'sampleRatio' ? 'a number between 0 and 1' : 'a positive number of milliseconds'}; using ${fallback}`]);
  });

  it('treats an invalid option like an invalid env value', () => {
    const warnings: string[] = [];
    expect(resolveSettings({ OTEL_TRACES_SAMPLER_ARG: '0.5' }, { sampleRatio: Number.NaN }, warnings).sampleRatio).toBe(0.1);
    expect(warnings[0]).toMatch(/^@kira\/otel-core: option sampleRatio=NaN/);
  });
});
