import { parseKeyValueList } from './parse-key-value-list';
import type { OtlpProtocol, TelemetryOptions } from './types';

const PREFIX = '@kira/otel-core:';

export type Env = Record<string, string | undefined>;

export type ExporterConfig =
  | {
      ok: true;
      protocol: OtlpProtocol;
      urls: { traces: string; metrics: string; logs: string };
      headers: Record<string, string>;
      /** Where the endpoint came from, for the README's "which one wins" and for tests. */
      source: 'option' | 'OTEL_EXPORTER_OTLP_ENDPOINT' | 'BETTERSTACK';
    }
  | { ok: false; message: string };

/**
 * Decides where the three OTLP exporters send: the `endpoint` option, else
 * `OTEL_EXPORTER_OTLP_ENDPOINT` (+ `OTEL_EXPORTER_OTLP_HEADERS`), else BetterStack. Returns a
 * message naming exactly what is missing instead of throwing, because a missing credential must
 * leave the service running with telemetry off.
 */
export function resolveExporterConfig(env: Env, options: TelemetryOptions, warnings: string[]): ExporterConfig {
  const protocol = resolveProtocol(env, options, warnings);

  const fromOption = options.endpoint !== undefined ? validBaseUrl(options.endpoint, 'option endpoint', warnings) : undefined;
  const fromEnv =
    fromOption === undefined && env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim()
      ? validBaseUrl(env.OTEL_EXPORTER_OTLP_ENDPOINT.trim(), 'OTEL_EXPORTER_OTLP_ENDPOINT', warnings)
      : undefined;

  if (fromOption !== undefined || fromEnv !== undefined) {
    const base = (fromOption ?? fromEnv) as string;
    return {
      ok: true,
      protocol,
      urls: signalUrls(base),
      headers: { ...envHeaders(env, warnings), ...options.headers },
      source: fromOption !== undefined ? 'option' : 'OTEL_EXPORTER_OTLP_ENDPOINT',
    };
  }

  const host = env.BETTERSTACK_HOST?.trim() ?? '';
  const token = env.BETTERSTACK_TOKEN?.trim() ?? '';
  if (host !== '' && token !== '') {
    // People paste the host with or without the scheme; both mean the same ingest endpoint.
    const base = /^https?:\/\//i.test(host) ? host : `https://${host}`;
    const valid = validBaseUrl(base, 'BETTERSTACK_HOST', warnings);
    if (valid !== undefined) {
      return {
        ok: true,
        protocol,
        urls: signalUrls(valid),
        headers: { Authorization: `Bearer ${token}`, ...options.headers },
        source: 'BETTERSTACK',
      };
    }
  }

  const missing = [host === '' ? 'BETTERSTACK_HOST' : undefined, token === '' ? 'BETTERSTACK_TOKEN' : undefined].filter(
    (name): name is string => name !== undefined,
  );
  const what =
    missing.length === 0
      ? 'BETTERSTACK_HOST is not a valid host'
      : `${missing.join(' and ')} ${missing.length === 1 ? 'is' : 'are'} not set`;
  return {
    ok: false,
    message: `${PREFIX} telemetry is on but ${what}; set ${missing.length === 0 ? 'BETTERSTACK_HOST' : missing.join(' and ')} (or OTEL_EXPORTER_OTLP_ENDPOINT for another collector) - telemetry stays off`,
  };
}

function resolveProtocol(env: Env, options: TelemetryOptions, warnings: string[]): OtlpProtocol {
  const raw = options.protocol ?? env.OTEL_EXPORTER_OTLP_PROTOCOL?.trim();
  if (raw === undefined || raw === '') return 'http/protobuf';
  if (raw === 'http/protobuf' || raw === 'http/json') return raw;
  const source = options.protocol !== undefined ? 'option protocol' : 'OTEL_EXPORTER_OTLP_PROTOCOL';
  warnings.push(`${PREFIX} ${source}="${raw}" is not supported (use http/protobuf or http/json); using http/protobuf`);
  return 'http/protobuf';
}

function validBaseUrl(raw: string, source: string, warnings: string[]): string | undefined {
  try {
    const url = new URL(raw);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('not http(s)');
    return raw.replace(/\/+$/, '');
  } catch {
    warnings.push(`${PREFIX} ${source}="${raw}" is not a valid http(s) URL; ignoring it`);
    return undefined;
  }
}

function signalUrls(base: string): { traces: string; metrics: string; logs: string } {
  return { traces: `${base}/v1/traces`, metrics: `${base}/v1/metrics`, logs: `${base}/v1/logs` };
}

function envHeaders(env: Env, warnings: string[]): Record<string, string> {
  const raw = env.OTEL_EXPORTER_OTLP_HEADERS;
  if (raw === undefined || raw.trim() === '') return {};
  const { values, invalid } = parseKeyValueList(raw);
  if (invalid.length > 0) {
    // Never echo header values: they usually hold credentials.
    warnings.push(`${PREFIX} OTEL_EXPORTER_OTLP_HEADERS has ${invalid.length} malformed entr${invalid.length === 1 ? 'y' : 'ies'} (expected key=value); skipping ${invalid.length === 1 ? 'it' : 'them'}`);
  }
  return values;
}
