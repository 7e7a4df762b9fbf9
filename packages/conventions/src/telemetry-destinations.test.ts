import { describe, expect, it } from 'vitest';
import { isTelemetryDestination, isTelemetryOrigin, registerTelemetryDestination, sentryIngestPrefix } from './telemetry-destinations';

describe('telemetry destinations', () => {
  it('matches the registered host, port and path prefix only, and forgets on unregister', () => {
    const unregister = registerTelemetryDestination('http://Collector.local:4318/v1/traces');
    try {
      expect(isTelemetryDestination('collector.local', 4318, 'http:', '/v1/traces')).toBe(true);
      expect(isTelemetryDestination('collector.local', '4318', 'http:', '/v1/traces?x=1')).toBe(true);
      expect(isTelemetryDestination('collector.local', 4318, 'http:', '/v1/logs')).toBe(false);
      expect(isTelemetryDestination('collector.local', 4319, 'http:', '/v1/traces')).toBe(false);
      expect(isTelemetryDestination('other.local', 4318, 'http:', '/v1/traces')).toBe(false);
      expect(isTelemetryOrigin('http://collector.local:4318', '/v1/traces')).toBe(true);
      expect(isTelemetryOrigin('http://collector.local:4318', '/users')).toBe(false);
    } finally {
      unregister();
    }
    expect(isTelemetryDestination('collector.local', 4318, 'http:', '/v1/traces')).toBe(false);
  });

  it('fills in default ports and handles IPv6 with or without brackets', () => {
    const unregisterHttps = registerTelemetryDestination('https://in-otel.example.com/v1/');
    const unregisterV6 = registerTelemetryDestination('http://[::1]:9000/api/7/');
    try {
      expect(isTelemetryDestination('in-otel.example.com', undefined, 'https:', '/v1/metrics')).toBe(true);
      expect(isTelemetryDestination('in-otel.example.com', 443, 'https:', '/v1/metrics')).toBe(true);
      expect(isTelemetryOrigin('https://in-otel.example.com', '/v1/logs')).toBe(true);
      expect(isTelemetryDestination('::1', 9000, 'http:', '/api/7/envelope/')).toBe(true);
      expect(isTelemetryOrigin('http://[::1]:9000', '/api/7/envelope/')).toBe(true);
      expect(isTelemetryOrigin('http://[::1]:9000', '/api/8/envelope/')).toBe(false);
    } finally {
      unregisterHttps();
      unregisterV6();
    }
  });

  it('derives the Sentry envelope prefix from a DSN, path prefix included', () => {
    expect(sentryIngestPrefix('https://key@o1.ingest.sentry.io/42')).toBe('https://o1.ingest.sentry.io/api/42/');
    expect(sentryIngestPrefix('http://key@127.0.0.1:9000/sentry/7')).toBe('http://127.0.0.1:9000/sentry/api/7/');
    expect(sentryIngestPrefix('not a dsn')).toBeUndefined();
    expect(registerTelemetryDestination('not a url')()).toBeUndefined();
  });
});

describe('telemetry destinations and bad values', () => {
  it('registerTelemetryDestination refuses a value that is neither a string nor a URL', () => {
    expect(() => registerTelemetryDestination(42 as never)).toThrow(
      new TypeError('@kira/conventions: registerTelemetryDestination expects the URL as a string or URL, got number 42'),
    );
    expect(() => registerTelemetryDestination(undefined as never)).toThrow(/registerTelemetryDestination expects the URL as a string or URL, got undefined/);
  });

  it('the per-request checks answer false for values that are not strings, never throw', () => {
    const unregister = registerTelemetryDestination('http://collector.local:4318/v1/traces');
    try {
      expect(isTelemetryDestination(42 as never, 4318, 'http:', '/v1/traces')).toBe(false);
      expect(isTelemetryDestination(undefined as never, undefined, undefined, undefined)).toBe(false);
      expect(isTelemetryDestination('collector.local', 4318, 'http:', 42 as never)).toBe(false);
      expect(isTelemetryOrigin(undefined as never, '/v1/traces')).toBe(false);
      expect(isTelemetryOrigin({} as never, '/v1/traces')).toBe(false);
      expect(isTelemetryOrigin('http://collector.local:4318', '/v1/traces')).toBe(true);
    } finally {
      unregister();
    }
  });
});
