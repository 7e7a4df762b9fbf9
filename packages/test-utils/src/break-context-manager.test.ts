import { context, createContextKey, ROOT_CONTEXT } from '@opentelemetry/api';
import { afterEach, describe, expect, it } from 'vitest';
import { breakContextActive, breakNextContextWith } from './break-context-manager';
import { createTestSdk } from './create-test-sdk';
import type { TestSdk } from './types';

const KEY = createContextKey('break-context-manager test');

describe('context manager fault injection', () => {
  let sdk: TestSdk | undefined;
  afterEach(async () => {
    await sdk?.shutdown();
    sdk = undefined;
  });

  it('breakContextActive: every active() throws until restore, then the real manager answers again', () => {
    sdk = createTestSdk();
    const inner = ROOT_CONTEXT.setValue(KEY, 'inner');
    const broken = breakContextActive();
    try {
      expect(() => context.active()).toThrow('broken context manager');
      expect(() => context.active()).toThrow('broken context manager');
      expect(broken.thrown).toHaveLength(2);
    } finally {
      broken.restore();
    }
    broken.restore();
    expect(context.with(inner, () => context.active().getValue(KEY))).toBe('inner');
    expect(Object.prototype.hasOwnProperty.call(context, 'active')).toBe(false);
  });

  it("breakNextContextWith('before'): the next with() throws without calling its function; the one after is real", () => {
    sdk = createTestSdk();
    const inner = ROOT_CONTEXT.setValue(KEY, 'inner');
    const broken = breakNextContextWith('before');
    let calls = 0;
    expect(() => context.with(inner, () => calls++)).toThrow('before calling its function');
    expect(calls).toBe(0);
    expect(broken.thrown).toHaveLength(1);
    expect(context.with(inner, () => context.active().getValue(KEY))).toBe('inner');
    broken.restore();
  });

  it("breakNextContextWith('after'): the function runs in its context once, then with() throws over its result", () => {
    sdk = createTestSdk();
    const inner = ROOT_CONTEXT.setValue(KEY, 'inner');
    const broken = breakNextContextWith('after');
    const seen: unknown[] = [];
    expect(() => context.with(inner, () => seen.push(context.active().getValue(KEY)))).toThrow('after its function');
    expect(seen).toEqual(['inner']);
    expect(broken.thrown).toHaveLength(1);
    expect(Object.prototype.hasOwnProperty.call(context, 'with')).toBe(false);
  });

  it('restore before the broken call happened puts the real with() back', () => {
    sdk = createTestSdk();
    const broken = breakNextContextWith('before');
    broken.restore();
    expect(context.with(ROOT_CONTEXT, () => 'ran')).toBe('ran');
    expect(broken.thrown).toHaveLength(0);
  });
});
