import { trace } from '@opentelemetry/api';
import { createTestSdk, type TestSdk } from '@kira/test-utils';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { formatConsoleLine } from './format-console-line';
import { getLogger } from './get-logger';

// In-process: startTelemetry() is never called here, so the logger follows the environment
// (its "before start" behaviour) and emits through whatever SDK is global — the in-memory one.

const saved = { ...process.env };
let sdk: TestSdk | undefined;

beforeEach(() => {
  delete process.env.OTEL_SDK_DISABLED;
  delete process.env.KIRA_TELEMETRY;
  process.env.NODE_ENV = 'test';
});

afterEach(async () => {
  process.env = { ...saved };
  vi.restoreAllMocks();
  await sdk?.shutdown();
  sdk = undefined;
});

describe('getLogger with telemetry on', () => {
  it('emits the contract severities and the active span ids through the global logs API', () => {
    process.env.KIRA_TELEMETRY = 'on';
    // Created before any SDK exists, as module-level loggers are.
    const logger = getLogger('unit-logger');
    sdk = createTestSdk();
    let ids: { traceId: string; spanId: string } | undefined;
    trace.getTracer('unit').startActiveSpan('unit-span', (span) => {
      ids = { traceId: span.spanContext().traceId, spanId: span.spanContext().spanId };
      logger.error('e', { code: 1 });
      logger.warn('w');
      logger.info('i');
      logger.debug('d');
      span.end();
    });
    const records = sdk.logs();
    expect(records.map((record) => [record.body, record.severityNumber, record.severityText])).toEqual([
      ['e', 17, 'ERROR'],
      ['w', 13, 'WARN'],
      ['i', 9, 'INFO'],
      ['d', 5, 'DEBUG'],
    ]);
    expect(records[0]?.attributes).toEqual({ code: 1 });
    expect(records[0]?.instrumentationScope.name).toBe('unit-logger');
    for (const record of records) {
      expect(record.spanContext?.traceId).toBe(ids?.traceId);
      expect(record.spanContext?.spanId).toBe(ids?.spanId);
    }
  });

  it('drops debug when NODE_ENV=production', () => {
    process.env.NODE_ENV = 'production';
    sdk = createTestSdk();
    const logger = getLogger('unit-logger');
    logger.debug('d');
    logger.info('i');
    expect(sdk.logs().map((record) => record.body)).toEqual(['i']);
  });
});

describe('getLogger sanitizes what it writes', () => {
  const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1c2VyLTEifQ.c2lnbmF0dXJlLXNpZ25hdHVyZQ';

  it('redacts secret attributes, object bodies and credentials in a string body; keeps the rest', () => {
    process.env.KIRA_TELEMETRY = 'on';
    sdk = createTestSdk();
    const logger = getLogger('kira-be');
    logger.info('user signed in', { 'user.id': 'u1', password: 'hunter2-planted', authorization: 'Bearer abcdefgh12345', attempts: 2 });
    logger.warn({ event: 'provider_retry', apiKey: 'sk-planted', request: { prompt: 'a cat', sessionId: 's-planted' } });
    logger.error(`refresh failed for ${jwt}`);
    const [signIn, retry, failed] = sdk.logs();
    expect(signIn?.body).toBe('user signed in');
    expect(signIn?.attributes).toEqual({ 'user.id': 'u1', password: '[REDACTED]', authorization: '[REDACTED]', attempts: 2 });
    expect(retry?.body).toEqual({ event: 'provider_retry', apiKey: '[REDACTED]', request: { prompt: 'a cat', sessionId: '[REDACTED]' } });
    expect(failed?.body).toBe('refresh failed for [REDACTED jwt]');
  });

  it('caps strings at 4096 characters', () => {
    process.env.KIRA_TELEMETRY = 'on';
    sdk = createTestSdk();
    const text = 'a long line '.repeat(500);
    getLogger('kira-be').info(text, { detail: text });
    const [record] = sdk.logs();
    expect(record?.body).toBe(`${text.slice(0, 4096)}…[truncated ${text.length - 4096} chars]`);
    expect(record?.attributes['detail']).toBe(`${text.slice(0, 4096)}…[truncated ${text.length - 4096} chars]`);
  });

  it('prints the sanitized record on the console too', () => {
    sdk = createTestSdk();
    const out = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    getLogger('dev').info({ step: 'login', token: 'tok-planted' }, { 'user.id': 'u1', cookie: 'sid=planted' });
    const line = String(out.mock.calls[0]?.[0]).slice(25);
    expect(line).toBe('INFO  [dev] {"step":"login","token":"[REDACTED]"} {"user.id":"u1","cookie":"[REDACTED]"}\n');
  });

  it('does not read the body or the attributes of a record it drops', () => {
    let reads = 0;
    const watched = () => ({
      get detail() {
        reads += 1;
        return 'x';
      },
    });
    process.env.OTEL_SDK_DISABLED = 'true';
    sdk = createTestSdk();
    getLogger('quiet').info(watched(), watched());
    process.env.OTEL_SDK_DISABLED = 'false';
    process.env.KIRA_TELEMETRY = 'on';
    process.env.NODE_ENV = 'production';
    getLogger('prod').debug(watched(), watched());
    expect(reads).toBe(0);
    getLogger('prod').info(watched(), watched());
    expect(reads).toBe(2);
    expect(sdk.logs()).toHaveLength(1);
  });
});

describe('getLogger with telemetry off', () => {
  it('prints readable lines: error/warn to stderr, info/debug to stdout, nothing to the SDK', () => {
    sdk = createTestSdk();
    const out = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const logger = getLogger('dev');
    logger.info('hello', { 'user.id': 'u1' });
    logger.debug('details');
    logger.warn('careful');
    logger.error('broken', { code: 2 });
    const lines = (spy: typeof out) => spy.mock.calls.map(([chunk]) => String(chunk).slice(25));
    expect(lines(out)).toEqual(['INFO  [dev] hello {"user.id":"u1"}\n', 'DEBUG [dev] details\n']);
    expect(lines(err)).toEqual(['WARN  [dev] careful\n', 'ERROR [dev] broken {"code":2}\n']);
    expect(sdk.logs()).toEqual([]);
  });

  it('is silent when OTEL_SDK_DISABLED=true', () => {
    process.env.OTEL_SDK_DISABLED = 'true';
    process.env.KIRA_TELEMETRY = 'on';
    sdk = createTestSdk();
    const out = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    getLogger('dev').error('nobody hears this');
    expect(out).not.toHaveBeenCalled();
    expect(err).not.toHaveBeenCalled();
    expect(sdk.logs()).toEqual([]);
  });
});

describe('formatConsoleLine', () => {
  it('formats time, padded level, name, body and JSON attributes', () => {
    const time = new Date('2026-11-25T12:00:00.000Z');
    expect(formatConsoleLine(time, 'INFO', 'kira-be', 'User generated image', { durationMs: 1234 })).toBe(
      '2026-11-25T12:00:00.000Z INFO  [kira-be] User generated image {"durationMs":1234}',
    );
    expect(formatConsoleLine(time, 'ERROR', 'kira-be', 'x', {})).toBe('2026-11-25T12:00:00.000Z ERROR [kira-be] x');
  });
});
