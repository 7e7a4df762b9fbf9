import { HistogramCellsBase } from './histogram-cell';
import type { CellAttributes, HistogramCell, HistogramCellsMetric } from './histogram-cells-registry';
import { argumentError } from './values';

/** The three attribute names that identify a series, in lookup order. */
export type CellKeys = readonly [string, string, string];

/**
 * A histogram whose series are identified by three attributes, kept as cells: a record is three
 * Map lookups and a bucket scan, where the SDK's `Histogram.record` sorts and JSON-stringifies the
 * attributes on every call to find its series. Counts like the SDK's explicit-bucket histogram
 * (upper bounds inclusive, one overflow bucket) and folds series past the SDK's default
 * cardinality limit (1,999 and the overflow series) into its overflow series. Used for `http_request_duration_ms` (@kira/metrics) and
 * `external_request_duration_ms` (@kira/external-tracing). A descriptor that is not an object,
 * boundaries that are not an array of numbers or keys that are not three strings throw a TypeError.
 *
 * @example new KeyedHistogramCells(descriptor, ['http_method', 'http_route', 'http_status_code'])
 */
export class KeyedHistogramCells extends HistogramCellsBase {
  private readonly keys: CellKeys;
  private readonly byFirst = new Map<unknown, Map<unknown, Map<unknown, HistogramCell>>>();

  constructor(descriptor: Omit<HistogramCellsMetric, 'cells'>, keys: CellKeys) {
    super('KeyedHistogramCells', descriptor);
    if (!Array.isArray(keys) || keys.length !== 3 || !keys.every((key) => typeof key === 'string')) {
      throw argumentError('KeyedHistogramCells', 'keys as an array of three attribute names', keys);
    }
    this.keys = keys;
  }

  /** `attributes` must hold the three keys; the first object of a series is kept, not copied. */
  record(attributes: CellAttributes, value: number): void {
    this.recordSeries(attributes[this.keys[0]], attributes[this.keys[1]], attributes[this.keys[2]], value, attributes);
  }

  /** The same by the three values, in key order: the attribute object is built for a new series only. */
  recordValues(first: unknown, second: unknown, third: unknown, value: number): void {
    this.recordSeries(first, second, third, value, undefined);
  }

  private recordSeries(first: unknown, second: unknown, third: unknown, value: number, given: CellAttributes | undefined): void {
    let bySecond = this.byFirst.get(first);
    let byThird = bySecond?.get(second);
    let cell = byThird?.get(third);
    if (cell === undefined) {
      cell = this.addSeries(given ?? { [this.keys[0]]: first, [this.keys[1]]: second, [this.keys[2]]: third });
      if (cell === undefined) {
        cell = this.overflowSeries();
      } else {
        if (bySecond === undefined) this.byFirst.set(first, (bySecond = new Map<unknown, Map<unknown, HistogramCell>>()));
        if (byThird === undefined) bySecond.set(second, (byThird = new Map<unknown, HistogramCell>()));
        byThird.set(third, cell);
      }
    }
    this.count(cell, value);
  }
}
