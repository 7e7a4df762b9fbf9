import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { cliRunner } from './cli-test-harness.ts';

// The A/B tool's options, through the real CLI in a child process (as `pnpm … ab` runs it): a bad
// value must stop it with the option's name and the value given, before any build or worker
// starts and before anything is written, instead of silently running another number of rounds.
const runAbCli = cliRunner(fileURLToPath(new URL('./ab-cli.ts', import.meta.url)), 'kira-ab-cli-');
function runCli(args: string[]) {
  const result = runAbCli(args);
  return { ...result, wroteResult: existsSync(join(result.outputDirectory, 'ab.json')) };
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

  it('prints its usage for --help and writes nothing', () => {
    const result = runCli(['--help']);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('pnpm --filter @kira/benchmarks ab save [--ref <commit>] [package…]');
    for (const option of ['--rounds N', '--cases a,b', '--ms N']) expect(result.stdout).toContain(option);
    expect(result.wroteAnything).toBe(false);
  });

  it('refuses an unknown command and names the two it knows', () => {
    const result = runCli(['compare']);
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('unknown command "compare"');
    expect(result.stderr).toContain('ab save');
    expect(result.wroteResult).toBe(false);
  });
});
