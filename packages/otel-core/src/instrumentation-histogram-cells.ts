import {
  diag,
  ValueType,
  type Attributes,
  type BatchObservableCallback,
  type Context,
  type Histogram,
  type Meter,
  type MeterOptions,
  type MeterProvider,
  type MetricOptions,
  type Observable,
} from '@opentelemetry/api';
import { AttributeSetHistogramCells, histogramCellsFor } from '@kira/conventions';
import { MESSAGE_PREFIX } from './message-prefix';
import { warnOnce } from './warn-once';

/**
 * The meter provider otel-core hands its instrumentations when its reader collects histogram
 * cells: the SDK's, except that a histogram created with explicit bucket advice records into cells
 * (`AttributeSetHistogramCells`) that the reader's `HistogramCellsProducer` exports. That covers
 * the http and undici instrumentations' `http.server.request.duration` and
 * `http.client.request.duration`, recorded once per request, where the SDK's `Histogram.record`
 * sorts and JSON-stringifies up to seven attributes on every call to find the series (5.8 to 8 µs
 * of CPU per loopback `fetch`, measured on 2026-12-06; see the benchmarks README).
 *
 * What is exported stays what the SDK would export for the same records: the same metric name,
 * description, unit, instrumentation scope, buckets (the advice, normalised as the SDK normalises
 * it), series, counts and overflow. The cases where that could differ stay on the SDK's
 * instrument: histograms without bucket advice or of integer values, meters with a schema URL, and
 * every record while no reader collects cells (a delta temporality preference, after shutdown).
 */
export function meterProviderWithHistogramCells(meterProvider: MeterProvider): MeterProvider {
  return {
    getMeter(name: string, version?: string, options?: MeterOptions): Meter {
      const meter = meterProvider.getMeter(name, version, options);
      // The producer exports a scope as a name and a version; a schema URL would be lost.
      if (options?.schemaUrl !== undefined) return meter;
      return new CellsMeter(meter, meterProvider, { name, version: version ?? '' });
    },
  };
}

/** The SDK's meter, with its explicit-bucket histograms kept as cells. */
class CellsMeter implements Meter {
  constructor(
    private readonly meter: Meter,
    private readonly meterProvider: MeterProvider,
    private readonly scope: { readonly name: string; readonly version: string },
  ) {}

  createHistogram<AttributesTypes extends Attributes = Attributes>(name: string, options?: MetricOptions): Histogram<AttributesTypes> {
    const boundaries = adviceBoundaries(options);
    if (boundaries === undefined || (options?.valueType !== undefined && options.valueType !== ValueType.DOUBLE)) {
      return this.meter.createHistogram<AttributesTypes>(name, options);
    }
    const descriptor = { scope: this.scope, name, description: options?.description ?? '', unit: options?.unit ?? '', boundaries };
    return new CellsHistogram<AttributesTypes>(descriptor, this.meterProvider, () => this.meter.createHistogram<AttributesTypes>(name, options));
  }

  createGauge: Meter['createGauge'] = (name, options) => this.meter.createGauge(name, options);
  createCounter: Meter['createCounter'] = (name, options) => this.meter.createCounter(name, options);
  createUpDownCounter: Meter['createUpDownCounter'] = (name, options) => this.meter.createUpDownCounter(name, options);
  createObservableGauge: Meter['createObservableGauge'] = (name, options) => this.meter.createObservableGauge(name, options);
  createObservableCounter: Meter['createObservableCounter'] = (name, options) => this.meter.createObservableCounter(name, options);
  createObservableUpDownCounter: Meter['createObservableUpDownCounter'] = (name, options) => this.meter.createObservableUpDownCounter(name, options);
  addBatchObservableCallback<AttributesTypes extends Attributes = Attributes>(callback: BatchObservableCallback<AttributesTypes>, observables: Array<Observable<AttributesTypes>>): void {
    this.meter.addBatchObservableCallback(callback, observables);
  }
  removeBatchObservableCallback<AttributesTypes extends Attributes = Attributes>(callback: BatchObservableCallback<AttributesTypes>, observables: Array<Observable<AttributesTypes>>): void {
    this.meter.removeBatchObservableCallback(callback, observables);
  }
}

/**
 * The advice's bucket boundaries as the SDK's explicit-bucket aggregation uses them (sorted, cut
 * at ±Infinity), or undefined when there are none to keep cells with (then the SDK's default
 * aggregation, whose buckets are its own, applies).
 */
function adviceBoundaries(options: MetricOptions | undefined): number[] | undefined {
  const advised: unknown = options?.advice?.explicitBucketBoundaries;
  if (!Array.isArray(advised) || !advised.every((bound) => typeof bound === 'number' && !Number.isNaN(bound))) return undefined;
  const sorted = [...(advised as number[])].sort((a, b) => a - b);
  return sorted.slice(sorted.lastIndexOf(-Infinity) + 1, sorted.includes(Infinity) ? sorted.indexOf(Infinity) : sorted.length);
}

/**
 * The key in the cells registry of one instrumentation's histogram: scope and name, since two
 * instrumentations may each have a histogram of the same name.
 */
export function instrumentationCellsKey(scopeName: string, scopeVersion: string, name: string): string {
  return `instrumentation\u0000${scopeName}\u0000${scopeVersion}\u0000${name}`;
}

interface CellsDescriptor {
  readonly scope: { readonly name: string; readonly version: string };
  readonly name: string;
  readonly description: string;
  readonly unit: string;
  readonly boundaries: readonly number[];
}

/**
 * Records into the cells while otel-core's reader collects them, else into the SDK's instrument,
 * created the first time it is needed (an instrument that never records exports nothing either way).
 */
class CellsHistogram<AttributesTypes extends Attributes> implements Histogram<AttributesTypes> {
  private sdkHistogram: Histogram<AttributesTypes> | undefined;
  private readonly registryKey: string;
  private readonly createCells: () => AttributeSetHistogramCells;

  constructor(
    private readonly descriptor: CellsDescriptor,
    private readonly meterProvider: MeterProvider,
    private readonly createSdkHistogram: () => Histogram<AttributesTypes>,
  ) {
    this.registryKey = instrumentationCellsKey(descriptor.scope.name, descriptor.scope.version, descriptor.name);
    this.createCells = () => new AttributeSetHistogramCells(descriptor);
  }

  record(value: number, attributes?: AttributesTypes, context?: Context): void {
    const cells = histogramCellsFor(this.meterProvider, this.registryKey, this.createCells);
    if (cells === undefined) {
      (this.sdkHistogram ??= this.createSdkHistogram()).record(value, attributes, context);
      return;
    }
    // The SDK instrument's checks and its warnings, word for word (Instruments.ts, HistogramAccumulation).
    if (typeof value !== 'number') {
      diag.warn(`non-number value provided to metric ${this.descriptor.name}: ${String(value)}`);
      return;
    }
    if (value < 0) {
      diag.warn(`negative value provided to histogram ${this.descriptor.name}: ${value}`);
      return;
    }
    if (Number.isNaN(value)) return;
    try {
      cells.record(attributes, value);
    } catch (error) {
      // Attributes the SDK cannot key either (a BigInt, a cycle): the record is lost, never the request.
      warnOnce(`${MESSAGE_PREFIX} recording ${this.descriptor.name} failed (${error instanceof Error ? error.message : String(error)}); that record is dropped`);
    }
  }
}
