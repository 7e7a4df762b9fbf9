import { context, createContextKey, ROOT_CONTEXT } from '@opentelemetry/api';
import { breakNextContextWith, createTestSdk, type TestSdk } from '@kira/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runInContext } from './index';

const key = createContextKey('run-in-context test');
const marked = ROOT_CONTEXT.setValue(key, 'inside');

describe('runInContext', () => {
  // The real AsyncLocalStorage context manager, registered as an SDK registers it.
  let sdk: TestSdk;
  beforeAll(() => {
    sdk = createTestSdk();
  });
  afterAll(() => sdk.shutdown());

  it('runs fn once inside the context, with the real API, and reports nothing', () => {
    const failures: unknown[] = [];
    let calls = 0;
    const seen = runInContext(context, marked, () => {
      calls += 1;
      return context.active().getValue(key);
    }, (error) => failures.push(error));
    expect(seen).toBe('inside');
    expect(calls).toBe(1);
    expect(failures).toEqual([]);
  });

  it("rethrows fn's own error unchanged and reports nothing", () => {
    const failures: unknown[] = [];
    const own = new Error('fn failed');
    expect(() => runInContext(context, marked, () => { throw own; }, (error) => failures.push(error))).toThrow(own);
    expect(failures).toEqual([]);
  });

  it("runs fn once in the caller's context when the manager throws before calling it", () => {
    const failures: unknown[] = [];
    let calls = 0;
    const broken = breakNextContextWith('before');
    const seen = runInContext(context, marked, () => {
      calls += 1;
      return context.active().getValue(key);
    }, (error) => failures.push(error));
    expect(seen).toBeUndefined();
    expect(calls).toBe(1);
    expect(failures).toEqual(broken.thrown);
    expect(failures).toHaveLength(1);
  });

  it("returns fn's result, without running it again, when the manager throws after it returned", async () => {
    const failures: unknown[] = [];
    let calls = 0;
    // A promise, as next() and fetch return: the call must not be made again for it.
    const broken = breakNextContextWith('after');
    const result = runInContext(context, marked, () => {
      calls += 1;
      return Promise.resolve(context.active().getValue(key));
    }, (error) => failures.push(error));
    expect(await result).toBe('inside');
    expect(calls).toBe(1);
    expect(failures).toEqual(broken.thrown);
    expect(failures).toHaveLength(1);
  });

  it("rethrows fn's error, not the manager's, when the manager throws after fn threw", () => {
    const failures: unknown[] = [];
    let calls = 0;
    const own = new Error('fn failed');
    const broken = breakNextContextWith('after');
    expect(() =>
      runInContext(context, marked, () => {
        calls += 1;
        throw own;
      }, (error) => failures.push(error)),
    ).toThrow(own);
    expect(calls).toBe(1);
    expect(failures).toEqual(broken.thrown);
    expect(failures).toHaveLength(1);
  });

  it.each([
    ['no context API', () => runInContext(undefined as never, marked, () => 1, () => {}), /expects OpenTelemetry's context API/],
    ['no function to run', () => runInContext(context, marked, 'fn' as never, () => {}), /expects a function to run, got .* as fn$/],
    ['no failure report', () => runInContext(context, marked, () => 1, null as never), /expects a function, got null as onContextFailure$/],
  ])('throws a TypeError naming the function for %s, before running anything', (_what, call, message) => {
    expect(call).toThrow(TypeError);
    expect(call).toThrow(/^@kira\/conventions: runInContext /);
    expect(call).toThrow(message);
  });

  it('goes on when the failure report itself throws', () => {
    breakNextContextWith('before');
    expect(runInContext(context, marked, () => 7, () => { throw new Error('report failed'); })).toBe(7);
  });
});
