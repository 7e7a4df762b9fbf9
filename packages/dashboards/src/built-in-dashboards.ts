import type { Dashboard } from './types';

/** The imgproxy dashboard exactly as the team runs it (reference/kira-observability-notes.zh.md). */
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
        { kind: 'gauge', metric: 'workers_utilization', aggregation: 'avg', scale: 100, series: 'utilization', legacyAlias: 'utilization' },
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
        { kind: 'gauge', metric: 'images_in_progress', aggregation: 'max', series: 'images', legacyAlias: 'images' },
        { kind: 'gauge', metric: 'requests_in_progress', aggregation: 'max', series: 'requests', legacyAlias: 'requests' },
      ],
    },
  ],
};

/** kira-be: AI tools, HTTP and external providers, from the metric names in DESIGN.md. */
const kiraBeDashboard: Dashboard = {
  id: 'kira-be',
  title: 'kira-be',
  service: 'kira-be',
  panels: [
    {
      id: 'ai-tool-executions',
      title: 'AI tool executions per minute by tool',
      unit: '1/min',
      queries: [{ kind: 'rate', metric: 'ai_tool_executions', groupBy: 'tool_name' }],
    },
    {
      id: 'ai-tool-success-rate',
      title: 'AI tool success rate (%) by tool',
      unit: '%',
      queries: [
        { kind: 'ratio', metric: 'ai_tool_executions', match: [{ label: 'success', operator: '=', value: 'true' }], groupBy: 'tool_name' },
      ],
    },
    {
      id: 'ai-tool-duration',
      title: 'AI tool duration p50 / p95 (ms)',
      unit: 'ms',
      queries: [
        { kind: 'quantile', metric: 'ai_tool_duration_ms', quantile: 0.5, series: 'p50' },
        { kind: 'quantile', metric: 'ai_tool_duration_ms', quantile: 0.95, series: 'p95' },
      ],
    },
    {
      id: 'http-p95-by-route',
      title: 'HTTP p95 by route (ms)',
      unit: 'ms',
      queries: [{ kind: 'quantile', metric: 'http_request_duration_ms', quantile: 0.95, groupBy: 'http_route' }],
    },
    {
      id: 'http-5xx-rate',
      title: 'HTTP 5xx rate (%)',
      unit: '%',
      queries: [
        {
          kind: 'ratio',
          metric: 'http_request_duration_ms',
          match: [{ label: 'http_status_code', operator: '>=', value: 500 }],
          series: '5xx',
        },
      ],
    },
    {
      id: 'external-latency-by-service',
      title: 'External provider p95 latency by service (ms)',
      unit: 'ms',
      queries: [{ kind: 'quantile', metric: 'external_request_duration_ms', quantile: 0.95, groupBy: 'external_service' }],
    },
    {
      id: 'external-error-rate-by-service',
      title: 'External provider error rate by service (%)',
      unit: '%',
      queries: [
        {
          kind: 'ratio',
          metric: 'external_request_duration_ms',
          match: [{ label: 'outcome', operator: '!=', value: 'ok' }],
          groupBy: 'external_service',
        },
      ],
    },
  ],
};

/** The dashboards the team runs today. */
export const builtInDashboards: readonly Dashboard[] = [imgproxyDashboard, kiraBeDashboard];
