import { IMGPROXY_METRIC_NAMES as I, METRIC_ATTRIBUTES as A, METRIC_NAMES as M } from '@kira/conventions';
import type { Alert } from './types';

const MINUTE = 60;

/**
 * imgproxy alerts: the alert table of the team's notes plus the remaining thresholds of its metric
 * table (images_in_progress > 150, goroutines > 100, heap_mb > 150 / > 300). Durations the notes
 * don't give follow the table's pattern: Warning 5 minutes, Critical 2 minutes.
 */
const imgproxyAlerts: Alert[] = [
  { id: 'imgproxy-workers-warning', name: 'Worker 利用率高', service: 'kira-imgproxy', metric: I.workersUtilization, operator: '>', threshold: 0.5, forSeconds: 5 * MINUTE, severity: 'warning' },
  { id: 'imgproxy-workers-critical', name: 'Worker 利用率饱和', service: 'kira-imgproxy', metric: I.workersUtilization, operator: '>', threshold: 0.8, forSeconds: 2 * MINUTE, severity: 'critical' },
  { id: 'imgproxy-memory-warning', name: '内存使用高', service: 'kira-imgproxy', metric: 'process_mb', operator: '>', threshold: 6000, forSeconds: 5 * MINUTE, severity: 'warning' },
  { id: 'imgproxy-memory-critical', name: '内存使用危险', service: 'kira-imgproxy', metric: 'process_mb', operator: '>', threshold: 7000, forSeconds: 2 * MINUTE, severity: 'critical' },
  { id: 'imgproxy-images-warning', name: '并发过高', service: 'kira-imgproxy', metric: I.imagesInProgress, operator: '>', threshold: 100, forSeconds: 5 * MINUTE, severity: 'warning' },
  { id: 'imgproxy-images-critical', name: '并发危险', service: 'kira-imgproxy', metric: I.imagesInProgress, operator: '>', threshold: 150, forSeconds: 2 * MINUTE, severity: 'critical' },
  { id: 'imgproxy-goroutines-warning', name: 'Goroutine 泄漏', service: 'kira-imgproxy', metric: 'goroutines', operator: '>', threshold: 50, forSeconds: 5 * MINUTE, severity: 'warning' },
  { id: 'imgproxy-goroutines-critical', name: 'Goroutine 泄漏危险', service: 'kira-imgproxy', metric: 'goroutines', operator: '>', threshold: 100, forSeconds: 2 * MINUTE, severity: 'critical' },
  { id: 'imgproxy-heap-warning', name: 'Go Heap 内存高', service: 'kira-imgproxy', metric: 'heap_mb', operator: '>', threshold: 150, forSeconds: 5 * MINUTE, severity: 'warning' },
  { id: 'imgproxy-heap-critical', name: 'Go Heap 内存危险', service: 'kira-imgproxy', metric: 'heap_mb', operator: '>', threshold: 300, forSeconds: 2 * MINUTE, severity: 'critical' },
];

/**
 * kira-be alerts. The notes give no thresholds for kira-be; these are our starting values, meant to
 * be tuned in review like any other code.
 */
const kiraBeAlerts: Alert[] = [
  {
    id: 'kira-be-http-5xx-rate',
    name: 'HTTP 5xx rate high',
    service: 'kira-be',
    metric: M.httpRequestDuration,
    signal: { kind: 'ratio', metric: M.httpRequestDuration, match: [{ label: A.httpStatusCode, operator: '>=', value: 500 }] },
    operator: '>',
    threshold: 5,
    forSeconds: 5 * MINUTE,
    severity: 'critical',
    description: 'More than 5 % of requests answered 5xx.',
  },
  {
    id: 'kira-be-http-p95',
    name: 'HTTP p95 slow',
    service: 'kira-be',
    metric: M.httpRequestDuration,
    signal: { kind: 'quantile', metric: M.httpRequestDuration, quantile: 0.95 },
    operator: '>',
    threshold: 2000,
    forSeconds: 10 * MINUTE,
    severity: 'warning',
    description: 'p95 of all routes above 2 s.',
  },
  {
    id: 'kira-be-ai-tool-success-rate',
    name: 'AI tool success rate low',
    service: 'kira-be',
    metric: M.aiToolExecutions,
    signal: { kind: 'ratio', metric: M.aiToolExecutions, match: [{ label: A.success, operator: '=', value: 'true' }] },
    operator: '<',
    threshold: 90,
    forSeconds: 10 * MINUTE,
    severity: 'warning',
    description: 'Less than 90 % of AI tool executions succeed.',
  },
  {
    id: 'kira-be-ai-tool-p95',
    name: 'AI tool p95 slow',
    service: 'kira-be',
    metric: M.aiToolDuration,
    signal: { kind: 'quantile', metric: M.aiToolDuration, quantile: 0.95 },
    operator: '>',
    threshold: 120000,
    forSeconds: 10 * MINUTE,
    severity: 'warning',
    description: 'p95 AI tool duration above 2 minutes.',
  },
  {
    id: 'kira-be-external-error-rate',
    name: 'External provider errors high',
    service: 'kira-be',
    metric: M.externalRequestDuration,
    signal: { kind: 'ratio', metric: M.externalRequestDuration, match: [{ label: A.outcome, operator: '!=', value: 'ok' }] },
    operator: '>',
    threshold: 20,
    forSeconds: 5 * MINUTE,
    severity: 'warning',
    description: 'More than 20 % of calls to external providers fail (HTTP error or network error).',
  },
];

/** Every alert the team runs. */
export const builtInAlerts: readonly Alert[] = [...imgproxyAlerts, ...kiraBeAlerts];
