// SIMULATOR — imgproxy itself (a Go service) cannot run here. This module sends imgproxy's own
// OTLP metric names as service `kira-imgproxy`, over the same OTel settings imgproxy is deployed
// with (OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf, OTEL_SERVICE_NAME=kira-imgproxy), through the
// real OTLP protobuf exporter. Timestamps are explicit so a scenario can replay twenty minutes of
// calm and overload in a few seconds and the alerts' duration rules still see whole minutes.
import { ValueType } from '@opentelemetry/api';
import { ExportResultCode } from '@opentelemetry/core';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  AggregationTemporality,
  DataPointType,
  type GaugeMetricData,
  type ResourceMetrics,
} from '@opentelemetry/sdk-metrics';

const MIB = 1024 * 1024;

/** The gauges imgproxy exports (a subset: the ones the dashboards and alerts read). */
export const IMGPROXY_METRICS = [
  'workers_utilization',
  'requests_in_progress',
  'images_in_progress',
  'vips_memory_bytes',
  'process_resident_memory_bytes',
  'go_goroutines',
  'go_memstats_heap_inuse_bytes',
] as const;
export type ImgproxyMetric = (typeof IMGPROXY_METRICS)[number];

export type ImgproxyPhaseName = 'calm' | 'overload';

/**
 * Level of every gauge per phase. The overload phase is chosen to cross some thresholds and not
 * others (process memory and heap cross Warning only; workers and goroutines cross Critical), so
 * the end-to-end test proves alerts fire selectively, not all at once.
 */
export const IMGPROXY_PHASES: Record<ImgproxyPhaseName, Record<ImgproxyMetric, number>> = {
  calm: {
    workers_utilization: 0.3,
    requests_in_progress: 6,
    images_in_progress: 12,
    vips_memory_bytes: 220 * MIB,
    process_resident_memory_bytes: 1800 * MIB,
    go_goroutines: 28,
    go_memstats_heap_inuse_bytes: 64 * MIB,
  },
  overload: {
    workers_utilization: 0.92,
    requests_in_progress: 140,
    images_in_progress: 128,
    vips_memory_bytes: 4100 * MIB,
    process_resident_memory_bytes: 6500 * MIB,
    go_goroutines: 124,
    go_memstats_heap_inuse_bytes: 210 * MIB,
  },
};

/** Small deterministic wobble (±3 %) so charts look alive without ever crossing a threshold by chance. */
export function imgproxySample(phase: ImgproxyPhaseName, tick: number): Record<ImgproxyMetric, number> {
  const levels = IMGPROXY_PHASES[phase];
  const sample = {} as Record<ImgproxyMetric, number>;
  IMGPROXY_METRICS.forEach((name, index) => {
    const wobble = 1 + 0.03 * Math.sin(tick * 0.7 + index);
    const value = levels[name] * wobble;
    sample[name] = name === 'workers_utilization' ? Math.min(1, value) : Math.round(value);
  });
  return sample;
}

export interface ImgproxySimulatorOptions {
  /** OTLP base URL; defaults to OTEL_EXPORTER_OTLP_ENDPOINT, as imgproxy reads it. */
  endpoint?: string;
  headers?: Record<string, string>;
  serviceName?: string;
}

export interface ImgproxySimulator {
  /** Exports one sample of every gauge stamped at `time`. */
  emit(time: Date, phase: ImgproxyPhaseName, tick: number): Promise<void>;
  shutdown(): Promise<void>;
}

export function createImgproxySimulator(options: ImgproxySimulatorOptions = {}): ImgproxySimulator {
  const endpoint = (options.endpoint ?? process.env.OTEL_EXPORTER_OTLP_ENDPOINT ?? 'http://127.0.0.1:4318').replace(/\/$/, '');
  const exporter = new OTLPMetricExporter({ url: `${endpoint}/v1/metrics`, headers: options.headers });
  const resource = resourceFromAttributes({
    'service.name': options.serviceName ?? process.env.OTEL_SERVICE_NAME ?? 'kira-imgproxy',
    'service.version': 'simulator',
  });
  const startTime: [number, number] = [Math.floor(Date.now() / 1000) - 3600, 0];

  return {
    emit(time, phase, tick) {
      const sample = imgproxySample(phase, tick);
      const seconds = Math.floor(time.getTime() / 1000);
      const hrTime: [number, number] = [seconds, (time.getTime() % 1000) * 1e6];
      const metrics: GaugeMetricData[] = IMGPROXY_METRICS.map((name) => ({
        descriptor: { name, description: `imgproxy ${name} (simulated)`, unit: name.endsWith('_bytes') ? 'By' : '1', valueType: ValueType.DOUBLE },
        aggregationTemporality: AggregationTemporality.CUMULATIVE,
        dataPointType: DataPointType.GAUGE,
        dataPoints: [{ startTime, endTime: hrTime, attributes: {}, value: sample[name] }],
      }));
      const resourceMetrics: ResourceMetrics = {
        resource,
        scopeMetrics: [{ scope: { name: 'imgproxy' }, metrics }],
      };
      return new Promise((resolve, reject) => {
        exporter.export(resourceMetrics, (result) => {
          if (result.code === ExportResultCode.SUCCESS) resolve();
          else reject(result.error ?? new Error('imgproxy simulator: export failed'));
        });
      });
    },
    shutdown: () => exporter.shutdown(),
  };
}
