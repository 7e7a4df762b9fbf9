import { describe, expect, it } from 'vitest';
import { steppedMedian, summarize } from './stats.ts';

describe('steppedMedian', () => {
  it('is the value itself when every measurement is the same step', () => {
    expect(steppedMedian([7000, 7000, 7000], 1000)).toBe(7000);
  });

  it('interpolates inside the step where half the measurements lie', () => {
    // Half at 1, half at 2: the median sits on the boundary between their steps.
    expect(steppedMedian([1000, 1000, 2000, 2000], 1000)).toBe(1500);
    // One in the step of 1, three in the step of 2: the grouped-data median, 1.5 + (2 − 1) / 3.
    expect(steppedMedian([2000, 1000, 2000, 2000], 1000)).toBeCloseTo(1833.33, 1);
  });

  it('tells apart two samples whose plain medians are the same whole step', () => {
    const mostlyLow = [6000, 7000, 7000, 7000, 6000, 6000, 7000];
    const mostlyHigh = [7000, 7000, 7000, 8000, 8000, 7000, 7000];
    expect(summarize(mostlyLow).median).toBe(summarize(mostlyHigh).median);
    expect(steppedMedian(mostlyLow, 1000)).toBeLessThan(steppedMedian(mostlyHigh, 1000));
  });

  it('stays inside the range of the measurements on skewed samples', () => {
    const samples = [180000, 181000, 181000, 182000, 250000, 900000, 181000];
    const median = steppedMedian(samples, 1000);
    expect(median).toBeGreaterThanOrEqual(180500);
    expect(median).toBeLessThanOrEqual(181500);
  });

  it('is the plain median when the values are not whole steps, or the step is not positive', () => {
    expect(steppedMedian([1.5, 2.25, 9], 1)).toBe(2.25);
    expect(steppedMedian([1000, 2000, 2000], 0)).toBe(2000);
  });

  it('ignores values that are not finite, and is NaN without any', () => {
    expect(steppedMedian([Number.NaN, 3000, 3000], 1000)).toBe(3000);
    expect(steppedMedian([], 1000)).toBeNaN();
  });
});
