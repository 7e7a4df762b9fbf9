import { HistogramCellsBase } from './histogram-cell';
import type { CellAttributes, HistogramCell, HistogramCellsMetric } from './histogram-cells-registry';
import { isObjectLike } from './values';

/** One step of an attribute object read in its own key order: the next key, then its value. */
interface OrderedPath {
  /** The series of the attribute objects that end here, once one has been recorded. */
  cell: HistogramCell | undefined;
  next: Map<string, Map<unknown, OrderedPath>> | undefined;
}

// Paths are a cache in front of the series, so they may stop growing (eight steps for each of the
// 2,000 series a histogram keeps at most, the overflow series included): an attribute object read for the first time past this many
// steps takes the SDK's key every time, as the SDK always does.
const MAX_PATH_STEPS = 16_000;
const NO_ATTRIBUTES: CellAttributes = Object.freeze({});

/**
 * The key the SDK's metric storage gives an attribute set (`hashAttributes` in
 * @opentelemetry/sdk-metrics): the keys sorted, then the pairs as JSON. Two records are one series
 * exactly when their keys are equal, so the cells split and merge series as the SDK does (`80` and
 * `'80'` apart, `null` and `undefined` together).
 */
function attributeSetKey(attributes: CellAttributes): string {
  const keys = Object.keys(attributes);
  if (keys.length === 0) return '';
  keys.sort();
  return JSON.stringify(keys.map((key) => [key, attributes[key]]));
}

/**
 * A histogram whose series are identified by any set of attributes, kept as cells, for the
 * histograms instrumentations record with a fresh attribute object per request (the http and
 * undici instrumentations' `http.server.request.duration` and `http.client.request.duration`).
 * The SDK's `Histogram.record` sorts the keys and JSON-stringifies the pairs on every record to
 * find the series; here a record follows its object's keys and values, in their own order, through
 * maps to the series, and builds the SDK's key only the first time an object of that shape and
 * those values comes (so two key orders of one set still share a series). Counts like the SDK's
 * explicit-bucket histogram and folds series past the SDK's cardinality limit (1,999 and the
 * overflow series) into that overflow series, as `KeyedHistogramCells` does. A descriptor that is not an object or boundaries that are not an
 * array of numbers throw a TypeError.
 *
 * @example new AttributeSetHistogramCells({ scope, name: 'http.client.request.duration', description, unit: 's', boundaries })
 */
export class AttributeSetHistogramCells extends HistogramCellsBase {
  private readonly root: OrderedPath = { cell: undefined, next: undefined };
  private pathSteps = 0;
  private readonly byKey = new Map<string, HistogramCell>();

  constructor(descriptor: Omit<HistogramCellsMetric, 'cells'>) {
    super('AttributeSetHistogramCells', descriptor);
  }

  /**
   * Counts `value` (a number the caller has checked, as the SDK's instrument checks it) into the
   * series of `attributes`. The series keeps a copy of the first object recorded into it.
   */
  record(attributes: CellAttributes | undefined, value: number): void {
    const given = attributes ?? NO_ATTRIBUTES;
    const path = this.pathOf(given);
    let cell = path?.cell;
    if (cell === undefined) {
      cell = this.seriesOf(given);
      if (path !== undefined) path.cell = cell;
    }
    this.count(cell, value);
  }

  /** Where `attributes`, read in their own key order, lead; undefined when they take the SDK's key only. */
  private pathOf(attributes: CellAttributes): OrderedPath | undefined {
    let path: OrderedPath = this.root;
    for (const key of Object.keys(attributes)) {
      const attributeValue = attributes[key];
      // Arrays (and anything else held by reference) are compared by content: the SDK's key only.
      if (isObjectLike(attributeValue)) return undefined;
      let byValue: Map<unknown, OrderedPath> | undefined = path.next?.get(key);
      let step: OrderedPath | undefined = byValue?.get(attributeValue);
      if (step === undefined) {
        if (this.pathSteps >= MAX_PATH_STEPS) return undefined;
        if (byValue === undefined) (path.next ??= new Map()).set(key, (byValue = new Map()));
        step = { cell: undefined, next: undefined };
        byValue.set(attributeValue, step);
        this.pathSteps++;
      }
      path = step;
    }
    return path;
  }

  private seriesOf(attributes: CellAttributes): HistogramCell {
    const key = attributeSetKey(attributes);
    let cell = this.byKey.get(key);
    if (cell === undefined) {
      cell = this.addSeries({ ...attributes });
      if (cell === undefined) return this.overflowSeries();
      this.byKey.set(key, cell);
    }
    return cell;
  }
}
