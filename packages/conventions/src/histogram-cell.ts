import type { CellAttributes, HistogramCell, HistogramCellsMetric } from './histogram-cells-registry';
import { argumentError, isObjectLike } from './values';

/**
 * The SDK's default cardinality limit, which counts the overflow series: 1,999 series of their own,
 * then every new one goes to the overflow series (`DeltaMetricProcessor` in
 * @opentelemetry/sdk-metrics keeps `aggregationCardinalityLimit - 1`).
 */
const CARDINALITY_LIMIT = 2000;
const OVERFLOW_ATTRIBUTES: CellAttributes = Object.freeze({ 'otel.metric.overflow': true });

/**
 * What every histogram kept as cells shares: the descriptor, checked once when it is made (so that
 * `record`, once per request, never trips over it), the series in the order they came, the
 * overflow series past the SDK's cardinality limit, and the SDK's explicit-bucket counting.
 */
export abstract class HistogramCellsBase implements HistogramCellsMetric {
  readonly scope: HistogramCellsMetric['scope'];
  readonly name: string;
  readonly description: string;
  readonly unit: string;
  readonly boundaries: readonly number[];
  private readonly all: HistogramCell[] = [];
  private overflow: HistogramCell | undefined;

  /** `owner` names the class in the TypeError a wrong descriptor gets. */
  protected constructor(owner: string, descriptor: Omit<HistogramCellsMetric, 'cells'>) {
    if (!isObjectLike(descriptor)) throw argumentError(owner, 'a descriptor object', descriptor);
    const boundaries: unknown = descriptor.boundaries;
    if (!Array.isArray(boundaries) || !boundaries.every((bound) => typeof bound === 'number')) {
      throw argumentError(owner, 'descriptor.boundaries as an array of numbers', boundaries);
    }
    this.scope = descriptor.scope;
    this.name = descriptor.name;
    this.description = descriptor.description;
    this.unit = descriptor.unit;
    this.boundaries = boundaries;
  }

  cells(): Iterable<HistogramCell> {
    return this.overflow === undefined ? this.all : [...this.all, this.overflow];
  }

  /** A new, empty series for `attributes`; undefined once there are 1,999 (then {@link overflowSeries}). */
  protected addSeries(attributes: CellAttributes): HistogramCell | undefined {
    if (this.all.length >= CARDINALITY_LIMIT - 1) return undefined;
    const cell = this.emptyCell(attributes);
    this.all.push(cell);
    return cell;
  }

  /** The SDK's overflow series, made the first time a series does not fit. */
  protected overflowSeries(): HistogramCell {
    return (this.overflow ??= this.emptyCell(OVERFLOW_ATTRIBUTES));
  }

  /**
   * Counts `value` into `cell` as the SDK's explicit-bucket histogram counts a record: bucket `i`
   * holds values in (boundaries[i-1], boundaries[i]], the last one everything above.
   */
  protected count(cell: HistogramCell, value: number): void {
    cell.count += 1;
    cell.sum += value;
    if (value < cell.min) cell.min = value;
    if (value > cell.max) cell.max = value;
    const boundaries = this.boundaries;
    let bucket = 0;
    while (bucket < boundaries.length && boundaries[bucket]! < value) bucket++;
    cell.bucketCounts[bucket]! += 1;
  }

  private emptyCell(attributes: CellAttributes): HistogramCell {
    return { attributes, startTimeMs: Date.now(), count: 0, sum: 0, min: Infinity, max: -Infinity, bucketCounts: new Array<number>(this.boundaries.length + 1).fill(0) };
  }
}
