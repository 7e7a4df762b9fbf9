import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '@kira/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stopAllChildren } from '@kira/test-utils';
import { type CollectorProcess, startCollectorProcess } from './collector-process';
import { type CountingProxy, startCountingProxy } from './counting-proxy';
import { type FaultScenario, formatScenario, runFaultScenario, type ScenarioResult } from './fault-scenario';

/**
 * One real collector (token `right-token`) behind a counting proxy; each scenario switches the
 * collector's fault, runs a fresh service process against it and checks what went over the wire.
 */
export function describeFaultScenarios(scenarios: FaultScenario[]): void {
  let dataDir: string;
  let collector: CollectorProcess;
  let proxy: CountingProxy;
  const results = new Map<string, ScenarioResult>();

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'kira-reliability-fault-'));
    collector = await startCollectorProcess({ port: await freePort(), dataDir, token: 'right-token' });
    proxy = await startCountingProxy(collector.url);
  });

  afterAll(async () => {
    await proxy?.close();
    await stopAllChildren();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  describe.each(scenarios)('backend answers $name', (scenario) => {
    beforeAll(async () => {
      const result = await runFaultScenario(scenario, collector, proxy);
      results.set(scenario.name, result);
      console.log(formatScenario(result));
    });

    it('keeps serving and never crashes', () => {
      const result = results.get(scenario.name) as ScenarioResult;
      expect(result.crashLines).toEqual([]);
      expect(result.requestsUnexpected).toBe(0);
      expect(result.p99Ms).toBeLessThan(1_500);
    });

    it('retries only where the OTLP spec says, honours Retry-After and keeps each attempt within the deadline', () => {
      const result = results.get(scenario.name) as ScenarioResult;
      const { batches } = result;
      expect(batches.length).toBeGreaterThan(0);
      if (scenario.expect !== 'no-retry') {
        expect(batches.some((batch) => batch.attempts >= 2)).toBe(true);
        // Retryable failures wait in the retry queue: a batch is still being retried after the
        // export timeout, where the exporter alone used to drop it.
        expect(batches.some((batch) => batch.spanMs > scenario.timeoutMs)).toBe(true);
      }
      for (const attempt of result.attempts.filter((finished) => !Number.isNaN(finished.endedMs))) expect(attempt.endedMs - attempt.startedMs).toBeLessThanOrEqual(scenario.timeoutMs + 500);
      for (const batch of batches) {
        if (scenario.expect === 'no-retry') expect(batch.attempts).toBe(1);
        if (scenario.expect === 'timeout') expect(batch.statuses.every((status) => status === 'aborted')).toBe(true);
        // Each retry at least the Retry-After / backoff after the previous attempt.
        if (batch.attempts > 1) expect(batch.minGapMs).toBeGreaterThanOrEqual(scenario.minGapMs);
      }
    });

    it('says why in the service log once, not once per batch', () => {
      const result = results.get(scenario.name) as ScenarioResult;
      // At most one line per signal (traces, metrics, logs), and at least one in all.
      expect(result.reasonLines.length).toBeGreaterThanOrEqual(1);
      expect(result.reasonLines.length).toBeLessThanOrEqual(3);
    });
  });
}
