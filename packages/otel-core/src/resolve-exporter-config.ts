import { parseKeyValueList } from './parse-key-value-list';
import type { OtlpProtocol, TelemetryOptions } from './types';
import { MESSAGE_PREFIX } from './message-prefix';

export type Env = Record<string, string | undefined>;

export type Signal = 'traces' | 'metrics' | 'logs';
export const SIGNALS: readonly Signal[] = ['traces', 'metrics', 'logs'];

/** Where a signal's URL came from, for the README's "which one wins" and for tests. */
export type EndpointSource = 'option' | 'OTEL_EXPORTER_OTLP_ENDPOINT' | `OTEL_EXPORTER_OTLP_${Uppercase<Signal>}_ENDPOINT` | 'BETTERSTACK';

/** How one signal is exported. */
export interface SignalExport {
  url: string;
  protocol: OtlpProtocol;
  headers: Record<string, string>;
  source: EndpointSource;
}

export type ExporterConfig =
  | {
      ok: true;
      /** Every exported signal's; a signal whose `OTEL_<SIGNAL>_EXPORTER` is `none` has none. */
      urls: Partial<Record<Signal, string>>;
      /**
       * Every signal's, unless `bySignal` is present: then the first exported signal's (the
       * traces', unless they are not exported). With no signal exported: `http/protobuf`, no
       * headers and no source.
       */
      protocol: OtlpProtocol;
      headers: Record<string, string>;
      source?: EndpointSource;
      /**
       * Present only when the exported signals differ in protocol, headers or source (per-signal
       * variables), or when not every signal is exported; then it holds the exported ones.
       */
      bySignal?: Partial<Record<Signal, Omit<SignalExport, 'url'>>>;
    }
  | { ok: false; message: string };

/** How `signal` is exported under `config`, or undefined when it is not exported. */
export function exportedSignal(config: Extract<ExporterConfig, { ok: true }>, signal: Signal): SignalExport | undefined {
  const url = config.urls[signal];
  const { protocol, headers, source } = config.bySignal?.[signal] ?? config;
  return url === undefined || source === undefined ? undefined : { url, protocol, headers, source };
}

/** How `signal` is exported under `config`; for a signal known to be exported. */
export function signalExport(config: Extract<ExporterConfig, { ok: true }>, signal: Signal): SignalExport {
  const found = exportedSignal(config, signal);
  if (found === undefined) throw new Error(`${MESSAGE_PREFIX} ${signal} are not exported`);
  return found;
}

const signalVariable = (signal: Signal, setting: 'ENDPOINT' | 'HEADERS' | 'PROTOCOL') => `OTEL_EXPORTER_OTLP_${signal.toUpperCase()}_${setting}`;

const isSet = (value: string | undefined): value is string => value !== undefined && value.trim() !== '';

/**
 * Decides where each of the three OTLP exporters sends, following the OTLP exporter spec
 * (https://opentelemetry.io/docs/specs/otel/protocol/exporter/): per signal, the `endpoint`
 * option (+ `/v1/<signal>`), else `OTEL_EXPORTER_OTLP_<SIGNAL>_ENDPOINT` used as is, else
 * `OTEL_EXPORTER_OTLP_ENDPOINT` + `/v1/<signal>`, else BetterStack. Returns a message naming
 * exactly what is missing instead of throwing, because a missing credential must leave the service
 * running with telemetry off.
 *
 * The BetterStack token goes only to BetterStack, and the OTEL_EXPORTER_OTLP_*_HEADERS only to
 * the URLs the option or the OTEL variables name: a signal redirected elsewhere must not carry
 * the credential of another backend.
 *
 * Only the `exporting` signals need a destination (the others' `OTEL_<SIGNAL>_EXPORTER` is
 * `none`, see resolve-signal-exporters.ts); with none exporting, none is required.
 */
export function resolveExporterConfig(env: Env, options: TelemetryOptions, warnings: string[], exporting: readonly Signal[] = SIGNALS): ExporterConfig {
  const protocols = resolveProtocols(env, options, warnings);

  const fromOption = options.endpoint !== undefined ? validBaseUrl(options.endpoint, 'option endpoint', warnings) : undefined;
  if (fromOption !== undefined) {
    // Code wins, as the SDK's exporter config does; say so rather than drop the variables silently.
    const overridden = SIGNALS.map((signal) => signalVariable(signal, 'ENDPOINT')).filter((name) => isSet(env[name]));
    if (overridden.length > 0) {
      warnings.push(`${MESSAGE_PREFIX} option endpoint overrides ${overridden.join(', ')}; every signal goes to ${fromOption}/v1/<signal>`);
    }
  }
  const fromEnv =
    fromOption === undefined && isSet(env.OTEL_EXPORTER_OTLP_ENDPOINT)
      ? validBaseUrl(env.OTEL_EXPORTER_OTLP_ENDPOINT.trim(), 'OTEL_EXPORTER_OTLP_ENDPOINT', warnings)
      : undefined;

  const otelHeaders = once(() => envHeaders(env, 'OTEL_EXPORTER_OTLP_HEADERS', warnings));
  const betterStack = once(() => resolveBetterStack(env, warnings));
  const exports: Partial<Record<Signal, SignalExport>> = {};
  const betterStackSignals: Signal[] = [];
  for (const signal of SIGNALS) {
    if (!exporting.includes(signal)) continue;
    const endpointVariable = signalVariable(signal, 'ENDPOINT');
    const fromSignalVariable =
      fromOption === undefined && isSet(env[endpointVariable]) ? validUrl(env[endpointVariable].trim(), endpointVariable, warnings) : undefined;
    const otelDestination: { url: string; source: EndpointSource } | undefined =
      fromOption !== undefined
        ? { url: `${fromOption}/v1/${signal}`, source: 'option' }
        : fromSignalVariable !== undefined
          ? { url: fromSignalVariable, source: endpointVariable as EndpointSource }
          : fromEnv !== undefined
            ? { url: `${fromEnv}/v1/${signal}`, source: 'OTEL_EXPORTER_OTLP_ENDPOINT' }
            : undefined;
    if (otelDestination !== undefined) {
      const headers = { ...otelHeaders(), ...envHeaders(env, signalVariable(signal, 'HEADERS'), warnings), ...options.headers };
      exports[signal] = { ...otelDestination, protocol: protocols[signal], headers };
      continue;
    }
    const base = betterStack();
    if (base === undefined) continue;
    betterStackSignals.push(signal);
    exports[signal] = {
      url: `${base.url}/v1/${signal}`,
      protocol: protocols[signal],
      headers: { Authorization: `Bearer ${base.token}`, ...options.headers },
      source: 'BETTERSTACK',
    };
  }

  const missing = SIGNALS.filter((signal) => exporting.includes(signal) && exports[signal] === undefined);
  if (missing.length > 0) return { ok: false, message: missingDestinationMessage(env, missing) };
  warnUnusedForBetterStack(env, betterStackSignals, warnings);
  if (exporting.length < SIGNALS.length) return partialConfig(exports);

  const resolved = exports as Record<Signal, SignalExport>;
  const urls = { traces: resolved.traces.url, metrics: resolved.metrics.url, logs: resolved.logs.url };
  const { url: _tracesUrl, ...traces } = resolved.traces;
  const uniform = SIGNALS.every((signal) => sameExport(resolved[signal], resolved.traces));
  if (uniform) return { ok: true, urls, ...traces };
  const withoutUrl = ({ url: _url, ...rest }: SignalExport) => rest;
  return {
    ok: true,
    urls,
    ...traces,
    bySignal: { traces: withoutUrl(resolved.traces), metrics: withoutUrl(resolved.metrics), logs: withoutUrl(resolved.logs) },
  };
}

/** Only some signals (or none) are exported: their URLs and their settings in `bySignal`. */
function partialConfig(exports: Partial<Record<Signal, SignalExport>>): ExporterConfig {
  const urls: Partial<Record<Signal, string>> = {};
  const bySignal: Partial<Record<Signal, Omit<SignalExport, 'url'>>> = {};
  for (const signal of SIGNALS) {
    const found = exports[signal];
    if (found === undefined) continue;
    const { url, ...rest } = found;
    urls[signal] = url;
    bySignal[signal] = rest;
  }
  const first = SIGNALS.map((signal) => bySignal[signal]).find((settings) => settings !== undefined);
  return { ok: true, urls, ...(first ?? { protocol: 'http/protobuf', headers: {} }), bySignal };
}

/**
 * Per signal: the `protocol` option, else `OTEL_EXPORTER_OTLP_<SIGNAL>_PROTOCOL`, else
 * `OTEL_EXPORTER_OTLP_PROTOCOL`, else `http/protobuf`. An unsupported value warns once and the
 * next source applies.
 */
function resolveProtocols(env: Env, options: TelemetryOptions, warnings: string[]): Record<Signal, OtlpProtocol> {
  if (options.protocol !== undefined) {
    const overridden = SIGNALS.map((signal) => signalVariable(signal, 'PROTOCOL')).filter((name) => isSet(env[name]));
    if (overridden.length > 0) warnings.push(`${MESSAGE_PREFIX} option protocol overrides ${overridden.join(', ')}`);
    const protocol = supportedProtocol(options.protocol, 'option protocol', 'http/protobuf', warnings);
    return { traces: protocol, metrics: protocol, logs: protocol };
  }
  const generic = isSet(env.OTEL_EXPORTER_OTLP_PROTOCOL)
    ? supportedProtocol(env.OTEL_EXPORTER_OTLP_PROTOCOL.trim(), 'OTEL_EXPORTER_OTLP_PROTOCOL', 'http/protobuf', warnings)
    : 'http/protobuf';
  const forSignal = (signal: Signal): OtlpProtocol => {
    const name = signalVariable(signal, 'PROTOCOL');
    const raw = env[name];
    return isSet(raw) ? supportedProtocol(raw.trim(), name, generic, warnings) : generic;
  };
  return { traces: forSignal('traces'), metrics: forSignal('metrics'), logs: forSignal('logs') };
}

function supportedProtocol(raw: string, source: string, fallback: OtlpProtocol, warnings: string[]): OtlpProtocol {
  if (raw === 'http/protobuf' || raw === 'http/json') return raw;
  if (raw === '') return fallback;
  warnings.push(`${MESSAGE_PREFIX} ${source}="${raw}" is not supported (use http/protobuf or http/json); using ${fallback}`);
  return fallback;
}

function resolveBetterStack(env: Env, warnings: string[]): { url: string; token: string } | undefined {
  const host = env.BETTERSTACK_HOST?.trim() ?? '';
  const token = env.BETTERSTACK_TOKEN?.trim() ?? '';
  if (host === '' || token === '') return undefined;
  // People paste the host with or without the scheme; both mean the same ingest endpoint.
  const base = /^https?:\/\//i.test(host) ? host : `https://${host}`;
  const url = validBaseUrl(base, 'BETTERSTACK_HOST', warnings);
  return url === undefined ? undefined : { url, token };
}

/** Today's message when no signal has a destination; with per-signal variables, which signals lack one. */
function missingDestinationMessage(env: Env, missing: Signal[]): string {
  const host = env.BETTERSTACK_HOST?.trim() ?? '';
  const token = env.BETTERSTACK_TOKEN?.trim() ?? '';
  const unset = [host === '' ? 'BETTERSTACK_HOST' : undefined, token === '' ? 'BETTERSTACK_TOKEN' : undefined].filter(
    (name): name is string => name !== undefined,
  );
  const what = unset.length === 0 ? 'BETTERSTACK_HOST is not a valid host' : `${unset.join(' and ')} ${unset.length === 1 ? 'is' : 'are'} not set`;
  const betterStackFix = unset.length === 0 ? 'BETTERSTACK_HOST' : unset.join(' and ');
  if (missing.length === SIGNALS.length) {
    return `${MESSAGE_PREFIX} telemetry is on but ${what}; set ${betterStackFix} (or OTEL_EXPORTER_OTLP_ENDPOINT for another collector) - telemetry stays off`;
  }
  const signalVariables = missing.map((signal) => signalVariable(signal, 'ENDPOINT'));
  return `${MESSAGE_PREFIX} telemetry is on but ${missing.join(' and ')} ${missing.length === 1 ? 'has' : 'have'} no destination (no ${signalVariables.join(' or ')}, no OTEL_EXPORTER_OTLP_ENDPOINT, and ${what}); set ${signalVariables.join(' and ')}, OTEL_EXPORTER_OTLP_ENDPOINT or ${betterStackFix} - telemetry stays off`;
}

/**
 * OTEL_EXPORTER_OTLP_*_HEADERS and the TLS variables set for a signal that goes to BetterStack are
 * not used there (headers are not sent, the certificates not loaded; otlp-http-exporters.ts): say so.
 */
function warnUnusedForBetterStack(env: Env, betterStackSignals: Signal[], warnings: string[]): void {
  if (betterStackSignals.length === 0) return;
  const perSignal = (setting: string) => [`OTEL_EXPORTER_OTLP_${setting}`, ...betterStackSignals.map((signal) => `OTEL_EXPORTER_OTLP_${signal.toUpperCase()}_${setting}`)];
  const set = (names: string[]) => names.filter((name) => isSet(env[name]));
  const unsent = set(perSignal('HEADERS'));
  const where = `${betterStackSignals.join(', ')} go there`;
  const appliesTo = 'to signals sent to an OTEL_EXPORTER_OTLP_*ENDPOINT or the endpoint option';
  if (unsent.length > 0) {
    warnings.push(
      `${MESSAGE_PREFIX} ${unsent.join(', ')} ${unsent.length === 1 ? 'is' : 'are'} not sent to BetterStack (${where} with BETTERSTACK_TOKEN and the headers option only); they apply ${appliesTo}`,
    );
  }
  const unused = set(TLS_SETTINGS.flatMap(perSignal));
  if (unused.length > 0) {
    warnings.push(
      `${MESSAGE_PREFIX} ${unused.join(', ')} ${unused.length === 1 ? 'is' : 'are'} not used for BetterStack (${where} with Node's default trusted certificates, which NODE_EXTRA_CA_CERTS extends); ${unused.length === 1 ? 'it applies' : 'they apply'} ${appliesTo}`,
    );
  }
}

// The OTLP exporter spec's TLS variables, each also per signal (OTEL_EXPORTER_OTLP_<SIGNAL>_…).
const TLS_SETTINGS = ['CERTIFICATE', 'CLIENT_KEY', 'CLIENT_CERTIFICATE'];

function validBaseUrl(raw: string, source: string, warnings: string[]): string | undefined {
  return validUrl(raw, source, warnings)?.replace(/\/+$/, '');
}

/** An http(s) URL as given, or undefined after a warning naming where it came from. */
function validUrl(raw: string, source: string, warnings: string[]): string | undefined {
  try {
    const url = new URL(raw);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('not http(s)');
    return raw;
  } catch {
    warnings.push(`${MESSAGE_PREFIX} ${source}="${raw}" is not a valid http(s) URL; ignoring it`);
    return undefined;
  }
}

function envHeaders(env: Env, name: string, warnings: string[]): Record<string, string> {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return {};
  const { values, invalid } = parseKeyValueList(raw);
  if (invalid.length > 0) {
    // Never echo header values: they usually hold credentials.
    warnings.push(`${MESSAGE_PREFIX} ${name} has ${invalid.length} malformed entr${invalid.length === 1 ? 'y' : 'ies'} (expected key=value); skipping ${invalid.length === 1 ? 'it' : 'them'}`);
  }
  return values;
}

function sameExport(a: SignalExport, b: SignalExport): boolean {
  if (a.protocol !== b.protocol || a.source !== b.source) return false;
  const keys = Object.keys(a.headers);
  return keys.length === Object.keys(b.headers).length && keys.every((key) => a.headers[key] === b.headers[key]);
}

/** `compute` on first call, its result afterwards: each source is read (and warned about) once. */
function once<T>(compute: () => T): () => T {
  let result: { value: T } | undefined;
  return () => (result ??= { value: compute() }).value;
}
