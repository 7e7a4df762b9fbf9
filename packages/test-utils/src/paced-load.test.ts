import { describe, expect, it } from 'vitest';
import { percentile, releaseAtRate } from './index';

describe('releaseAtRate', () => {
  it('makes every call, in order, spread over the duration rather than at once', async () => {
    const started = performance.now();
    const times: number[] = [];
    const indices: number[] = [];
    const count = await releaseAtRate({ ratePerSecond: 2000, durationMs: 300 }, (index) => {
      indices.push(index);
      times.push(performance.now() - started);
    });
    expect(count).toBe(600);
    expect(indices).toEqual([...Array(600).keys()]);
    // Lower bounds only (a slow machine makes them later, never earlier): a burst would put the
    // middle and the last call near 0 ms.
    expect(times[299]!).toBeGreaterThanOrEqual(140);
    expect(times[599]!).toBeGreaterThanOrEqual(290);
  });

  it('rejects with the error a call throws, and stops', async () => {
    let calls = 0;
    await expect(
      releaseAtRate({ ratePerSecond: 1000, durationMs: 100 }, () => {
        calls += 1;
        if (calls === 3) throw new Error('release broke');
      }),
    ).rejects.toThrow('release broke');
    expect(calls).toBe(3);
  });
});

describe('percentile', () => {
  it('takes the nearest rank below, whatever the input order', () => {
    const values = [5, 1, 4, 2, 3, 10, 9, 8, 7, 6];
    expect(percentile(values, 50)).toBe(6);
    expect(percentile(values, 99)).toBe(10);
    expect(percentile(values, 0)).toBe(1);
    expect(percentile([], 99)).toBeNaN();
    expect(values[0]).toBe(5);
  });
});
