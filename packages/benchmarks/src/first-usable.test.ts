import { describe, expect, it } from 'vitest';
import { firstUsable, type TryOutcome } from './first-usable.ts';

// The retry loop of the cache count's processes and stretches. A real count cannot be made to
// fail on cue (a mark-compact or a reset comes when it comes), so the outcomes are given here.
function scripted(outcomes: TryOutcome<string>[]) {
  const calls: number[] = [];
  const retries: [string, number][] = [];
  const run = () =>
    firstUsable(
      3,
      (tryNumber) => {
        calls.push(tryNumber);
        const outcome = outcomes[tryNumber - 1];
        return outcome === undefined ? Promise.reject(new Error(`try ${tryNumber} was not expected`)) : Promise.resolve(outcome);
      },
      (reason, tryNumber) => retries.push([reason, tryNumber]),
      (lastReason) => new Error(`gave up: ${lastReason}`),
    );
  return { calls, retries, run };
}

describe('firstUsable', () => {
  it('keeps the first usable try and makes no other', async () => {
    const loop = scripted([{ usable: true, value: 'first' }]);
    await expect(loop.run()).resolves.toEqual({ value: 'first', tries: 1 });
    expect(loop.calls).toEqual([1]);
    expect(loop.retries).toEqual([]);
  });

  it('tries again after an unusable try, telling why, and counts the tries', async () => {
    const loop = scripted([
      { usable: false, reason: 'a mark-compact' },
      { usable: false, reason: '9 ECONNRESET' },
      { usable: true, value: 'third' },
    ]);
    await expect(loop.run()).resolves.toEqual({ value: 'third', tries: 3 });
    expect(loop.calls).toEqual([1, 2, 3]);
    expect(loop.retries).toEqual([
      ['a mark-compact', 1],
      ['9 ECONNRESET', 2],
    ]);
  });

  it('gives up after the last try with the error made from its reason, announcing no retry for it', async () => {
    const loop = scripted([
      { usable: false, reason: 'one' },
      { usable: false, reason: 'two' },
      { usable: false, reason: 'three' },
    ]);
    await expect(loop.run()).rejects.toThrow('gave up: three');
    expect(loop.calls).toEqual([1, 2, 3]);
    expect(loop.retries.map(([reason]) => reason)).toEqual(['one', 'two']);
  });

  it("lets an attempt's own error out at once", async () => {
    const loop = scripted([{ usable: false, reason: 'one' }]);
    await expect(loop.run()).rejects.toThrow('try 2 was not expected');
    expect(loop.calls).toEqual([1, 2]);
  });

  it('refuses a number of tries that is not a positive whole number', async () => {
    for (const bad of [0, -1, 1.5, Number.NaN]) {
      await expect(firstUsable(bad, () => Promise.resolve({ usable: true, value: 1 }), () => {}, () => new Error('unused'))).rejects.toThrow(/maxTries must be a positive whole number/);
    }
  });
});
