import { histogramCellsFor, KeyedHistogramCells, METRIC_ATTRIBUTES, type HistogramCellsMetric } from '@kira/conventions';
import type { MeterProvider } from '@opentelemetry/api';

/** The HTTP duration histogram as cells keyed by method → route → status (see KeyedHistogramCells). */
export class HttpDurationCells extends KeyedHistogramCells {
  constructor(descriptor: Omit<HistogramCellsMetric, 'cells'>) {
    super(descriptor, [METRIC_ATTRIBUTES.httpMethod, METRIC_ATTRIBUTES.httpRoute, METRIC_ATTRIBUTES.httpStatusCode]);
  }
}

/** The HTTP duration cells for `meterProvider` when its reader collects cells, else undefined. */
export function httpDurationCellsFor(meterProvider: MeterProvider, descriptor: Omit<HistogramCellsMetric, 'cells'>): HttpDurationCells | undefined {
  return histogramCellsFor(meterProvider, descriptor.name, () => new HttpDurationCells(descriptor));
}
