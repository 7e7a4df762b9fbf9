import { IMGPROXY_METRIC_NAMES, METRIC_NAMES, METRICS, type MetricContract } from '@kira/conventions';
import { expectMetricDefinitions } from './expect-argument';
import type { GaugeAggregation, MetricDefinition } from './types';

const MIB = 1048576;

/** Metric names of kira-be: the contract's `METRIC_NAMES` (`@kira/conventions`). */
export const KIRA_BE_METRIC_NAMES = METRIC_NAMES;

/** Metrics imgproxy exports over OTLP (not our code), from `@kira/conventions`. */
export { IMGPROXY_METRIC_NAMES };

const IMGPROXY = 'kira-imgproxy';
const { workersUtilization, requestsInProgress, imagesInProgress, vipsMemoryBytes, processResidentMemoryBytes, goGoroutines, goHeapInuseBytes } =
  IMGPROXY_METRIC_NAMES;

interface GaugeSpec {
  unit: string;
  description: string;
  aggregation: GaugeAggregation;
  /** The legacy wide table has a column of this name holding this aggregate. */
  legacy?: 'avg' | 'max';
  derivedFrom?: MetricDefinition['derivedFrom'];
}

function imgproxyGauge(name: string, spec: GaugeSpec): MetricDefinition {
  return {
    name,
    type: 'gauge',
    unit: spec.unit,
    service: IMGPROXY,
    description: spec.description,
    defaultAggregation: spec.aggregation,
    ...(spec.derivedFrom ? { derivedFrom: spec.derivedFrom } : {}),
    ...(spec.legacy ? { legacy: { column: name, aggregation: spec.legacy } } : {}),
  };
}

/** A kira-be metric exactly as the contract defines it (name, type, unit, attributes). */
function kiraBeMetric(metric: MetricContract): MetricDefinition {
  return {
    name: metric.name,
    type: metric.type,
    unit: metric.unit,
    service: 'kira-be',
    description: metric.description,
    attributes: metric.attributes,
  };
}

/** Every metric panels and alerts may reference, emitted and derived. */
export const metricDefinitions: readonly MetricDefinition[] = [
  imgproxyGauge(workersUtilization, { unit: 'ratio', description: 'Share of busy imgproxy workers (0–1).', aggregation: 'avg', legacy: 'avg' }),
  imgproxyGauge(requestsInProgress, { unit: '1', description: 'Requests being processed.', aggregation: 'max', legacy: 'max' }),
  imgproxyGauge(imagesInProgress, { unit: '1', description: 'Images being processed.', aggregation: 'max', legacy: 'max' }),
  imgproxyGauge(vipsMemoryBytes, { unit: 'By', description: 'libvips memory.', aggregation: 'max' }),
  imgproxyGauge(processResidentMemoryBytes, { unit: 'By', description: 'Resident memory of the imgproxy process.', aggregation: 'max' }),
  imgproxyGauge(goGoroutines, { unit: '1', description: 'Go goroutines.', aggregation: 'max' }),
  imgproxyGauge(goHeapInuseBytes, { unit: 'By', description: 'Go heap in use.', aggregation: 'max' }),
  // Derived at query time (bytes → MiB, renames): the names the team's existing alerts use.
  imgproxyGauge('process_mb', {
    unit: 'MiB',
    description: 'Resident memory of the imgproxy process in MiB.',
    aggregation: 'max',
    legacy: 'max',
    derivedFrom: { metric: processResidentMemoryBytes, divideBy: MIB },
  }),
  imgproxyGauge('vips_mb', {
    unit: 'MiB',
    description: 'libvips memory in MiB.',
    aggregation: 'max',
    legacy: 'max',
    derivedFrom: { metric: vipsMemoryBytes, divideBy: MIB },
  }),
  // The team's notes don't show a query for heap_mb/goroutines; same max form as process_mb assumed.
  imgproxyGauge('heap_mb', {
    unit: 'MiB',
    description: 'Go heap in use in MiB.',
    aggregation: 'max',
    legacy: 'max',
    derivedFrom: { metric: goHeapInuseBytes, divideBy: MIB },
  }),
  imgproxyGauge('goroutines', {
    unit: '1',
    description: 'Go goroutines (go_goroutines renamed).',
    aggregation: 'max',
    legacy: 'max',
    derivedFrom: { metric: goGoroutines },
  }),
  ...Object.values(METRICS).map(kiraBeMetric),
];

/** Looks a metric up by name; `undefined` when unknown. */
export function findMetric(name: string, definitions: readonly MetricDefinition[] = metricDefinitions): MetricDefinition | undefined {
  return expectMetricDefinitions('findMetric', definitions, metricDefinitions).find((definition) => definition.name === name);
}
