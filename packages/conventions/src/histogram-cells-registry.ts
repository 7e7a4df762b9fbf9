// The hand-off between the package that records a histogram per request and the package that owns
// the SDK's metric reader: @kira/metrics keeps `http_request_duration_ms` as pre-aggregated cells
// (no per-record attribute hashing), and @kira/otel-core's reader collects them through a
// MetricProducer. Neither package depends on the other: both meet here, on globalThis under a
// registered symbol, so every copy of every package (CommonJS and ESM builds) shares one registry.
import { argumentError, isObjectLike } from './values';

const REGISTRY_KEY = Symbol.for('@kira/histogram-cells');

/** A cell's OpenTelemetry attributes (typed loosely: this package depends on nothing, not even the API). */
export type CellAttributes = Readonly<Record<string, unknown>>;

/**
 * One series of a histogram, aggregated in place (cumulative since `startTimeMs`), with the SDK's
 * explicit-bucket rules: bucket `i` counts values in (boundaries[i-1], boundaries[i]].
 */
export interface HistogramCell {
  readonly attributes: CellAttributes;
  readonly startTimeMs: number;
  count: number;
  sum: number;
  min: number;
  max: number;
  readonly bucketCounts: number[];
}

/** A histogram kept as cells, in the shape a MetricProducer needs (plain data: no SDK types). */
export interface HistogramCellsMetric {
  readonly scope: { readonly name: string; readonly version: string };
  readonly name: string;
  readonly description: string;
  readonly unit: string;
  readonly boundaries: readonly number[];
  cells(): Iterable<HistogramCell>;
}

interface CellsRegistry {
  meterProvider: object | undefined;
  readonly byName: Map<string, HistogramCellsMetric>;
}

function registry(): CellsRegistry {
  const holder = globalThis as { [REGISTRY_KEY]?: CellsRegistry };
  return (holder[REGISTRY_KEY] ??= { meterProvider: undefined, byName: new Map() });
}

/**
 * For the owner of the metric reader: from now on, histograms recorded for `meterProvider` are
 * kept as cells, which `read` returns for the reader's MetricProducer instead of going through the
 * SDK's instruments. `stop` hands recording back to the SDK's instruments. A `meterProvider` that
 * is not an object throws a TypeError.
 *
 * @example const cells = collectHistogramCells(meterProvider); … cells.read() … cells.stop();
 */
export function collectHistogramCells(meterProvider: object): { read(): HistogramCellsMetric[]; stop(): void } {
  if (!isObjectLike(meterProvider)) throw argumentError('collectHistogramCells', 'the meter provider as an object', meterProvider);
  const state = registry();
  state.meterProvider = meterProvider;
  state.byName.clear();
  return {
    read: () => (state.meterProvider === meterProvider ? [...state.byName.values()] : []),
    stop: () => {
      if (state.meterProvider !== meterProvider) return;
      state.meterProvider = undefined;
      state.byName.clear();
    },
  };
}

/**
 * For a recorder: the cells named `name` for `meterProvider` when its reader collects cells (made
 * by `create` the first time), else undefined — then record through the SDK's instrument. A `name`
 * that is not a string or a `create` that is not a function throws a TypeError.
 *
 * @example const cells = histogramCellsFor(provider, 'http_request_duration_ms', () => new MyCells());
 */
export function histogramCellsFor<T extends HistogramCellsMetric>(meterProvider: object, name: string, create: () => T): T | undefined {
  if (typeof name !== 'string') throw argumentError('histogramCellsFor', 'the metric name as a string', name);
  if (typeof create !== 'function') throw argumentError('histogramCellsFor', 'create as a function', create);
  const state = registry();
  // No reader collects cells (undefined): then no provider, not even an undefined one, matches.
  if (state.meterProvider === undefined || state.meterProvider !== meterProvider) return undefined;
  // Another copy of the recording package may have made it; the shape is the same.
  let cells = state.byName.get(name) as T | undefined;
  if (cells === undefined) {
    cells = create();
    state.byName.set(name, cells);
  }
  return cells;
}
