import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { cliRunner } from './cli-test-harness.ts';

// The cache count's CLI, in a child process as `pnpm … cache-count` runs it: a bad setup or option,
// or a machine without valgrind, must stop it with a clear error before any server starts and
// before anything is written. (What it counts is checked by cache-count.test.ts, which needs
// valgrind and runs with `pnpm bench`'s smoke test.)
const runCli = cliRunner(fileURLToPath(new URL('./cache-count-cli.ts', import.meta.url)), 'kira-cache-count-cli-');

describe('cache-count CLI', () => {
  it.each([
    [['kira-fast'], 'cache-count: unknown setup "kira-fast" (known: bare, '],
    [['--requests', '0'], '--requests must be a positive whole number, not "0"'],
    [['--warmup', '1.5'], '--warmup must be a positive whole number, not "1.5"'],
    [['--processes', 'two'], '--processes must be a positive whole number, not "two"'],
    [['--ratio', '1.5'], '--ratio must be a number from 0 to 1, not "1.5"'],
    [['--ratio', ''], '--ratio must be a number from 0 to 1, not ""'],
    [['--last-level-kb', '768'], '--last-level-kb must be a power of two (valgrind simulates whole sets), not "768"'],
  ])('refuses %j with a clear error and writes nothing', (args, message) => {
    const result = runCli(args);
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain(message);
    expect(result.wroteAnything).toBe(false);
  });

  it.each([['--help'], ['-h']])('prints its usage for %s, starts nothing and writes nothing', (flag) => {
    // No valgrind on this PATH: help must not need it.
    const result = runCli([flag], { PATH: join(tmpdir(), 'kira-no-such-directory') });
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('Usage: pnpm --filter @kira/benchmarks cache-count [setup…] [options]');
    for (const option of ['--warmup N', '--requests N', '--processes N', '--ratio R', '--last-level-kb N']) expect(result.stdout).toContain(option);
    expect(result.stdout).toContain('sdk-span-ctx');
    expect(result.wroteAnything).toBe(false);
  });

  it('says how to get valgrind when it is not installed, and starts nothing', () => {
    // Node is started by its full path; no valgrind can be found on this PATH.
    const result = runCli(['bare-middleware'], { PATH: join(tmpdir(), 'kira-no-such-directory') });
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain("valgrind is not installed: the cache count runs each server under valgrind's callgrind (Debian: apt-get install valgrind)");
    expect(result.wroteAnything).toBe(false);
  });
});
