import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { startCollector } from '../start-collector';
import type { Collector, CollectorOptions } from '../types';

/** The collector of a test file: see {@link collectorForFile}. */
export interface FileCollector {
  /** The running collector (from the file's first test on, unless {@link close}d). */
  readonly current: Collector;
  /**
   * The file's data folder (from the file's first test on), for a test that opens it with
   * `createStore` after {@link close}: chdb allows one data folder per process, so such a test
   * cannot have a folder of its own.
   */
  readonly dataDir: string;
  /**
   * Closes the running collector, if any (see {@link close}), and starts another on the same data
   * folder (port 0 unless given), which `current` then is.
   */
  restart(options?: Omit<CollectorOptions, 'dataDir'>): Promise<Collector>;
  /**
   * Closes the running collector without starting another, for a test that opens the data folder
   * with `createStore` meanwhile (chdb has one store open at a time in a process); {@link restart}
   * starts one again. The folder stays until after the file's tests.
   */
  close(): Promise<void>;
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
  const file: FileCollector = {
    get current() {
      if (collector === undefined) throw new Error('no collector runs: it runs from the first test of the file on, until close()');
      return collector;
    },
    get dataDir() {
      if (dataDir === '') throw new Error('the data folder exists from the first test of the file on');
      return dataDir;
    },
    async restart(next = {}) {
      await file.close();
      collector = await startCollector({ port: 0, ...next, dataDir });
      return collector;
    },
    async close() {
      await collector?.close();
      collector = undefined;
    },
  };
  return file;
}
