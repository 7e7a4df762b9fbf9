import { describe, expect, it } from 'vitest';
import { resolveExporterConfig } from './resolve-exporter-config';

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
