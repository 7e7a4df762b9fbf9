import { IMGPROXY_METRIC_NAMES, METRICS } from '@kira/conventions';
import { METRIC_NAMES } from '@kira/metrics';
import { describe, expect, it } from 'vitest';
import { builtInAlerts } from './built-in-alerts';
import { KIRA_BE_METRIC_NAMES, metricDefinitions } from './metric-definitions';

describe('metric definitions', () => {
  it('model every kira-be metric exactly as the contract defines it, the names @kira/metrics emits', () => {
    expect(KIRA_BE_METRIC_NAMES).toEqual(METRIC_NAMES);
    for (const metric of Object.values(METRICS)) {
      expect(metricDefinitions.find((definition) => definition.name === metric.name)).toMatchObject({
        service: 'kira-be',
        type: metric.type,
        unit: metric.unit,
        attributes: [...metric.attributes],
      });
    }
    expect(metricDefinitions.filter((definition) => definition.service === 'kira-be')).toHaveLength(Object.keys(METRICS).length);
  });

  it('models every imgproxy metric of the contract as a gauge', () => {
    for (const name of Object.values(IMGPROXY_METRIC_NAMES)) {
      expect(metricDefinitions.find((definition) => definition.name === name)).toMatchObject({ service: 'kira-imgproxy', type: 'gauge' });
    }
  });

  it('defines the derived imgproxy metrics from their sources', () => {
    const derived = Object.fromEntries(metricDefinitions.filter((metric) => metric.derivedFrom).map((metric) => [metric.name, metric.derivedFrom]));
    expect(derived).toEqual({
      process_mb: { metric: 'process_resident_memory_bytes', divideBy: 1048576 },
      vips_mb: { metric: 'vips_memory_bytes', divideBy: 1048576 },
      heap_mb: { metric: 'go_memstats_heap_inuse_bytes', divideBy: 1048576 },
      goroutines: { metric: 'go_goroutines' },
    });
    for (const source of Object.values(derived)) expect(metricDefinitions.some((metric) => metric.name === source?.metric)).toBe(true);
  });

  it('has unique names and legacy columns', () => {
    const names = metricDefinitions.map((metric) => metric.name);
    expect(new Set(names).size).toBe(names.length);
    const columns = metricDefinitions.flatMap((metric) => (metric.legacy ? [metric.legacy.column] : []));
    expect(new Set(columns).size).toBe(columns.length);
  });

  it('carries every threshold of the team metric table', () => {
    const rules = builtInAlerts
      .filter((alert) => alert.service === 'kira-imgproxy')
      .map((alert) => `${alert.metric} ${alert.operator} ${alert.threshold} ${alert.forSeconds / 60}m ${alert.severity}`);
    expect(rules.sort()).toEqual(
      [
        'workers_utilization > 0.5 5m warning',
        'workers_utilization > 0.8 2m critical',
        'process_mb > 6000 5m warning',
        'process_mb > 7000 2m critical',
        'images_in_progress > 100 5m warning',
        'images_in_progress > 150 2m critical',
        'goroutines > 50 5m warning',
        'goroutines > 100 2m critical',
        'heap_mb > 150 5m warning',
        'heap_mb > 300 2m critical',
      ].sort(),
    );
  });
});
