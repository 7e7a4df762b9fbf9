import { describe, expect, it } from 'vitest';
import { exportedSignals, resolveSignalExporters } from './resolve-signal-exporters';

function resolve(env: Record<string, string>) {
  const warnings: string[] = [];
  return { exporters: resolveSignalExporters(env, warnings), warnings };
}

describe('resolveSignalExporters', () => {
  it('defaults every signal to otlp when unset or empty', () => {
    expect(resolve({})).toEqual({ exporters: { traces: 'otlp', metrics: 'otlp', logs: 'otlp' }, warnings: [] });
    expect(resolve({ OTEL_TRACES_EXPORTER: '', OTEL_METRICS_EXPORTER: '  ', OTEL_LOGS_EXPORTER: ' , ' })).toEqual({
      exporters: { traces: 'otlp', metrics: 'otlp', logs: 'otlp' },
      warnings: [],
    });
  });

  it('reads each signal from its own variable, trimmed and case-insensitive', () => {
    expect(resolve({ OTEL_LOGS_EXPORTER: ' NONE ', OTEL_METRICS_EXPORTER: 'None', OTEL_TRACES_EXPORTER: 'OTLP' })).toEqual({
      exporters: { traces: 'otlp', metrics: 'none', logs: 'none' },
      warnings: [],
    });
    expect(resolve({ OTEL_TRACES_EXPORTER: 'none' }).exporters).toEqual({ traces: 'none', metrics: 'otlp', logs: 'otlp' });
    expect(resolve({ OTEL_LOGS_EXPORTER: 'otlp,otlp' })).toEqual({ exporters: { traces: 'otlp', metrics: 'otlp', logs: 'otlp' }, warnings: [] });
  });

  it('warns naming the variable and value for exporters it does not ship, and uses otlp', () => {
    expect(resolve({ OTEL_TRACES_EXPORTER: 'zipkin', OTEL_METRICS_EXPORTER: 'Prometheus', OTEL_LOGS_EXPORTER: 'console' })).toEqual({
      exporters: { traces: 'otlp', metrics: 'otlp', logs: 'otlp' },
      warnings: [
        '@kira/otel-core: OTEL_TRACES_EXPORTER="zipkin": zipkin is not supported (use otlp or none); using otlp',
        '@kira/otel-core: OTEL_METRICS_EXPORTER="Prometheus": prometheus is not supported (use otlp or none); using otlp',
        '@kira/otel-core: OTEL_LOGS_EXPORTER="console": console is not supported (use otlp or none); using otlp',
      ],
    });
    expect(resolve({ OTEL_TRACES_EXPORTER: 'otlp,console,jaeger' }).warnings).toEqual([
      '@kira/otel-core: OTEL_TRACES_EXPORTER="otlp,console,jaeger": console, jaeger are not supported (use otlp or none); using otlp',
    ]);
  });

  it('a list naming none means none, and says so when it names others too', () => {
    expect(resolve({ OTEL_LOGS_EXPORTER: 'otlp, none' })).toEqual({
      exporters: { traces: 'otlp', metrics: 'otlp', logs: 'none' },
      warnings: ['@kira/otel-core: OTEL_LOGS_EXPORTER="otlp, none" lists none with others; logs are not exported'],
    });
    expect(resolve({ OTEL_METRICS_EXPORTER: 'none,none' })).toEqual({ exporters: { traces: 'otlp', metrics: 'none', logs: 'otlp' }, warnings: [] });
  });

  it('lists the exported signals in order', () => {
    expect(exportedSignals({ traces: 'otlp', metrics: 'none', logs: 'otlp' })).toEqual(['traces', 'logs']);
    expect(exportedSignals({ traces: 'none', metrics: 'none', logs: 'none' })).toEqual([]);
  });
});
