import { describe, expect, it } from 'vitest';
import { collectHistogramCells, histogramCellsFor, KeyedHistogramCells } from './index';

const descriptor = { scope: { name: 'test', version: '1' }, name: 'd', description: 'd', unit: 'ms', boundaries: [1, 10] };

describe('KeyedHistogramCells', () => {
  it('records by attribute object or by values into the same series, with the attributes of its first record', () => {
    const cells = new KeyedHistogramCells(descriptor, ['service', 'operation', 'outcome']);
    cells.recordValues('openai', 'chat', 'ok', 0.5);
    cells.record({ service: 'openai', operation: 'chat', outcome: 'ok' }, 10);
    cells.record({ service: 'openai', operation: 'chat', outcome: 'http_error' }, 11);
    const all = [...cells.cells()];
    expect(all.map((cell) => [cell.attributes, cell.count, cell.bucketCounts])).toEqual([
      [{ service: 'openai', operation: 'chat', outcome: 'ok' }, 2, [1, 1, 0]],
      [{ service: 'openai', operation: 'chat', outcome: 'http_error' }, 1, [0, 0, 1]],
    ]);
    expect(all[0]!.sum).toBe(10.5);
    expect([all[0]!.min, all[0]!.max]).toEqual([0.5, 10]);
  });
});

describe('KeyedHistogramCells and bad values', () => {
  it('refuses a descriptor, boundaries or keys of the wrong kind when constructed, not at the first record', () => {
    const keys = ['a', 'b', 'c'] as const;
    expect(() => new KeyedHistogramCells(undefined as never, keys)).toThrow(
      new TypeError('@kira/conventions: KeyedHistogramCells expects a descriptor object, got undefined'),
    );
    expect(() => new KeyedHistogramCells({ ...descriptor, boundaries: undefined } as never, keys)).toThrow(
      /KeyedHistogramCells expects descriptor.boundaries as an array of numbers, got undefined/,
    );
    expect(() => new KeyedHistogramCells(descriptor, undefined as never)).toThrow(/KeyedHistogramCells expects keys as an array of three attribute names, got undefined/);
    expect(() => new KeyedHistogramCells(descriptor, ['a', 'b'] as never)).toThrow(/got an array of 2 items/);
  });
});

describe('histogram cells registry and bad values', () => {
  it('collectHistogramCells refuses a meter provider that is not an object', () => {
    expect(() => collectHistogramCells(null as never)).toThrow(
      new TypeError('@kira/conventions: collectHistogramCells expects the meter provider as an object, got null'),
    );
  });

  it('histogramCellsFor refuses a name or create of the wrong kind, and no provider matches when nothing collects', () => {
    const provider = {};
    const collecting = collectHistogramCells(provider);
    try {
      expect(() => histogramCellsFor(provider, 'd', undefined as never)).toThrow(
        new TypeError('@kira/conventions: histogramCellsFor expects create as a function, got undefined'),
      );
      expect(() => histogramCellsFor(provider, 42 as never, () => new KeyedHistogramCells(descriptor, ['a', 'b', 'c']))).toThrow(
        /histogramCellsFor expects the metric name as a string, got number 42/,
      );
    } finally {
      collecting.stop();
    }
    let created = 0;
    const create = () => {
      created++;
      return new KeyedHistogramCells(descriptor, ['a', 'b', 'c']);
    };
    expect(histogramCellsFor(undefined as never, 'd', create)).toBeUndefined();
    expect(created).toBe(0);
  });
});
