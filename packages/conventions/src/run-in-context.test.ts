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

  it("keeps each run's own record when a run happens inside the manager's with, before fn", () => {
    // A mock manager (no real one does this): its `with` runs other code through runInContext
    // before calling fn. That inner run must not lend its outcome or its function to the outer one.
    const failures: unknown[] = [];
    const calls: string[] = [];
    const reentrant = {
      with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(ctx: unknown, fn: F, thisArg?: ThisParameterType<F>, ...args: A): ReturnType<F> {
        runInContext(context, ROOT_CONTEXT, () => calls.push('inner'), (error) => failures.push(error));
        return context.with(ctx as typeof marked, fn, thisArg, ...args);
      },
    };
    const result = runInContext(reentrant, marked, () => {
      calls.push('outer');
      return context.active().getValue(key);
    }, (error) => failures.push(error));
    expect(result).toBe('inside');
    expect(calls).toEqual(['inner', 'outer']);
    expect(failures).toEqual([]);
  });

  it("returns the outer run's result when both an inner and the outer manager throw after their fn", () => {
    const failures: unknown[] = [];
    const outerBroken = breakNextContextWith('after');
    let innerBroken: ReturnType<typeof breakNextContextWith> | undefined;
    const result = runInContext(context, marked, () => {
      innerBroken = breakNextContextWith('after');
      const inner = runInContext(context, ROOT_CONTEXT.setValue(key, 'inner'), () => context.active().getValue(key), (error) => failures.push(error));
      return `${String(context.active().getValue(key))} after ${String(inner)}`;
    }, (error) => failures.push(error));
    expect(result).toBe('inside after inner');
    expect(failures).toEqual([...innerBroken!.thrown, ...outerBroken.thrown]);
  });

  it('runs fn once when a manager calls it twice, and returns the first outcome', () => {
    // A mock manager (no real one calls its function twice). It swallows what the first call
    // threw, so the second call is made whichever way the first ended.
    const twice = {
      with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(ctx: unknown, fn: F, thisArg?: ThisParameterType<F>, ...args: A): ReturnType<F> {
        try {
          context.with(ctx as typeof marked, fn, thisArg, ...args);
        } catch {
          // The second call below is what is under test.
        }
        return context.with(ctx as typeof marked, fn, thisArg, ...args);
      },
    };
    let calls = 0;
    expect(runInContext(twice, marked, () => (calls += 1), () => {})).toBe(1);
    expect(calls).toBe(1);
    const own = new Error('fn failed');
    let throws = 0;
    expect(() => runInContext(twice, marked, () => {
      throws += 1;
      throw own;
    }, () => {})).toThrow(own);
    expect(throws).toBe(1);
  });

  it('goes on when the failure report itself throws', () => {
    breakNextContextWith('before');
    expect(runInContext(context, marked, () => 7, () => { throw new Error('report failed'); })).toBe(7);
  });
});
