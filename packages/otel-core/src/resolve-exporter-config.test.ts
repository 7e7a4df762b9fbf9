import { describe, expect, it } from 'vitest';
import { exportedSignal, resolveExporterConfig, signalExport } from './resolve-exporter-config';

function resolve(env: Record<string, string>, options = {}) {
  const warnings: string[] = [];
  return { config: resolveExporterConfig(env, options, warnings), warnings };
}

describe('resolveExporterConfig', () => {
  it('sends to BetterStack over https with the Bearer token', () => {
    const { config, warnings } = resolve({ BETTERSTACK_HOST: 'in-otel.logs.betterstack.com', BETTERSTACK_TOKEN: 'tok' });
    expect(warnings).toEqual([]);
    expect(config).toEqual({
      ok: true,
      protocol: 'http/protobuf',
      source: 'BETTERSTACK',
      urls: {
        traces: 'https://in-otel.logs.betterstack.com/v1/traces',
        metrics: 'https://in-otel.logs.betterstack.com/v1/metrics',
        logs: 'https://in-otel.logs.betterstack.com/v1/logs',
      },
      headers: { Authorization: 'Bearer tok' },
    });
  });

  it('prefers OTEL_EXPORTER_OTLP_ENDPOINT with its percent-decoded headers over BetterStack', () => {
    const { config } = resolve({
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318/',
      OTEL_EXPORTER_OTLP_HEADERS: 'authorization=Bearer%20abc, x-team = kira%2Cobs',
      BETTERSTACK_HOST: 'in-otel.logs.betterstack.com',
      BETTERSTACK_TOKEN: 'tok',
    });
    expect(config.ok && config.source).toBe('OTEL_EXPORTER_OTLP_ENDPOINT');
    expect(config.ok && config.urls.metrics).toBe('http://127.0.0.1:4318/v1/metrics');
    expect(config.ok && config.headers).toEqual({ authorization: 'Bearer abc', 'x-team': 'kira,obs' });
  });

  it('lets options override the environment', () => {
    const { config } = resolve(
      { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318', OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf' },
      { endpoint: 'http://collector:4318', headers: { 'x-key': '1' }, protocol: 'http/json' },
    );
    expect(config).toMatchObject({ ok: true, source: 'option', protocol: 'http/json', headers: { 'x-key': '1' } });
    expect(config.ok && config.urls.logs).toBe('http://collector:4318/v1/logs');
  });

  it('names exactly the missing BetterStack variable', () => {
    expect(resolve({ BETTERSTACK_HOST: 'in-otel.logs.betterstack.com' }).config).toEqual({
      ok: false,
      message: expect.stringMatching(/^@kira\/otel-core: telemetry is on but BETTERSTACK_TOKEN is not set;.*telemetry stays off$/),
    });
    const onlyToken = resolve({ BETTERSTACK_TOKEN: 'tok' }).config;
    expect(!onlyToken.ok && onlyToken.message).toMatch(/but BETTERSTACK_HOST is not set/);
    expect(!onlyToken.ok && onlyToken.message).not.toMatch(/BETTERSTACK_TOKEN/);
    const none = resolve({}).config;
    expect(!none.ok && none.message).toMatch(/but BETTERSTACK_HOST and BETTERSTACK_TOKEN are not set/);
  });

  it('warns and falls back on bad values without throwing', () => {
    const { config, warnings } = resolve({
      OTEL_EXPORTER_OTLP_ENDPOINT: 'not a url',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
      BETTERSTACK_HOST: 'in-otel.logs.betterstack.com',
      BETTERSTACK_TOKEN: 'tok',
    });
    expect(config).toMatchObject({ ok: true, source: 'BETTERSTACK', protocol: 'http/protobuf' });
    expect(warnings).toEqual([
      expect.stringMatching(/^@kira\/otel-core: OTEL_EXPORTER_OTLP_PROTOCOL="grpc" is not supported/),
      expect.stringMatching(/^@kira\/otel-core: OTEL_EXPORTER_OTLP_ENDPOINT="not a url" is not a valid/),
    ]);
  });

  it('skips malformed header entries with a warning that does not leak values', () => {
    const { config, warnings } = resolve({
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318',
      OTEL_EXPORTER_OTLP_HEADERS: 'secretvalue,ok=1',
    });
    expect(config.ok && config.headers).toEqual({ ok: '1' });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).not.toContain('secretvalue');
  });
});

describe('resolveExporterConfig per signal', () => {
  it('uses OTEL_EXPORTER_OTLP_<SIGNAL>_ENDPOINT as given, with the signal headers over the generic ones and its protocol', () => {
    const { config, warnings } = resolve({
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://base:4318',
      OTEL_EXPORTER_OTLP_HEADERS: 'x-shared=1,x-team=generic',
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://traces:4318/custom/path',
      OTEL_EXPORTER_OTLP_TRACES_HEADERS: 'x-team=traces',
      OTEL_EXPORTER_OTLP_LOGS_PROTOCOL: 'http/json',
    });
    expect(warnings).toEqual([]);
    if (!config.ok) throw new Error(config.message);
    expect(config.urls).toEqual({ traces: 'http://traces:4318/custom/path', metrics: 'http://base:4318/v1/metrics', logs: 'http://base:4318/v1/logs' });
    expect(signalExport(config, 'traces')).toMatchObject({ source: 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', protocol: 'http/protobuf', headers: { 'x-shared': '1', 'x-team': 'traces' } });
    expect(signalExport(config, 'metrics')).toMatchObject({ source: 'OTEL_EXPORTER_OTLP_ENDPOINT', protocol: 'http/protobuf', headers: { 'x-shared': '1', 'x-team': 'generic' } });
    expect(signalExport(config, 'logs')).toMatchObject({ source: 'OTEL_EXPORTER_OTLP_ENDPOINT', protocol: 'http/json' });
  });

  it('never gives the BetterStack token to a signal sent elsewhere, nor OTEL headers to BetterStack', () => {
    const { config, warnings } = resolve(
      {
        BETTERSTACK_HOST: 'in-otel.logs.betterstack.com',
        BETTERSTACK_TOKEN: 'tok',
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://jaeger:4318/v1/traces',
        OTEL_EXPORTER_OTLP_HEADERS: 'x-collector=1',
        OTEL_EXPORTER_OTLP_METRICS_HEADERS: 'x-metrics=1',
      },
      { headers: { 'x-option': 'o' } },
    );
    if (!config.ok) throw new Error(config.message);
    expect(signalExport(config, 'traces')).toEqual({
      url: 'http://jaeger:4318/v1/traces',
      source: 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT',
      protocol: 'http/protobuf',
      headers: { 'x-collector': '1', 'x-option': 'o' },
    });
    for (const signal of ['metrics', 'logs'] as const) {
      expect(signalExport(config, signal)).toEqual({
        url: `https://in-otel.logs.betterstack.com/v1/${signal}`,
        source: 'BETTERSTACK',
        protocol: 'http/protobuf',
        headers: { Authorization: 'Bearer tok', 'x-option': 'o' },
      });
    }
    expect(warnings).toEqual([expect.stringMatching(/^@kira\/otel-core: OTEL_EXPORTER_OTLP_HEADERS, OTEL_EXPORTER_OTLP_METRICS_HEADERS are not sent to BetterStack \(metrics, logs/)]);
  });

  it('names the TLS variables that BetterStack-bound signals do not use, and only those', () => {
    const { config, warnings } = resolve({
      BETTERSTACK_HOST: 'in-otel.logs.betterstack.com',
      BETTERSTACK_TOKEN: 'tok',
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://collector:4318/v1/traces',
      OTEL_EXPORTER_OTLP_CLIENT_KEY: 'client.key',
      OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE: 'client.pem',
      // The traces' own certificate concerns the collector only: not in the warning.
      OTEL_EXPORTER_OTLP_TRACES_CERTIFICATE: 'collector-ca.pem',
      OTEL_EXPORTER_OTLP_LOGS_CERTIFICATE: 'logs-ca.pem',
    });
    expect(config.ok).toBe(true);
    expect(warnings).toEqual([
      "@kira/otel-core: OTEL_EXPORTER_OTLP_LOGS_CERTIFICATE, OTEL_EXPORTER_OTLP_CLIENT_KEY, OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE are not used for BetterStack (metrics, logs go there with Node's default trusted certificates, which NODE_EXTRA_CA_CERTS extends); they apply to signals sent to an OTEL_EXPORTER_OTLP_*ENDPOINT or the endpoint option",
    ]);
    expect(resolve({ OTEL_EXPORTER_OTLP_ENDPOINT: 'https://collector:4318', OTEL_EXPORTER_OTLP_CERTIFICATE: 'ca.pem' }).warnings).toEqual([]);
  });

  it('the endpoint option wins for all three signals and says which variables it overrides', () => {
    const { config, warnings } = resolve(
      { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://traces:4318/v1/traces', OTEL_EXPORTER_OTLP_LOGS_PROTOCOL: 'http/json', OTEL_EXPORTER_OTLP_TRACES_HEADERS: 'x-t=1' },
      { endpoint: 'http://collector:4318', protocol: 'http/protobuf' },
    );
    if (!config.ok) throw new Error(config.message);
    expect(config.urls.traces).toBe('http://collector:4318/v1/traces');
    expect(signalExport(config, 'logs').protocol).toBe('http/protobuf');
    // Headers still follow the spec's per-signal variables: only the URL and protocol are the option's.
    expect(signalExport(config, 'traces').headers).toEqual({ 'x-t': '1' });
    expect(warnings).toEqual([
      '@kira/otel-core: option protocol overrides OTEL_EXPORTER_OTLP_LOGS_PROTOCOL',
      '@kira/otel-core: option endpoint overrides OTEL_EXPORTER_OTLP_TRACES_ENDPOINT; every signal goes to http://collector:4318/v1/<signal>',
    ]);
  });

  it('an invalid signal endpoint or protocol warns with its name and the next source applies', () => {
    const { config, warnings } = resolve({
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://base:4318',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: 'ftp://metrics',
      OTEL_EXPORTER_OTLP_METRICS_PROTOCOL: 'grpc',
      OTEL_EXPORTER_OTLP_LOGS_HEADERS: 'secretvalue',
    });
    if (!config.ok) throw new Error(config.message);
    expect(signalExport(config, 'metrics')).toMatchObject({ url: 'http://base:4318/v1/metrics', protocol: 'http/json' });
    expect(warnings).toEqual([
      '@kira/otel-core: OTEL_EXPORTER_OTLP_METRICS_PROTOCOL="grpc" is not supported (use http/protobuf or http/json); using http/json',
      '@kira/otel-core: OTEL_EXPORTER_OTLP_METRICS_ENDPOINT="ftp://metrics" is not a valid http(s) URL; ignoring it',
      '@kira/otel-core: OTEL_EXPORTER_OTLP_LOGS_HEADERS has 1 malformed entry (expected key=value); skipping it',
    ]);
  });

  it('a signal without any destination keeps telemetry off, naming the signals and what would fix them', () => {
    const { config } = resolve({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://traces:4318/v1/traces', BETTERSTACK_HOST: 'in-otel.logs.betterstack.com' });
    expect(config).toEqual({
      ok: false,
      message:
        '@kira/otel-core: telemetry is on but metrics and logs have no destination (no OTEL_EXPORTER_OTLP_METRICS_ENDPOINT or OTEL_EXPORTER_OTLP_LOGS_ENDPOINT, no OTEL_EXPORTER_OTLP_ENDPOINT, and BETTERSTACK_TOKEN is not set); set OTEL_EXPORTER_OTLP_METRICS_ENDPOINT and OTEL_EXPORTER_OTLP_LOGS_ENDPOINT, OTEL_EXPORTER_OTLP_ENDPOINT or BETTERSTACK_TOKEN - telemetry stays off',
    });
  });

  it('three signal endpoints alone are enough', () => {
    const { config } = resolve({
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://a/t',
      OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: 'http://b/m',
      OTEL_EXPORTER_OTLP_LOGS_ENDPOINT: 'http://c/l',
    });
    expect(config.ok && config.urls).toEqual({ traces: 'http://a/t', metrics: 'http://b/m', logs: 'http://c/l' });
  });
});

describe('resolveExporterConfig with signals that are not exported', () => {
  const resolveFor = (env: Record<string, string>, exporting: Array<'traces' | 'metrics' | 'logs'>) => {
    const warnings: string[] = [];
    return { config: resolveExporterConfig(env, {}, warnings, exporting), warnings };
  };

  it('requires a destination only for the exported signals, and gives the others none', () => {
    const { config, warnings } = resolveFor(
      { OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: 'http://m/v1/metrics', OTEL_EXPORTER_OTLP_LOGS_ENDPOINT: 'http://l/v1/logs' },
      ['metrics', 'logs'],
    );
    expect(warnings).toEqual([]);
    if (!config.ok) throw new Error(config.message);
    expect(config.urls).toEqual({ metrics: 'http://m/v1/metrics', logs: 'http://l/v1/logs' });
    expect(exportedSignal(config, 'traces')).toBeUndefined();
    expect(exportedSignal(config, 'metrics')).toEqual({ url: 'http://m/v1/metrics', source: 'OTEL_EXPORTER_OTLP_METRICS_ENDPOINT', protocol: 'http/protobuf', headers: {} });
    expect(() => signalExport(config, 'traces')).toThrow(/traces are not exported/);
  });

  it('still names an exported signal that has no destination', () => {
    const { config } = resolveFor({ OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: 'http://m/v1/metrics' }, ['metrics', 'logs']);
    expect(config.ok).toBe(false);
    expect(!config.ok && config.message).toMatch(/telemetry is on but logs has no destination \(no OTEL_EXPORTER_OTLP_LOGS_ENDPOINT,/);
  });

  it('with no signal exported, needs no destination and reads no BetterStack settings', () => {
    const { config, warnings } = resolveFor({ BETTERSTACK_HOST: 'not a host' }, []);
    expect(warnings).toEqual([]);
    expect(config).toEqual({ ok: true, urls: {}, protocol: 'http/protobuf', headers: {}, bySignal: {} });
  });

  it('keeps the BetterStack token to the exported signals sent there', () => {
    const { config } = resolveFor({ BETTERSTACK_HOST: 'in-otel.logs.betterstack.com', BETTERSTACK_TOKEN: 'tok' }, ['traces']);
    if (!config.ok) throw new Error(config.message);
    expect(config.urls).toEqual({ traces: 'https://in-otel.logs.betterstack.com/v1/traces' });
    expect(config).toMatchObject({ source: 'BETTERSTACK', headers: { Authorization: 'Bearer tok' } });
  });
});
