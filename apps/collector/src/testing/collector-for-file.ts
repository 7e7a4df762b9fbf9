import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { startCollector } from '../start-collector';
import type { Collector, CollectorOptions } from '../types';

/** The collector of a test file: see {@link collectorForFile}. */
export interface FileCollector {
  /** The running collector (from the file's first test on). */
  readonly current: Collector;
  /** Closes it and starts another on the same data folder (port 0 unless given), which `current` then is. */
  restart(options?: Omit<CollectorOptions, 'dataDir'>): Promise<Collector>;
}

/**
 * One collector for a test file (chdb allows one data folder per process): started on port 0 with
 * a new data folder named after `prefix` before the file's tests, closed and its folder deleted
 * after them.
 *
 * @example const collector = collectorForFile('kira-collector-expired-'); … collector.current.url
 */
export function collectorForFile(prefix: string, options: Omit<CollectorOptions, 'dataDir'> = {}): FileCollector {
  let collector: Collector | undefined;
  let dataDir = '';
  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), prefix));
    collector = await startCollector({ port: 0, ...options, dataDir });
  });
  afterAll(async () => {
    await collector?.close();
    if (dataDir !== '') rmSync(dataDir, { recursive: true, force: true });
  });
  return {
    get current() {
      if (collector === undefined) throw new Error('the collector runs from the first test of the file on');
      return collector;
    },
    async restart(next = {}) {
      await collector?.close();
      collector = undefined;
      collector = await startCollector({ port: 0, ...next, dataDir });
      return collector;
    },
  };
}
