import type { CellAttributes, HistogramCell, HistogramCellsMetric } from './histogram-cells-registry';
import { argumentError, isObjectLike } from './values';

/** The SDK's default cardinality limit, and its overflow series. */
const MAX_CELLS = 2000;
const OVERFLOW_ATTRIBUTES: CellAttributes = Object.freeze({ 'otel.metric.overflow': true });

/** The three attribute names that identify a series, in lookup order. */
export type CellKeys = readonly [string, string, string];

/**
 * A histogram whose series are identified by three attributes, kept as cells: a record is three
 * Map lookups and a bucket scan, where the SDK's `Histogram.record` sorts and JSON-stringifies the
 * attributes on every call to find its series. Counts like the SDK's explicit-bucket histogram
 * (upper bounds inclusive, one overflow bucket) and folds series past 2,000 into the SDK's
 * overflow series. Used for `http_request_duration_ms` (@kira/metrics) and
 * `external_request_duration_ms` (@kira/external-tracing). A descriptor that is not an object,
 * boundaries that are not an array of numbers or keys that are not three strings throw a TypeError.
 *
 * @example new KeyedHistogramCells(descriptor, ['http_method', 'http_route', 'http_status_code'])
 */
export class KeyedHistogramCells implements HistogramCellsMetric {
  readonly scope: HistogramCellsMetric['scope'];
  readonly name: string;
  readonly description: string;
  readonly unit: string;
  readonly boundaries: readonly number[];
  private readonly keys: CellKeys;
  private readonly byFirst = new Map<unknown, Map<unknown, Map<unknown, HistogramCell>>>();
  private readonly all: HistogramCell[] = [];
  private overflow: HistogramCell | undefined;

  constructor(descriptor: Omit<HistogramCellsMetric, 'cells'>, keys: CellKeys) {
    // Checked once here, so that `record` (once per request) never trips over them.
    if (!isObjectLike(descriptor)) throw argumentError('KeyedHistogramCells', 'a descriptor object', descriptor);
    const boundaries: unknown = descriptor.boundaries;
    if (!Array.isArray(boundaries) || !boundaries.every((bound) => typeof bound === 'number')) {
      throw argumentError('KeyedHistogramCells', 'descriptor.boundaries as an array of numbers', boundaries);
    }
    if (!Array.isArray(keys) || keys.length !== 3 || !keys.every((key) => typeof key === 'string')) {
      throw argumentError('KeyedHistogramCells', 'keys as an array of three attribute names', keys);
    }
    this.scope = descriptor.scope;
    this.name = descriptor.name;
    this.description = descriptor.description;
    this.unit = descriptor.unit;
    this.boundaries = boundaries;
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
      if (this.all.length >= MAX_CELLS) {
        cell = this.overflow ??= this.newCell(OVERFLOW_ATTRIBUTES);
      } else {
        cell = this.newCell(given ?? { [this.keys[0]]: first, [this.keys[1]]: second, [this.keys[2]]: third });
        this.all.push(cell);
        if (bySecond === undefined) this.byFirst.set(first, (bySecond = new Map<unknown, Map<unknown, HistogramCell>>()));
        if (byThird === undefined) bySecond.set(second, (byThird = new Map<unknown, HistogramCell>()));
        byThird.set(third, cell);
      }
    }
    cell.count += 1;
    cell.sum += value;
    if (value < cell.min) cell.min = value;
    if (value > cell.max) cell.max = value;
    const boundaries = this.boundaries;
    let bucket = 0;
    while (bucket < boundaries.length && boundaries[bucket]! < value) bucket++;
    cell.bucketCounts[bucket]! += 1;
  }

  cells(): Iterable<HistogramCell> {
    return this.overflow === undefined ? this.all : [...this.all, this.overflow];
  }

  private newCell(attributes: CellAttributes): HistogramCell {
    return { attributes, startTimeMs: Date.now(), count: 0, sum: 0, min: Infinity, max: -Infinity, bucketCounts: new Array<number>(this.boundaries.length + 1).fill(0) };
  }
}
