import { histogramCellsFor, type HistogramCell, type HistogramCellsMetric } from '@kira/conventions';
import type { Attributes, MeterProvider } from '@opentelemetry/api';

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
        if (byRoute === undefined) this.byMethod.set(method, (byRoute = new Map<unknown, Map<unknown, HistogramCell>>()));
        if (byStatus === undefined) byRoute.set(route, (byStatus = new Map<unknown, HistogramCell>()));
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

/** The HTTP duration cells for `meterProvider` when its reader collects cells, else undefined. */
export function httpDurationCellsFor(meterProvider: MeterProvider, descriptor: Omit<HistogramCellsMetric, 'cells'>): HttpDurationCells | undefined {
  return histogramCellsFor(meterProvider, descriptor.name, () => new HttpDurationCells(descriptor));
}
