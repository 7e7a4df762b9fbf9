import { describe, expect, it } from 'vitest';
import { AttributeSetHistogramCells } from './index';

const descriptor = { scope: { name: 'test', version: '1' }, name: 'd', description: 'd', unit: 's', boundaries: [1, 10] };
const summary = (cells: AttributeSetHistogramCells) => [...cells.cells()].map((cell) => [cell.attributes, cell.count, cell.bucketCounts]);

describe('AttributeSetHistogramCells', () => {
  it('puts one attribute set in one series whatever the order of its keys, and counts into the buckets like the SDK', () => {
    const cells = new AttributeSetHistogramCells(descriptor);
    cells.record({ 'http.request.method': 'GET', 'server.port': 80, 'http.response.status_code': 200 }, 0.5);
    cells.record({ 'http.response.status_code': 200, 'http.request.method': 'GET', 'server.port': 80 }, 1);
    cells.record({ 'server.port': 80, 'http.response.status_code': 200, 'http.request.method': 'GET' }, 10.5);
    // The same order again, now that its path leads to the series.
    cells.record({ 'http.response.status_code': 200, 'http.request.method': 'GET', 'server.port': 80 }, 7);
    expect(summary(cells)).toEqual([[{ 'http.request.method': 'GET', 'server.port': 80, 'http.response.status_code': 200 }, 4, [2, 1, 1]]]);
    const [cell] = [...cells.cells()];
    expect([cell!.sum, cell!.min, cell!.max]).toEqual([19, 0.5, 10.5]);
  });

  it('keeps apart what the SDK keeps apart: another value, a value of another type, a key more or less', () => {
    const cells = new AttributeSetHistogramCells(descriptor);
    cells.record({ port: 80 }, 1);
    cells.record({ port: '80' }, 1);
    cells.record({ port: 81 }, 1);
    cells.record({ port: 80, 'error.type': 'ECONNREFUSED' }, 1);
    cells.record({}, 1);
    cells.record(undefined, 1);
    expect(summary(cells).map(([attributes, count]) => [attributes, count])).toEqual([
      [{ port: 80 }, 1],
      [{ port: '80' }, 1],
      [{ port: 81 }, 1],
      [{ port: 80, 'error.type': 'ECONNREFUSED' }, 1],
      [{}, 2],
    ]);
  });

  it('merges what the SDK merges: null with undefined, equal arrays held by different objects', () => {
    const cells = new AttributeSetHistogramCells(descriptor);
    cells.record({ a: null }, 1);
    cells.record({ a: undefined }, 1);
    cells.record({ tags: ['x', 'y'] }, 1);
    cells.record({ tags: ['x', 'y'] }, 1);
    cells.record({ tags: ['y', 'x'] }, 1);
    expect(summary(cells).map(([attributes, count]) => [attributes, count])).toEqual([
      [{ a: null }, 2],
      [{ tags: ['x', 'y'] }, 2],
      [{ tags: ['y', 'x'] }, 1],
    ]);
  });

  it('keeps a copy of the first attributes of a series, not the caller object', () => {
    const cells = new AttributeSetHistogramCells(descriptor);
    const attributes: Record<string, unknown> = { method: 'GET' };
    cells.record(attributes, 1);
    attributes.method = 'POST';
    cells.record(attributes, 1);
    expect(summary(cells).map(([recorded, count]) => [recorded, count])).toEqual([
      [{ method: 'GET' }, 1],
      [{ method: 'POST' }, 1],
    ]);
  });

  it('folds series past 1,999 into the overflow series, as the SDK does at its default limit of 2,000, and keeps counting the known ones', () => {
    const cells = new AttributeSetHistogramCells(descriptor);
    for (let index = 0; index < 2005; index++) cells.record({ id: index }, 1);
    cells.record({ id: 0 }, 1);
    cells.record({ id: 2004 }, 1);
    const all = [...cells.cells()];
    expect(all).toHaveLength(2000);
    expect(all[0]).toMatchObject({ attributes: { id: 0 }, count: 2 });
    expect(all.at(-2)).toMatchObject({ attributes: { id: 1998 }, count: 1 });
    expect(all.at(-1)).toMatchObject({ attributes: { 'otel.metric.overflow': true }, count: 7 });
  });

  it('still finds the series once its cache of key orders is full', () => {
    const cells = new AttributeSetHistogramCells(descriptor);
    // Sixteen thousand steps of paths: 2,000 attribute sets of eight keys each, every one new.
    const keys = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'];
    const attributesOf = (index: number, order: readonly string[]) => Object.fromEntries(order.map((key) => [key, `${key}${index}`]));
    for (let index = 0; index < 2000; index++) cells.record(attributesOf(index, keys), 1);
    // Past the cache: another key order of a known set, and the known order, still land in their series.
    cells.record(attributesOf(5, [...keys].reverse()), 1);
    cells.record(attributesOf(5, keys), 1);
    const all = [...cells.cells()];
    expect(all).toHaveLength(2000); // 1,999 series and the overflow series
    expect(all[5]!.count).toBe(3);
  });

  it('refuses a descriptor or boundaries of the wrong kind when constructed', () => {
    expect(() => new AttributeSetHistogramCells(undefined as never)).toThrow(
      new TypeError('@kira/conventions: AttributeSetHistogramCells expects a descriptor object, got undefined'),
    );
    expect(() => new AttributeSetHistogramCells({ ...descriptor, boundaries: ['1'] } as never)).toThrow(
      /AttributeSetHistogramCells expects descriptor.boundaries as an array of numbers/,
    );
  });
});
