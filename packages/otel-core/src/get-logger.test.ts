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
