import { describe, expect, it } from 'vitest';
import { KeyedHistogramCells } from './index';

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
