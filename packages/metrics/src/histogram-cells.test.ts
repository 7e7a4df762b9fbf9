import { metrics } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { collectHistogramCells } from '@kira/conventions';
import { httpDurationCellsFor, HttpDurationCells } from './histogram-cells';

const descriptor = { scope: { name: 'test', version: '1' }, name: 'h', description: 'd', unit: 'ms', boundaries: [1, 2, 5] };
const attributes = (method: string, route: string, status: number) => Object.freeze({ http_method: method, http_route: route, http_status_code: status });

describe('HttpDurationCells', () => {
  it('counts like the SDK explicit-bucket histogram: upper bounds inclusive, one overflow bucket', () => {
    const cells = new HttpDurationCells(descriptor);
    for (const value of [0, 1, 1.0001, 2, 5, 5.5, 1e9]) cells.record(attributes('GET', '/a', 200), value);
    const [cell] = [...cells.cells()];
    expect(cell).toMatchObject({ count: 7, min: 0, max: 1e9, bucketCounts: [2, 2, 1, 2] });
    expect(cell!.sum).toBeCloseTo(0 + 1 + 1.0001 + 2 + 5 + 5.5 + 1e9, 3);
  });

  it('keeps one series per method, route and status, whatever attribute object carries them', () => {
    const cells = new HttpDurationCells(descriptor);
    cells.record(attributes('GET', '/a', 200), 1);
    cells.record(attributes('GET', '/a', 200), 1);
    cells.record(attributes('GET', '/a', 404), 1);
    cells.record(attributes('POST', '/a', 200), 1);
    expect([...cells.cells()].map((cell) => [cell.attributes, cell.count])).toEqual([
      [{ http_method: 'GET', http_route: '/a', http_status_code: 200 }, 2],
      [{ http_method: 'GET', http_route: '/a', http_status_code: 404 }, 1],
      [{ http_method: 'POST', http_route: '/a', http_status_code: 200 }, 1],
    ]);
  });

  it('folds series past the SDK cardinality limit into the SDK overflow series instead of growing', () => {
    const cells = new HttpDurationCells(descriptor);
    for (let index = 0; index < 2_100; index++) cells.record(attributes('GET', `/r${index}`, 200), 1);
    const all = [...cells.cells()];
    // The SDK's default limit of 2,000 counts its overflow series: 1,999 series of their own.
    expect(all).toHaveLength(2_000);
    expect(all.at(-1)).toMatchObject({ attributes: { 'otel.metric.overflow': true }, count: 101 });
  });

  it('is only handed out for the meter provider whose reader collects cells', () => {
    const provider = metrics.getMeterProvider();
    expect(httpDurationCellsFor(provider, descriptor)).toBeUndefined();
    const collecting = collectHistogramCells(provider);
    const cells = httpDurationCellsFor(provider, descriptor);
    expect(cells).toBeDefined();
    cells!.record(attributes('GET', '/a', 200), 3);
    expect(collecting.read().map((metric) => metric.name)).toEqual(['h']);
    collecting.stop();
    expect(httpDurationCellsFor(provider, descriptor)).toBeUndefined();
    expect(collecting.read()).toEqual([]);
  });
});
