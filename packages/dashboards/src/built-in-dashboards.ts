import { IMGPROXY_METRIC_NAMES as I, METRIC_ATTRIBUTES as A, METRIC_NAMES as M } from '@kira/conventions';
import type { Dashboard } from './types';

/** The imgproxy dashboard exactly as the team runs it (the queries of the team's observability notes). */
const imgproxyDashboard: Dashboard = {
  id: 'kira-imgproxy',
  title: 'kira-imgproxy',
  service: 'kira-imgproxy',
  panels: [
    {
      id: 'worker-utilization',
      title: 'Worker 利用率 (%)',
      unit: '%',
      queries: [
        { kind: 'gauge', metric: I.workersUtilization, aggregation: 'avg', scale: 100, series: 'utilization', legacyAlias: 'utilization' },
      ],
    },
    {
      id: 'memory',
      title: '内存使用 (MiB)',
      unit: 'MiB',
      queries: [
        { kind: 'gauge', metric: 'process_mb', aggregation: 'max', series: 'process_mb', legacyAlias: 'process_mb' },
        { kind: 'gauge', metric: 'vips_mb', aggregation: 'max', series: 'vips_mb', legacyAlias: 'vips_mb' },
      ],
    },
    {
      id: 'in-progress',
      title: '处理中图片 / 请求',
      unit: '1',
      queries: [
        { kind: 'gauge', metric: I.imagesInProgress, aggregation: 'max', series: 'images', legacyAlias: 'images' },
        { kind: 'gauge', metric: I.requestsInProgress, aggregation: 'max', series: 'requests', legacyAlias: 'requests' },
      ],
    },
  ],
};

/** kira-be: AI tools, HTTP and external providers, from the metric names of the telemetry contract. */
const kiraBeDashboard: Dashboard = {
  id: 'kira-be',
  title: 'kira-be',
  service: 'kira-be',
  panels: [
    {
      id: 'ai-tool-executions',
      title: 'AI tool executions per minute by tool',
      unit: '1/min',
      queries: [{ kind: 'rate', metric: M.aiToolExecutions, groupBy: A.toolName }],
    },
    {
      id: 'ai-tool-success-rate',
      title: 'AI tool success rate (%) by tool',
      unit: '%',
      queries: [
        { kind: 'ratio', metric: M.aiToolExecutions, match: [{ label: A.success, operator: '=', value: 'true' }], groupBy: A.toolName },
      ],
    },
    {
      id: 'ai-tool-duration',
      title: 'AI tool duration p50 / p95 (ms)',
      unit: 'ms',
      queries: [
        { kind: 'quantile', metric: M.aiToolDuration, quantile: 0.5, series: 'p50' },
        { kind: 'quantile', metric: M.aiToolDuration, quantile: 0.95, series: 'p95' },
      ],
    },
    {
      id: 'http-p95-by-route',
      title: 'HTTP p95 by route (ms)',
      unit: 'ms',
      queries: [{ kind: 'quantile', metric: M.httpRequestDuration, quantile: 0.95, groupBy: A.httpRoute }],
    },
    {
      id: 'http-5xx-rate',
      title: 'HTTP 5xx rate (%)',
      unit: '%',
      queries: [
        {
          kind: 'ratio',
          metric: M.httpRequestDuration,
          match: [{ label: A.httpStatusCode, operator: '>=', value: 500 }],
          series: '5xx',
        },
      ],
    },
    {
      id: 'external-latency-by-service',
      title: 'External provider p95 latency by service (ms)',
      unit: 'ms',
      queries: [{ kind: 'quantile', metric: M.externalRequestDuration, quantile: 0.95, groupBy: A.externalService }],
    },
    {
      id: 'external-error-rate-by-service',
      title: 'External provider error rate by service (%)',
      unit: '%',
      queries: [
        {
          kind: 'ratio',
          metric: M.externalRequestDuration,
          match: [{ label: A.outcome, operator: '!=', value: 'ok' }],
          groupBy: A.externalService,
        },
      ],
    },
  ],
};

/** The dashboards the team runs today. */
export const builtInDashboards: readonly Dashboard[] = [imgproxyDashboard, kiraBeDashboard];
