// Where the telemetry itself is sent (OTLP endpoints, the Sentry DSN). The http and undici
// instrumentations consult this so exports and Sentry envelopes never become spans of their own:
// such spans would describe the telemetry rather than the service, would carry the DSN key in
// `url.full`, and during an outage would feed the queue they are trying to drain.
//
// Kept on globalThis under a registered symbol so every copy of the package a service ends up
// with (CommonJS and ESM builds, nested installs) shares one list.
import { argumentError, safeString } from './values';

const REGISTRY_KEY = Symbol.for('@kira/telemetry-destinations');

interface DestinationRegistry {
  /** `host:port` (lowercase host, default port filled in) → path prefixes. */
  readonly byHostPort: Map<string, string[]>;
}

function registry(): DestinationRegistry {
  const holder = globalThis as { [REGISTRY_KEY]?: DestinationRegistry };
  return (holder[REGISTRY_KEY] ??= { byHostPort: new Map() });
}

const DEFAULT_PORTS: Readonly<Record<string, string>> = { 'http:': '80', 'https:': '443' };

/**
 * Marks every request to `url`'s host and port whose path starts with `url`'s path as telemetry
 * transport, so the http/undici instrumentations of `@kira/otel-core` make no span for it.
 * Returns a function that removes the mark. An unparseable URL is ignored; a value that is neither
 * a string nor a URL throws a TypeError.
 *
 * @example registerTelemetryDestination('https://in-otel.logs.betterstack.com/v1/traces')
 */
export function registerTelemetryDestination(url: string | URL): () => void {
  // Set-up code passes a configured endpoint: anything else is the caller's mistake, said at once.
  if (typeof url !== 'string' && !(url instanceof URL)) throw argumentError('registerTelemetryDestination', 'the URL as a string or URL', url);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return () => undefined;
  }
  const key = hostPortKey(parsed.hostname, parsed.port, parsed.protocol);
  const prefix = parsed.pathname === '' ? '/' : parsed.pathname;
  const { byHostPort } = registry();
  const prefixes = byHostPort.get(key) ?? [];
  prefixes.push(prefix);
  byHostPort.set(key, prefixes);
  return () => {
    const current = byHostPort.get(key);
    const index = current?.indexOf(prefix) ?? -1;
    if (current === undefined || index < 0) return;
    current.splice(index, 1);
    if (current.length === 0) byHostPort.delete(key);
  };
}

/**
 * Whether a request goes to a registered telemetry destination. Cheap when nothing matches the
 * host: one Map lookup, no URL parsing (this runs for every outgoing request). Never throws: a
 * hostname that is not a string is no destination.
 *
 * @example isTelemetryDestination('127.0.0.1', '4318', 'http:', '/v1/traces')
 */
export function isTelemetryDestination(hostname: string, port: string | number | undefined, protocol: string | undefined, path: string | undefined): boolean {
  const { byHostPort } = registry();
  if (byHostPort.size === 0 || typeof hostname !== 'string') return false;
  const prefixes = byHostPort.get(hostPortKey(hostname, port === undefined ? '' : safeString(port), typeof protocol === 'string' ? protocol : 'http:'));
  if (prefixes === undefined) return false;
  const requestPath = typeof path === 'string' ? path : '/';
  return prefixes.some((prefix) => requestPath.startsWith(prefix));
}

/**
 * {@link isTelemetryDestination} for an origin string such as undici's `request.origin`
 * (`http://127.0.0.1:4318`, `https://[::1]:8443`).
 *
 * @example isTelemetryOrigin('http://127.0.0.1:4318', '/v1/logs')
 */
export function isTelemetryOrigin(origin: string, path: string | undefined): boolean {
  if (registry().byHostPort.size === 0 || typeof origin !== 'string') return false;
  const schemeEnd = origin.indexOf('://');
  if (schemeEnd < 0) return false;
  const authority = origin.slice(schemeEnd + 3);
  const bracketEnd = authority.lastIndexOf(']');
  const portStart = authority.lastIndexOf(':');
  const hasPort = portStart > bracketEnd;
  return isTelemetryDestination(
    hasPort ? authority.slice(0, portStart) : authority,
    hasPort ? authority.slice(portStart + 1) : undefined,
    origin.slice(0, schemeEnd + 1),
    path,
  );
}

/**
 * The envelope endpoint a Sentry SDK posts to for `dsn` (`{scheme}://{host}{path}/api/{project}/…`,
 * https://develop.sentry.dev/sdk/overview/#parsing-the-dsn), as a URL prefix for
 * {@link registerTelemetryDestination}; undefined for an unparseable DSN.
 *
 * @example sentryIngestPrefix('https://key@o1.ingest.sentry.io/42') // 'https://o1.ingest.sentry.io/api/42/'
 */
export function sentryIngestPrefix(dsn: string): string | undefined {
  try {
    const parsed = new URL(dsn);
    const segments = parsed.pathname.split('/').filter((segment) => segment !== '');
    const projectId = segments.pop();
    if (projectId === undefined) return undefined;
    const pathPrefix = segments.length === 0 ? '' : `/${segments.join('/')}`;
    return `${parsed.protocol}//${parsed.host}${pathPrefix}/api/${projectId}/`;
  } catch {
    return undefined;
  }
}

function hostPortKey(hostname: string, port: string, protocol: string): string {
  // URL.hostname keeps IPv6 brackets; Node's request options usually don't.
  const host = hostname.toLowerCase().replace(/^\[(.*)\]$/, '$1');
  return `${host}:${port === '' ? (DEFAULT_PORTS[protocol] ?? '') : port}`;
}
