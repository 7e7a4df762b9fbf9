import type { Env } from './resolve-exporter-config';
import type { TelemetryOptions } from './types';
import { MESSAGE_PREFIX } from './message-prefix';

export const DEFAULT_SAMPLE_RATIO = 0.1;
export const DEFAULT_METRIC_EXPORT_INTERVAL_MILLIS = 30_000;
export const DEFAULT_METRIC_EXPORT_TIMEOUT_MILLIS = 30_000;
export const DEFAULT_SHUTDOWN_TIMEOUT_MILLIS = 5_000;

export interface Settings {
  sampleRatio: number;
  metricExportIntervalMillis: number;
  metricExportTimeoutMillis: number;
  shutdownTimeoutMillis: number;
}

/**
 * The numeric knobs. Each follows option > env > default, and an invalid value of either kind
 * warns and falls back to the default (not to the next source), so the warning tells the truth
 * about what is in effect.
 */
export function resolveSettings(env: Env, options: TelemetryOptions, warnings: string[]): Settings {
  const sampleRatio = pick(
    options.sampleRatio,
    'sampleRatio',
    env.OTEL_TRACES_SAMPLER_ARG,
    'OTEL_TRACES_SAMPLER_ARG',
    DEFAULT_SAMPLE_RATIO,
    (value) => value >= 0 && value <= 1,
    'a number between 0 and 1',
    warnings,
  );
  const metricExportIntervalMillis = pick(
    options.metricExportIntervalMillis,
    'metricExportIntervalMillis',
    env.OTEL_METRIC_EXPORT_INTERVAL,
    'OTEL_METRIC_EXPORT_INTERVAL',
    DEFAULT_METRIC_EXPORT_INTERVAL_MILLIS,
    (value) => value > 0 && Number.isFinite(value),
    'a positive number of milliseconds',
    warnings,
  );
  const timeout = pick(
    options.metricExportTimeoutMillis,
    'metricExportTimeoutMillis',
    env.OTEL_METRIC_EXPORT_TIMEOUT,
    'OTEL_METRIC_EXPORT_TIMEOUT',
    DEFAULT_METRIC_EXPORT_TIMEOUT_MILLIS,
    (value) => value > 0 && Number.isFinite(value),
    'a positive number of milliseconds',
    warnings,
  );
  const shutdownTimeoutMillis = pick(
    options.shutdownTimeoutMillis,
    'shutdownTimeoutMillis',
    undefined,
    '',
    DEFAULT_SHUTDOWN_TIMEOUT_MILLIS,
    (value) => value > 0 && Number.isFinite(value),
    'a positive number of milliseconds',
    warnings,
  );
  return {
    sampleRatio,
    metricExportIntervalMillis,
    // The reader throws when the timeout exceeds the interval; a short interval (tests, demos)
    // with the default timeout is legitimate, so clamp instead.
    metricExportTimeoutMillis: Math.min(timeout, metricExportIntervalMillis),
    shutdownTimeoutMillis,
  };
}

/**
 * One numeric setting: the option if given, else the variable, else `fallback`; an invalid value
 * warns (naming the option or variable and the value) and `fallback` is used. Empty or blank
 * variables count as unset. `Infinity` as the fallback reads "no limit" in the warning.
 */
export function pick(
  optionValue: number | undefined,
  optionName: string,
  envValue: string | undefined,
  envName: string,
  fallback: number,
  valid: (value: number) => boolean,
  expected: string,
  warnings: string[],
): number {
  const shownFallback = fallback === Number.POSITIVE_INFINITY ? 'no limit' : String(fallback);
  if (optionValue !== undefined) {
    if (typeof optionValue === 'number' && valid(optionValue)) return optionValue;
    warnings.push(`${MESSAGE_PREFIX} option ${optionName}=${String(optionValue)} is not ${expected}; using ${shownFallback}`);
    return fallback;
  }
  const raw = envValue?.trim();
  if (raw === undefined || raw === '') return fallback;
  const parsed = Number(raw);
  if (valid(parsed)) return parsed;
  warnings.push(`${MESSAGE_PREFIX} ${envName}="${raw}" is not ${expected}; using ${shownFallback}`);
  return fallback;
}
