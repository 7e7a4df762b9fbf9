import { captureDiagWarnings } from '@kira/test-utils';
import { ValueType, type Attributes, type MeterProvider as MeterProviderApi, type MetricOptions } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { MeterProvider, MetricReader, type HistogramMetricData, type MetricProducer } from '@opentelemetry/sdk-metrics';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { HistogramCellsProducer } from './histogram-cells-producer';
import { instrumentationCellsKey, meterProviderWithHistogramCells } from './instrumentation-histogram-cells';

// Both sides are real SDK meter providers read on demand: the reference records through the SDK's
// instruments, the other through otel-core's wrapper and the cells producer, as startTelemetry
// wires them. What each exports for the same records must be the same.

/** A reader collected by hand (the SDK exports no manual reader; MetricReader is its public base). */
class OnDemandReader extends MetricReader {
  constructor(metricProducers: MetricProducer[] = []) {
    super({ metricProducers });
  }
  protected onForceFlush(): Promise<void> {
    return Promise.resolve();
  }
  protected onShutdown(): Promise<void> {
    return Promise.resolve();
  }
}

interface Side {
  readonly provider: MeterProviderApi;
  read(): Promise<ReturnType<typeof comparable>>;
}

let stops: Array<() => void> = [];
afterEach(() => {
  for (const stop of stops) stop();
  stops = [];
});

function referenceSide(): Side {
  const reader = new OnDemandReader();
  const provider = new MeterProvider({ resource: resourceFromAttributes({}), readers: [reader] });
  return { provider, read: async () => comparable((await reader.collect()).resourceMetrics.scopeMetrics) };
}

function cellsSide(temporality?: string): Side {
  const resource = resourceFromAttributes({});
  const producer = new HistogramCellsProducer(resource);
  const reader = new OnDemandReader([producer]);
  const sdkProvider = new MeterProvider({ resource, readers: [reader] });
  const collects = producer.attach(sdkProvider, { OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE: temporality });
  stops.push(() => producer.stop());
  return {
    provider: collects ? meterProviderWithHistogramCells(sdkProvider) : sdkProvider,
    read: async () => comparable((await reader.collect()).resourceMetrics.scopeMetrics),
  };
}

/** Every histogram as scope, descriptor and points (without times), points in attribute order. */
function comparable(scopeMetrics: ReadonlyArray<{ scope: { name: string; version?: string }; metrics: ReadonlyArray<{ descriptor: { name: string; description: string; unit: string; valueType: ValueType }; dataPoints: readonly unknown[] }> }>) {
  return scopeMetrics
    .flatMap(({ scope, metrics }) =>
      metrics.map((metric) => ({
        scope: { name: scope.name, version: scope.version ?? '' },
        descriptor: { name: metric.descriptor.name, description: metric.descriptor.description, unit: metric.descriptor.unit, valueType: metric.descriptor.valueType },
        points: (metric.dataPoints as HistogramMetricData['dataPoints'])
          .map(({ attributes, value }) => ({ attributes, value }))
          .sort((a, b) => JSON.stringify(a.attributes).localeCompare(JSON.stringify(b.attributes))),
      })),
    )
    .filter((metric) => metric.points.length > 0)
    .sort((a, b) => `${a.scope.name} ${a.descriptor.name}`.localeCompare(`${b.scope.name} ${b.descriptor.name}`));
}

// The undici instrumentation's histogram (0.34.0, undici.ts), as it creates it.
const UNDICI_SCOPE = ['@opentelemetry/instrumentation-undici', '0.34.0'] as const;
const CLIENT_DURATION: [string, MetricOptions] = [
  'http.client.request.duration',
  {
    description: 'Measures the duration of outbound HTTP requests.',
    unit: 's',
    valueType: ValueType.DOUBLE,
    advice: { explicitBucketBoundaries: [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10] },
  },
];

// What it records: seven keys copied in its order, some absent, and the same sets in other orders.
const ok = { 'http.response.status_code': 200, 'http.request.method': 'GET', 'server.address': '127.0.0.1', 'server.port': 8080, 'url.scheme': 'http', 'network.protocol.version': '1.1' };
const RECORDS: Array<[number, Attributes | undefined]> = [
  [0.004, ok],
  [0.005, ok], // on a boundary: the bucket it closes
  [0.0051, { ...ok }],
  [12, ok], // past the last boundary
  [0.3, { 'url.scheme': 'http', 'server.port': 8080, 'server.address': '127.0.0.1', 'http.request.method': 'GET', 'http.response.status_code': 200, 'network.protocol.version': '1.1' }],
  [0.02, { ...ok, 'http.response.status_code': 503 }],
  [0.02, { ...ok, 'server.port': '8080' }], // a string port is another series
  [0.7, { 'http.request.method': 'POST', 'server.address': 'api.example.com', 'server.port': 443, 'url.scheme': 'https', 'error.type': 'ECONNRESET' }],
  [0, { 'error.type': 'ECONNRESET', 'url.scheme': 'https', 'server.port': 443, 'server.address': 'api.example.com', 'http.request.method': 'POST' }],
  [Infinity, ok],
  [-1, ok], // dropped, with the SDK's warning
  [Number.NaN, ok], // dropped
  ['0.1' as unknown as number, ok], // dropped, with the SDK's warning
  [0.2, undefined],
  [0.2, {}],
  [0.1, { tags: ['a', 'b'] }],
  [0.1, { tags: ['a', 'b'] }],
];

async function recordOnBoth(create: (meter: ReturnType<MeterProviderApi['getMeter']>) => { record(value: number, attributes?: Attributes): void }, scope: readonly [string, string?, { schemaUrl?: string }?] = UNDICI_SCOPE) {
  const reference = referenceSide();
  const cells = cellsSide();
  const histograms = [reference, cells].map((side) => create(side.provider.getMeter(scope[0], scope[1], scope[2])));
  const warnings = captureDiagWarnings('');
  try {
    for (const [value, attributes] of RECORDS) for (const histogram of histograms) histogram.record(value, attributes);
  } finally {
    warnings.stop();
  }
  return { reference: await reference.read(), cells: await cells.read(), warnings: warnings.messages };
}

/** The registered cells of a histogram (the registry is process-global, under a registered symbol). */
function registeredCells(scopeName: string, scopeVersion: string, name: string) {
  const registry = (globalThis as Record<symbol, { byName: Map<string, { cells(): Iterable<{ count: number }> }> }>)[Symbol.for('@kira/histogram-cells')];
  const metric = registry?.byName.get(instrumentationCellsKey(scopeName, scopeVersion, name));
  return metric === undefined ? undefined : [...metric.cells()].reduce((sum, cell) => sum + cell.count, 0);
}

describe('instrumentations’ histograms as cells', () => {
  it('export exactly what the SDK instrument exports for the same records, series by series', async () => {
    const { reference, cells, warnings } = await recordOnBoth((meter) => meter.createHistogram(...CLIENT_DURATION));
    expect(cells).toEqual(reference);
    expect(cells).toHaveLength(1);
    const [metric] = cells;
    expect(metric!.scope).toEqual({ name: UNDICI_SCOPE[0], version: UNDICI_SCOPE[1] });
    expect(metric!.descriptor).toMatchObject({ name: 'http.client.request.duration', unit: 's' });
    const okPoint = metric!.points.find((point) => point.attributes['server.port'] === 8080 && point.attributes['http.response.status_code'] === 200);
    expect(okPoint?.value).toMatchObject({ count: 6, min: 0.004, max: Infinity });
    // Both sides warned about the same two bad values, in the SDK's words.
    expect(warnings.filter((message) => message.includes('negative value provided to histogram http.client.request.duration: -1'))).toHaveLength(2);
    expect(warnings.filter((message) => message.includes('non-number value provided to metric http.client.request.duration: 0.1'))).toHaveLength(2);
    // And it went through the cells: the records the SDK counts (not the three it drops).
    expect(registeredCells(...UNDICI_SCOPE, 'http.client.request.duration')).toBe(RECORDS.length - 3);
  });

  it('fold the series past the SDK’s cardinality limit into the same overflow series as the SDK', async () => {
    const reference = referenceSide();
    const cells = cellsSide();
    for (const side of [reference, cells]) {
      const histogram = side.provider.getMeter(...UNDICI_SCOPE).createHistogram(...CLIENT_DURATION);
      for (let id = 0; id < 2005; id++) histogram.record(0.01, { id });
      histogram.record(0.02, { id: 0 }); // a known series keeps counting
      histogram.record(0.02, { id: 2004 }); // an overflowed one stays in the overflow
    }
    const exported = await cells.read();
    expect(exported).toEqual(await reference.read());
    const points = exported[0]!.points;
    expect(points.find((point) => point.attributes['otel.metric.overflow'] === true)?.value.count).toBeGreaterThan(1);
    expect(points.find((point) => point.attributes.id === 0)?.value.count).toBe(2);
  });

  it('use the advice as the SDK does: sorted, cut at ±Infinity', async () => {
    const advice = { explicitBucketBoundaries: [10, -Infinity, 0.5, 1, Infinity, 100] };
    const { reference, cells } = await recordOnBoth((meter) => meter.createHistogram('unsorted', { unit: 's', advice }));
    expect(cells).toEqual(reference);
    expect(cells[0]!.points[0]!.value.buckets.boundaries).toEqual([0.5, 1, 10, 100]);
    expect(registeredCells(...UNDICI_SCOPE, 'unsorted')).toBeGreaterThan(0);
  });

  it('leave to the SDK the histograms whose export could differ: no advice, integer values, a meter with a schema URL', async () => {
    const noAdvice = await recordOnBoth((meter) => meter.createHistogram('no_advice', { unit: 'ms' }));
    expect(noAdvice.cells).toEqual(noAdvice.reference);
    expect(registeredCells(...UNDICI_SCOPE, 'no_advice')).toBeUndefined();

    const integers = await recordOnBoth((meter) => meter.createHistogram('integers', { ...CLIENT_DURATION[1], valueType: ValueType.INT }));
    expect(integers.cells).toEqual(integers.reference);
    expect(registeredCells(...UNDICI_SCOPE, 'integers')).toBeUndefined();

    const schema = await recordOnBoth((meter) => meter.createHistogram('with_schema', CLIENT_DURATION[1]), ['schema-scope', '1.0.0', { schemaUrl: 'https://opentelemetry.io/schemas/1.26.0' }]);
    expect(schema.cells).toEqual(schema.reference);
    expect(registeredCells('schema-scope', '1.0.0', 'with_schema')).toBeUndefined();
  });

  it('keep two instrumentations’ histograms of the same name apart, each under its own scope', async () => {
    const reference = referenceSide();
    const cells = cellsSide();
    for (const side of [reference, cells]) {
      side.provider.getMeter(...UNDICI_SCOPE).createHistogram(...CLIENT_DURATION).record(0.01, ok);
      side.provider.getMeter('@opentelemetry/instrumentation-http', '0.300.0').createHistogram(...CLIENT_DURATION).record(0.2, ok);
    }
    const exported = await cells.read();
    expect(exported).toEqual(await reference.read());
    expect(exported.map((metric) => [metric.scope.name, metric.points[0]!.value.sum])).toEqual([
      ['@opentelemetry/instrumentation-http', 0.2],
      ['@opentelemetry/instrumentation-undici', 0.01],
    ]);
  });

  it('record through the SDK instrument while no reader collects cells, and pass other instruments through', async () => {
    const reference = referenceSide();
    const delta = cellsSide('delta');
    const stopped = cellsSide();
    stops.pop()!(); // the reader stops collecting, as at shutdown
    for (const provider of [reference.provider, delta.provider, stopped.provider]) {
      const meter = provider.getMeter(...UNDICI_SCOPE);
      meter.createHistogram(...CLIENT_DURATION).record(0.01, ok);
      meter.createCounter('calls').add(2, { kind: 'x' });
    }
    const expected = await reference.read();
    expect(expected.map((metric) => metric.descriptor.name)).toEqual(['calls', 'http.client.request.duration']);
    expect(await delta.read()).toEqual(expected);
    expect(await stopped.read()).toEqual(expected);
    expect(registeredCells(...UNDICI_SCOPE, 'http.client.request.duration')).toBeUndefined();
  });

  it('drop a record whose attributes cannot be keyed, without throwing into the instrumentation', async () => {
    const cells = cellsSide();
    const histogram = cells.provider.getMeter(...UNDICI_SCOPE).createHistogram(...CLIENT_DURATION);
    // otel-core's warnings go to console.warn (warn-once.ts).
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    let warned: string;
    try {
      expect(() => histogram.record(0.01, { big: 1n })).not.toThrow();
      warned = warn.mock.calls.map((call) => String(call[0])).join('\n');
    } finally {
      warn.mockRestore();
    }
    histogram.record(0.01, ok);
    expect(warned).toMatch(/@kira\/otel-core: recording http\.client\.request\.duration failed \(.*BigInt.*\); that record is dropped/);
    const [metric] = await cells.read();
    expect(metric!.points.map((point) => point.value.count)).toEqual([1]);
  });
});
