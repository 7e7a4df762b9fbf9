import { describe, expect, it } from 'vitest';
import { faultApplies, formatFault, parseFault } from './fault';
import { parseCliArgs, parseDuration, parseSize } from './parse-cli-args';
import { checkReadOnlyQuery } from './read-only-query';
import { resolveCollectorOptions } from './start-collector';

describe('CLI flags', () => {
  it('parses every flag in both spellings', () => {
    expect(parseCliArgs(['--port', '0', '--host=0.0.0.0', '--data-dir', '/tmp/x', '--token', 't', '--retention', '12h', '--max-body=512kb', '--fault', 'drop=1'])).toEqual({
      port: 0,
      host: '0.0.0.0',
      dataDir: '/tmp/x',
      token: 't',
      retentionDays: 0.5,
      maxBodyBytes: 512 * 1024,
      fault: 'drop=1',
    });
    expect(parseCliArgs(['--help'])).toEqual({ help: true });
  });

  it('refuses bad values with the flag named', () => {
    expect(() => parseCliArgs(['--port', '70000'])).toThrow(/invalid port/);
    expect(() => parseCliArgs(['--port'])).toThrow(/--port needs a value/);
    expect(() => parseCliArgs(['--bogus', '1'])).toThrow(/unknown option --bogus/);
    expect(() => parseDuration('soon')).toThrow(/invalid duration/);
    expect(() => parseSize('-1mb')).toThrow(/invalid size/);
    expect(parseDuration('7d')).toBe(7);
    expect(parseDuration('30m')).toBeCloseTo(30 / 1440);
    expect(parseSize('16mb')).toBe(16 * 1024 * 1024);
  });

  it('resolves defaults and takes the fault from KIRA_COLLECTOR_FAULT unless given', () => {
    const resolved = resolveCollectorOptions({}, { KIRA_COLLECTOR_FAULT: 'status=503,retry-after=2' });
    expect(resolved).toMatchObject({ port: 4318, host: '127.0.0.1', retentionDays: 7, maxBodyBytes: 16 * 1024 * 1024, fault: { status: 503, retryAfter: 2 } });
    expect(resolveCollectorOptions({ fault: 'off' }, { KIRA_COLLECTOR_FAULT: 'drop=1' }).fault).toBeUndefined();
    expect(() => resolveCollectorOptions({ retentionDays: 0 })).toThrow(/retention/);
  });

  it('refuses a retention longer than 50 years (18250d), naming the maximum and why; up to it is taken', () => {
    expect(resolveCollectorOptions(parseCliArgs(['--retention', '18250d'])).retentionDays).toBe(18_250);
    expect(resolveCollectorOptions({ retentionDays: 3650 }).retentionDays).toBe(3650);
    for (const options of [parseCliArgs(['--retention', '18251d']), parseCliArgs(['--retention=36500']), { retentionDays: 80 * 365 }]) {
      expect(() => resolveCollectorOptions(options)).toThrow(
        /^invalid retention \(--retention, option retentionDays\): a retention of \d+ days is too long: at most 18250 days \(50 years\)\. The tables' TTL, toDateTime\(dt\) \+ retention, is a ClickHouse DateTime, which ends at 2106-02-07T06:28:15Z/,
      );
    }
  });

  it('needs a token (or an explicit opt-out) to listen beyond loopback', () => {
    for (const host of ['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]']) expect(resolveCollectorOptions({ host }).host).toBe(host);
    for (const host of ['0.0.0.0', '::', '192.0.2.10', 'collector.internal']) {
      expect(() => resolveCollectorOptions({ host })).toThrow(new RegExp(`refusing to listen on ${host.replace(/\./g, '\\.')} without a token`));
      expect(resolveCollectorOptions({ host, token: 't' }).token).toBe('t');
      expect(resolveCollectorOptions({ host, allowUnauthenticated: true }).allowUnauthenticated).toBe(true);
    }
    expect(parseCliArgs(['--host', '0.0.0.0', '--allow-unauthenticated'])).toEqual({ host: '0.0.0.0', allowUnauthenticated: true });
  });
});

describe('fault specs', () => {
  it('parses, formats and samples', () => {
    expect(parseFault('status=503,retry-after=2,delay=10,rate=0.5')).toEqual({ status: 503, retryAfter: 2, delayMs: 10, rate: 0.5 });
    expect(parseFault('drop=1')).toEqual({ drop: true });
    expect(parseFault('none')).toBeUndefined();
    expect(parseFault('rate=0.5')).toBeUndefined();
    expect(() => parseFault('status=42')).toThrow(/100..599/);
    expect(() => parseFault('explode=1')).toThrow(/known keys/);
    expect(formatFault(parseFault('delay=5,drop=1'))).toBe('delay=5,drop=1');
    const half = parseFault('status=500,rate=0.5');
    expect(faultApplies(half, () => 0.4)).toBe(true);
    expect(faultApplies(half, () => 0.6)).toBe(false);
    expect(faultApplies(undefined)).toBe(false);
  });
});

describe('read-only query gate', () => {
  it('accepts dashboard queries', () => {
    for (const sql of [
      "SELECT {{time}} AS time, avgMerge(value_avg) AS value FROM {{source}} WHERE time BETWEEN {{start_time}} AND {{end_time}} AND name = 'x' GROUP BY time ORDER BY time DESC",
      '(SELECT 1) UNION ALL (SELECT 2)',
      "with a as (select 1 as x) select x, formatDateTime(now(), '%F') from a",
      "SELECT label('set'), 'INSERT INTO x' AS text FROM {{source}};",
      'SELECT name FROM system.tables',
    ]) {
      expect(checkReadOnlyQuery(sql), sql).toBeUndefined();
    }
  });

  it('refuses everything else with a reason', () => {
    expect(checkReadOnlyQuery('')).toMatch(/non-empty/);
    expect(checkReadOnlyQuery(42)).toMatch(/non-empty/);
    expect(checkReadOnlyQuery('SHOW TABLES')).toMatch(/found SHOW/);
    expect(checkReadOnlyQuery('SELECT 1 /* unterminated')).toMatch(/unterminated/);
    expect(checkReadOnlyQuery('SELECT "file"(\'/etc/passwd\')')).toMatch(/file\(\)/);
    expect(checkReadOnlyQuery('SELECT a FROM t, url(\'http://x\', CSV)')).toMatch(/url\(\)/);
    expect(checkReadOnlyQuery('SELECT 1 -- ok\n; DELETE FROM logs WHERE 1')).toMatch(/single statement/);
    expect(checkReadOnlyQuery('SELECT dictGet(\'d\', \'x\', 1)')).toMatch(/dictGet/);
  });
});
