import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';

/**
 * Runs one of this package's CLIs in a child process, as `pnpm --filter @kira/benchmarks <command>`
 * runs it, with `BENCH_OUTPUT_DIR` pointed at a directory that does not exist yet, so a test can
 * tell whether the CLI wrote anything. Call at the top of a test file: it registers the clean-up.
 */
export function cliRunner(cli: string, prefix: string) {
  const created: string[] = [];
  afterEach(() => {
    for (const directory of created.splice(0)) rmSync(directory, { recursive: true, force: true });
  });
  return (args: string[], env: Record<string, string> = {}) => {
    const parent = mkdtempSync(join(tmpdir(), prefix));
    created.push(parent);
    const outputDirectory = join(parent, 'out');
    const result = spawnSync(process.execPath, [cli, ...args], {
      encoding: 'utf8',
      env: { ...process.env, BENCH_OUTPUT_DIR: outputDirectory, ...env },
      timeout: 60_000,
    });
    return { ...result, outputDirectory, wroteAnything: existsSync(outputDirectory) };
  };
}
