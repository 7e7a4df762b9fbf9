import { ValueType, type MeterProvider } from '@opentelemetry/api';
import { hrTime, millisToHrTime } from '@opentelemetry/core';
import type { Resource } from '@opentelemetry/resources';
import {
  AggregationTemporality,
  DataPointType,
  type CollectionResult,
  type HistogramMetricData,
  type MetricProducer,
  type ScopeMetrics,
} from '@opentelemetry/sdk-metrics';
import { collectHistogramCells, type HistogramCellsMetric } from '@kira/conventions';
import type { Env } from './resolve-exporter-config';

/**
 * Hands the reader the histograms kept as cells (`@kira/metrics`'s per-request
 * `http_request_duration_ms`, `@kira/external-tracing`'s `external_request_duration_ms`, the http
 * and undici instrumentations' request durations), as the cumulative explicit-bucket histograms
 * the SDK would have built from the same records: same name, unit, description, scope, buckets and
 * attributes.
 */
export class HistogramCellsProducer implements MetricProducer {
  private readonly resource: Resource;
  private read: () => HistogramCellsMetric[] = () => [];
  private stopCells: () => void = () => {};

  constructor(resource: Resource) {
    this.resource = resource;
  }

  /**
   * Starts collecting cells recorded for `meterProvider`, when the exporter keeps histograms
   * cumulative (the OTLP default); with a delta preference the SDK's instruments stay in charge.
   * Returns whether it collects.
   */
  attach(meterProvider: MeterProvider, env: Env): boolean {
    const preference = env.OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE?.trim().toLowerCase();
    if (preference !== undefined && preference !== '' && preference !== 'cumulative') return false;
    const cells = collectHistogramCells(meterProvider);
    this.read = () => cells.read();
    this.stopCells = () => cells.stop();
    return true;
  }

  stop(): void {
    this.stopCells();
    this.read = () => [];
  }

  collect(): Promise<CollectionResult> {
    const endTime = hrTime();
    const byScope = new Map<string, ScopeMetrics>();
    for (const metric of this.read()) {
      const dataPoints: HistogramMetricData['dataPoints'] = [];
      for (const cell of metric.cells()) {
        if (cell.count === 0) continue;
        dataPoints.push({
          attributes: cell.attributes,
          startTime: millisToHrTime(cell.startTimeMs),
          endTime,
          value: {
            buckets: { boundaries: [...metric.boundaries], counts: [...cell.bucketCounts] },
            count: cell.count,
            sum: cell.sum,
            min: cell.min,
            max: cell.max,
          },
        });
      }
      if (dataPoints.length === 0) continue;
      const scopeKey = `${metric.scope.name}@${metric.scope.version}`;
      let scopeMetrics = byScope.get(scopeKey);
      if (scopeMetrics === undefined) {
        scopeMetrics = { scope: { name: metric.scope.name, version: metric.scope.version }, metrics: [] };
        byScope.set(scopeKey, scopeMetrics);
      }
      scopeMetrics.metrics.push({
        descriptor: { name: metric.name, description: metric.description, unit: metric.unit, valueType: ValueType.DOUBLE },
        aggregationTemporality: AggregationTemporality.CUMULATIVE,
        dataPointType: DataPointType.HISTOGRAM,
        dataPoints,
      });
    }
    return Promise.resolve({ resourceMetrics: { resource: this.resource, scopeMetrics: [...byScope.values()] }, errors: [] });
  }
}
