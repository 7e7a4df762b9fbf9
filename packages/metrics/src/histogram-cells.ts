import type { Attributes, MeterProvider } from '@opentelemetry/api';

/**
 * One series of a histogram, aggregated in place (cumulative since `startTimeMs`), with the
 * SDK's explicit-bucket rules: bucket `i` counts values in (boundaries[i-1], boundaries[i]].
 */
export interface HistogramCell {
  readonly attributes: Readonly<Attributes>;
  readonly startTimeMs: number;
  count: number;
  sum: number;
  min: number;
  max: number;
  readonly bucketCounts: number[];
}

/** A histogram kept as cells, in the shape a MetricProducer needs (plain data: no SDK here). */
export interface HistogramCellsMetric {
  readonly scope: { readonly name: string; readonly version: string };
  readonly name: string;
  readonly description: string;
  readonly unit: string;
  readonly boundaries: readonly number[];
  cells(): Iterable<HistogramCell>;
}

/** The SDK's default cardinality limit, and its overflow series. */
const MAX_CELLS = 2000;
const OVERFLOW_ATTRIBUTES: Readonly<Attributes> = Object.freeze({ 'otel.metric.overflow': true });

/**
 * The HTTP duration histogram as cells keyed by method → route → status: a record is three Map
 * lookups and a few additions, where the SDK's `Histogram.record` sorts and JSON-stringifies the
 * attributes on every call to find its series.
 */
export class HttpDurationCells implements HistogramCellsMetric {
  readonly scope: HistogramCellsMetric['scope'];
  readonly name: string;
  readonly description: string;
  readonly unit: string;
  readonly boundaries: readonly number[];
  private readonly byMethod = new Map<unknown, Map<unknown, Map<unknown, HistogramCell>>>();
  private readonly all: HistogramCell[] = [];
  private overflow: HistogramCell | undefined;

  constructor(descriptor: Omit<HistogramCellsMetric, 'cells'>) {
    this.scope = descriptor.scope;
    this.name = descriptor.name;
    this.description = descriptor.description;
    this.unit = descriptor.unit;
    this.boundaries = descriptor.boundaries;
  }

  /** `attributes` must hold `http_method`, `http_route`, `http_status_code`; it is kept, not copied. */
  record(attributes: Readonly<Attributes>, value: number): void {
    const method = attributes.http_method;
    const route = attributes.http_route;
    const status = attributes.http_status_code;
    let byRoute = this.byMethod.get(method);
    let byStatus = byRoute?.get(route);
    let cell = byStatus?.get(status);
    if (cell === undefined) {
      if (this.all.length >= MAX_CELLS) {
        cell = this.overflow ??= this.newCell(OVERFLOW_ATTRIBUTES);
      } else {
        cell = this.newCell(attributes);
        this.all.push(cell);
        if (byRoute === undefined) this.byMethod.set(method, (byRoute = new Map()));
        if (byStatus === undefined) byRoute.set(route, (byStatus = new Map()));
        byStatus.set(status, cell);
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

  private newCell(attributes: Readonly<Attributes>): HistogramCell {
    return { attributes, startTimeMs: Date.now(), count: 0, sum: 0, min: Infinity, max: -Infinity, bucketCounts: new Array<number>(this.boundaries.length + 1).fill(0) };
  }
}

// On globalThis under a registered symbol so every copy of this package (CommonJS and ESM builds)
// and @kira/otel-core agree on one registry.
const REGISTRY_KEY = Symbol.for('@kira/histogram-cells');

interface CellsRegistry {
  meterProvider: MeterProvider | undefined;
  readonly byName: Map<string, HistogramCellsMetric>;
}

function registry(): CellsRegistry {
  const holder = globalThis as { [REGISTRY_KEY]?: CellsRegistry };
  return (holder[REGISTRY_KEY] ??= { meterProvider: undefined, byName: new Map() });
}

/**
 * For `@kira/otel-core`: from now on, histograms this package records for `meterProvider` are kept
 * as cells, which the returned `read` hands to that provider's reader (through a MetricProducer)
 * instead of going through the SDK's instruments. `stop` returns to the SDK's instruments.
 *
 * @example const cells = collectHistogramCells(meterProvider); new PeriodicExportingMetricReader({ exporter, metricProducers: [producerOver(cells.read)] })
 */
export function collectHistogramCells(meterProvider: MeterProvider): { read(): HistogramCellsMetric[]; stop(): void } {
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

/** The HTTP duration cells for `meterProvider` when its reader collects cells, else undefined. */
export function httpDurationCellsFor(meterProvider: MeterProvider, descriptor: Omit<HistogramCellsMetric, 'cells'>): HttpDurationCells | undefined {
  const state = registry();
  if (state.meterProvider !== meterProvider) return undefined;
  // Another copy of this package may have made it; the shape is the same.
  let cells = state.byName.get(descriptor.name) as HttpDurationCells | undefined;
  if (cells === undefined) {
    cells = new HttpDurationCells(descriptor);
    state.byName.set(descriptor.name, cells);
  }
  return cells;
}
