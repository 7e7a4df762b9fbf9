import { type CollectorProcess } from './collector-process';
import { type ExportAttempt, type CountingProxy } from './counting-proxy';
import { crashLines, startServiceProcess } from './service-process';
import { percentile } from '@kira/test-utils';
import { runTraffic } from './traffic';

export interface FaultScenario {
  name: string;
  /** Collector fault spec (`off` for none). */
  fault: string;
  /** Token the service sends (the collector expects `right-token`). */
  token?: string;
  /** OTEL_EXPORTER_OTLP_TIMEOUT of the service, ms: the deadline of one export attempt. */
  timeoutMs: number;
  /** `retry`: the OTLP spec makes the answer retryable; `no-retry`: it does not; `timeout`: the answer comes after the deadline. */
  expect: 'retry' | 'no-retry' | 'timeout';
  /** Smallest gap between two attempts of one batch the exporter may leave (Retry-After or backoff). */
  minGapMs: number;
  /** How long the service runs; default OBSERVE_MS. */
  observeMs?: number;
  /** Lines of the service's stderr that say why exports fail. */
  reason: RegExp;
}

export interface BatchFigures {
  signal: string;
  attempts: number;
  statuses: Array<number | 'aborted'>;
  minGapMs: number;
  /** First attempt's start to last attempt's end. */
  spanMs: number;
}

export interface ScenarioResult {
  scenario: FaultScenario;
  attempts: ExportAttempt[];
  /** Batches complete within the observation window. */
  batches: BatchFigures[];
  perStatus: Record<string, number>;
  reasonLines: string[];
  crashLines: string[];
  requestsSent: number;
  requestsUnexpected: number;
  p99Ms: number;
}

// Long enough for a trace batch (5 s BatchSpanProcessor delay) to use its whole retry budget.
export const OBSERVE_MS = 11_500;

/**
 * Runs one service against the collector with `scenario.fault` switched on, for OBSERVE_MS,
 * through the counting proxy; then kills it (SIGKILL: exit-time flushing is another test's subject).
 */
export async function runFaultScenario(scenario: FaultScenario, collector: CollectorProcess, proxy: CountingProxy): Promise<ScenarioResult> {
  await collector.setFault(scenario.fault);
  const firstAttempt = proxy.attempts.length;
  const service = await startServiceProcess({
    OTEL_EXPORTER_OTLP_ENDPOINT: proxy.url,
    OTEL_EXPORTER_OTLP_HEADERS: `Authorization=Bearer%20${scenario.token ?? 'right-token'}`,
    OTEL_EXPORTER_OTLP_TIMEOUT: String(scenario.timeoutMs),
    OTEL_METRIC_EXPORT_INTERVAL: '2000',
  });
  const started = performance.now();
  const traffic = await runTraffic(service.url, { phase: 'fault', durationMs: 3_000, ratePerSecond: 20 });
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, (scenario.observeMs ?? OBSERVE_MS) - (performance.now() - started))));
  const observedUntil = performance.now();
  const stderr = service.child.stderr();
  const running = service.child.isRunning();
  service.child.child.kill('SIGKILL');
  await service.child.exited;
  await collector.setFault('off');

  const attempts = proxy.attempts.slice(firstAttempt);
  const groups = new Map<string, ExportAttempt[]>();
  for (const attempt of attempts) {
    const key = `${attempt.signal}:${attempt.bodyHash}`;
    groups.set(key, [...(groups.get(key) ?? []), attempt]);
  }
  const batches: BatchFigures[] = [];
  for (const group of groups.values()) {
    const first = group[0] as ExportAttempt;
    // Only batches that had the time for a few attempts inside the window.
    const budget = scenario.expect === 'no-retry' ? 1_500 : scenario.timeoutMs + 1_000;
    if (first.startedMs > observedUntil - budget) continue;
    const gaps = group.slice(1).map((attempt, index) => attempt.startedMs - (group[index] as ExportAttempt).endedMs);
    batches.push({
      signal: first.signal,
      attempts: group.length,
      statuses: group.map((attempt) => attempt.status),
      minGapMs: gaps.length > 0 ? Math.min(...gaps) : Number.NaN,
      spanMs: Math.max(...group.map((attempt) => attempt.endedMs)) - first.startedMs,
    });
  }
  const perStatus: Record<string, number> = {};
  for (const attempt of attempts) perStatus[String(attempt.status)] = (perStatus[String(attempt.status)] ?? 0) + 1;
  return {
    scenario,
    attempts,
    batches,
    perStatus,
    reasonLines: stderr.split('\n').filter((line) => scenario.reason.test(line)),
    crashLines: running ? crashLines(stderr) : ['service exited during the scenario', ...crashLines(stderr)],
    requestsSent: traffic.sent,
    requestsUnexpected: traffic.unexpected,
    p99Ms: percentile(traffic.latenciesMs, 99),
  };
}

export function formatScenario(result: ScenarioResult): string {
  const bySignal = new Map<string, BatchFigures[]>();
  for (const batch of result.batches) bySignal.set(batch.signal, [...(bySignal.get(batch.signal) ?? []), batch]);
  const lines = [
    `${result.scenario.name}: export attempts per status ${JSON.stringify(result.perStatus)}; requests ${result.requestsSent} sent, ${result.requestsUnexpected} unexpected, p99 ${result.p99Ms.toFixed(1)} ms; stderr lines saying why: ${result.reasonLines.length}`,
  ];
  for (const [signal, batches] of bySignal) {
    const gaps = batches.map((batch) => batch.minGapMs).filter((gap) => !Number.isNaN(gap));
    lines.push(
      `  ${signal}: ${batches.length} batches, attempts per batch ${batches.map((batch) => batch.attempts).join('/')}, retries ${batches.reduce((sum, batch) => sum + batch.attempts - 1, 0)}, min gap ${gaps.length ? Math.min(...gaps).toFixed(0) : '-'} ms, longest batch ${Math.max(...batches.map((batch) => batch.spanMs)).toFixed(0)} ms (deadline ${result.scenario.timeoutMs} ms)`,
    );
  }
  return lines.join('\n');
}
