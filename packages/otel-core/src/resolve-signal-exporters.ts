import { parseEnumList } from './parse-key-value-list';
import { type Env, type Signal, SIGNALS } from './resolve-exporter-config';
import { MESSAGE_PREFIX } from './message-prefix';

/** What otel-core can do with a signal: export it over OTLP/HTTP, or not export it at all. */
export type SignalExporter = 'otlp' | 'none';

const VARIABLES: Record<Signal, string> = {
  traces: 'OTEL_TRACES_EXPORTER',
  metrics: 'OTEL_METRICS_EXPORTER',
  logs: 'OTEL_LOGS_EXPORTER',
};

/**
 * `OTEL_TRACES_EXPORTER`, `OTEL_METRICS_EXPORTER` and `OTEL_LOGS_EXPORTER`, as the SDK environment
 * variable spec defines them
 * (https://opentelemetry.io/docs/specs/otel/configuration/sdk-environment-variables/#exporter-selection):
 * per signal, default `otlp`; `none` means no automatically configured exporter for that signal.
 * Values are trimmed and case-insensitive, like the spec's other enums.
 *
 * The spec allows a comma-separated list; otel-core exports each signal to at most one place, so:
 * - a list that names `none` means `none` (with a warning when it names others too: not shipping
 *   is the safe reading of a contradictory value, as with `OTEL_PROPAGATORS`);
 * - `console`, `zipkin`, `prometheus`, `jaeger` or any other exporter is not shipped: a warning
 *   names the variable and the value, and `otlp` is used (so `otlp,console` exports over OTLP).
 */
export function resolveSignalExporters(env: Env, warnings: string[]): Record<Signal, SignalExporter> {
  const resolve = (signal: Signal): SignalExporter => {
    const variable = VARIABLES[signal];
    const raw = env[variable]?.trim() ?? '';
    if (raw === '') return 'otlp';
    const names = parseEnumList(raw);
    if (names.includes('none')) {
      if (names.length > 1) warnings.push(`${MESSAGE_PREFIX} ${variable}="${raw}" lists none with others; ${signal} are not exported`);
      return 'none';
    }
    const unsupported = names.filter((name) => name !== 'otlp');
    if (unsupported.length > 0) {
      warnings.push(`${MESSAGE_PREFIX} ${variable}="${raw}": ${unsupported.join(', ')} ${unsupported.length === 1 ? 'is' : 'are'} not supported (use otlp or none); using otlp`);
    }
    return 'otlp';
  };
  return { traces: resolve('traces'), metrics: resolve('metrics'), logs: resolve('logs') };
}

/** The signals that are exported, in SIGNALS order. */
export function exportedSignals(exporters: Record<Signal, SignalExporter>): Signal[] {
  return SIGNALS.filter((signal) => exporters[signal] === 'otlp');
}
