/** Median and range of one figure over the interleaved rounds. */
export interface Summary {
  median: number;
  min: number;
  max: number;
  samples: number[];
}

export function summarize(samples: readonly number[]): Summary {
  const finite = samples.filter((value) => Number.isFinite(value));
  if (finite.length === 0) return { median: Number.NaN, min: Number.NaN, max: Number.NaN, samples: [...samples] };
  const sorted = [...finite].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  const median = sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
  return { median, min: sorted[0]!, max: sorted[sorted.length - 1]!, samples: [...samples] };
}

/**
 * The median of measurements that come in whole steps (per-call CPU time, which
 * `process.cpuUsage` gives in whole microseconds), read from their distribution: each value stands
 * for the step around it, and the median is interpolated inside the step where half the
 * measurements lie. The plain median of such values is itself a whole step, so two cases closer
 * than one step could only come out equal or one step apart. Values that are not all whole steps
 * get the plain median.
 */
export function steppedMedian(values: readonly number[], step: number): number {
  const finite = values.filter((value) => Number.isFinite(value));
  if (finite.length === 0) return Number.NaN;
  const sorted = finite.sort((a, b) => a - b);
  if (!(step > 0) || !sorted.every((value) => Number.isInteger(value / step))) return summarize(sorted).median;
  const middleValue = sorted[(sorted.length - 1) >> 1]!;
  const below = sorted.indexOf(middleValue);
  const at = sorted.lastIndexOf(middleValue) - below + 1;
  return middleValue - step / 2 + (step * (sorted.length / 2 - below)) / at;
}

/**
 * Ratio of a subject to its baseline, computed round by round (both were measured back to back
 * in the same round, so slow phases of a shared machine cancel out) and then summarised.
 */
export function roundRatios(subject: readonly number[], baseline: readonly number[]): Summary {
  const ratios: number[] = [];
  for (let index = 0; index < Math.min(subject.length, baseline.length); index++) {
    ratios.push(subject[index]! / baseline[index]!);
  }
  return summarize(ratios);
}

/** Round-by-round difference (subject − baseline), e.g. added microseconds per call. */
export function roundDifferences(subject: readonly number[], baseline: readonly number[]): Summary {
  const differences: number[] = [];
  for (let index = 0; index < Math.min(subject.length, baseline.length); index++) {
    differences.push(subject[index]! - baseline[index]!);
  }
  return summarize(differences);
}
