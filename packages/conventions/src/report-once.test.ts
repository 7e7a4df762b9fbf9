import { afterEach, describe, expect, it, vi } from 'vitest';
import { createReportOnce, logLevelIsDebug } from './report-once';

const originalLevel = process.env.OTEL_LOG_LEVEL;
afterEach(() => {
  if (originalLevel === undefined) delete process.env.OTEL_LOG_LEVEL;
  else process.env.OTEL_LOG_LEVEL = originalLevel;
  vi.restoreAllMocks();
});

function collector() {
  const lines: unknown[][] = [];
  return { lines, write: (message: string, ...details: unknown[]) => lines.push([message, ...details]) };
}

describe('createReportOnce', () => {
  it('prints the first occurrence of each reason, with the prefix and the details', () => {
    delete process.env.OTEL_LOG_LEVEL;
    const { lines, write } = collector();
    const report = createReportOnce({ prefix: '@kira/x:', write });
    const cause = new Error('cause');
    report('a', 'first a', cause);
    report('a', 'second a');
    report('b', 'first b');
    report('a', 'third a');
    expect(lines).toEqual([['@kira/x: first a', cause], ['@kira/x: first b']]);
  });

  it.each(['debug', 'DEBUG', ' verbose ', 'all'])('prints every occurrence at OTEL_LOG_LEVEL=%s', (level) => {
    process.env.OTEL_LOG_LEVEL = level;
    const { lines, write } = collector();
    const report = createReportOnce({ write });
    for (let index = 0; index < 3; index++) report('same', `failure ${index}`);
    expect(lines.map(([message]) => message)).toEqual(['failure 0', 'failure 1', 'failure 2']);
  });

  it('follows OTEL_LOG_LEVEL while running: debug switched on later shows the repeats', () => {
    process.env.OTEL_LOG_LEVEL = 'info';
    const { lines, write } = collector();
    const report = createReportOnce({ write });
    report('r', 'one');
    report('r', 'two');
    process.env.OTEL_LOG_LEVEL = 'debug';
    report('r', 'three');
    expect(lines.map(([message]) => message)).toEqual(['one', 'three']);
  });

  it('remembers a bounded number of reasons and says so once', () => {
    delete process.env.OTEL_LOG_LEVEL;
    const { lines, write } = collector();
    const report = createReportOnce({ write, maxReasons: 2 });
    for (let index = 0; index < 10; index++) report(`reason ${index}`, `message ${index}`);
    expect(lines.map(([message]) => message)).toEqual([
      'message 0',
      'message 1',
      'more than 2 distinct problems; further new ones are printed only at OTEL_LOG_LEVEL=debug',
    ]);
  });

  it('writes to console.warn by default and never throws when the sink does', () => {
    delete process.env.OTEL_LOG_LEVEL;
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    createReportOnce({ prefix: '@kira/x:' })('r', 'to stderr');
    expect(warn).toHaveBeenCalledWith('@kira/x: to stderr');
    const report = createReportOnce({
      write: () => {
        throw new Error('stderr closed');
      },
    });
    expect(() => report('r', 'lost')).not.toThrow();
  });
});

describe('logLevelIsDebug', () => {
  it('is true only for debug and the more verbose levels', () => {
    expect(['debug', 'Verbose', 'ALL'].map((level) => logLevelIsDebug({ OTEL_LOG_LEVEL: level }))).toEqual([true, true, true]);
    expect(['info', 'warn', 'error', 'none', ''].map((level) => logLevelIsDebug({ OTEL_LOG_LEVEL: level }))).toEqual([
      false, false, false, false, false,
    ]);
    expect(logLevelIsDebug({})).toBe(false);
  });
});

describe('createReportOnce options', () => {
  it('null options are the defaults (console.warn, no prefix)', () => {
    delete process.env.OTEL_LOG_LEVEL;
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    createReportOnce(null)('reason', 'a problem');
    expect(warn).toHaveBeenCalledWith('a problem');
  });

  it('options that are not an object are refused', () => {
    expect(() => createReportOnce(42 as never)).toThrow(new TypeError('@kira/conventions: createReportOnce expects an options object, got number 42'));
    expect(() => createReportOnce('@kira/x:' as never)).toThrow(/createReportOnce expects an options object, got the string "@kira\/x:"/);
  });
});
