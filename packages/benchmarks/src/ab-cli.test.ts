import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

// The A/B tool's options, through the real CLI in a child process (as `pnpm … ab` runs it): a bad
// value must stop it with the option's name and the value given, before any build or worker
// starts and before anything is written, instead of silently running another number of rounds.
const cli = fileURLToPath(new URL('./ab-cli.ts', import.meta.url));
const outputDirectories: string[] = [];
afterEach(() => {
  for (const directory of outputDirectories.splice(0)) rmSync(directory, { recursive: true, force: true });
});

function runCli(args: string[]) {
  const outputDirectory = join(mkdtempSync(join(tmpdir(), 'kira-ab-cli-')), 'out');
  outputDirectories.push(join(outputDirectory, '..'));
  const result = spawnSync(process.execPath, [cli, ...args], {
    encoding: 'utf8',
    env: { ...process.env, BENCH_OUTPUT_DIR: outputDirectory },
    timeout: 60_000,
  });
  return { ...result, wroteResult: existsSync(join(outputDirectory, 'ab.json')) };
}

describe('ab CLI options', () => {
  it.each([
    [['--rounds', '2.5'], '--rounds must be a positive whole number, not "2.5"'],
    [['--rounds', '0'], '--rounds must be a positive whole number, not "0"'],
    [['--rounds', 'many'], '--rounds must be a positive whole number, not "many"'],
    [['--ms=-5'], '--ms must be a positive number, not "-5"'],
  ])('refuses %j with a clear error and writes nothing', (args, message) => {
    const result = runCli(args);
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain(message);
    expect(result.wroteResult).toBe(false);
  });

  it('refuses an unknown command and names the two it knows', () => {
    const result = runCli(['compare']);
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('unknown command "compare"');
    expect(result.stderr).toContain('ab save');
    expect(result.wroteResult).toBe(false);
  });
});
