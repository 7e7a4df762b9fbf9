// The root README's commands are the ones that run: its install block is what .ci/run executes,
// and its first command block is what users type first.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const readme = readFileSync(`${root}README.md`, 'utf8');
const ciRun = readFileSync(`${root}.ci/run`, 'utf8');
const codeBlocks = [...readme.matchAll(/```sh\n([\s\S]*?)```/g)].map((match) => match[1]!);
const commandsOf = (block: string) =>
  block
    .split('\n')
    .map((line) => line.replace(/\s+#.*$/, '').trim())
    .filter((line) => line !== '');
const section = (heading: string) => {
  const start = readme.indexOf(`\n## ${heading}\n`);
  expect(start, `README section "${heading}"`).toBeGreaterThan(-1);
  const end = readme.indexOf('\n## ', start + 1);
  return readme.slice(start, end === -1 ? undefined : end);
};

describe('root README', () => {
  it('opens with pnpm demo and pnpm turbo test', () => {
    expect(commandsOf(codeBlocks[0]!).map((line) => line.split(/\s+/).slice(0, 3).join(' '))).toEqual(['pnpm demo', 'pnpm turbo test']);
  });

  it('installs with exactly the commands .ci/run runs', () => {
    const install = [...section('Install').matchAll(/```sh\n([\s\S]*?)```/g)].map((match) => match[1]!);
    expect(install).toHaveLength(1);
    const commands = commandsOf(install[0]!);
    expect(commands.length).toBeGreaterThanOrEqual(6);
    const ciCommands = ciRun.replace(/\\\n/g, ' ');
    for (const command of commands) {
      // apt-get runs as `apt-get update -qq && … install -y -qq "${missing[@]}"` there: compare the
      // package names; everything else must appear verbatim.
      if (command.startsWith('apt-get')) {
        for (const name of command.split('install -y ')[1]!.split(/\s+/)) expect(ciCommands).toMatch(new RegExp(`missing\\+=\\(${name}\\)`));
        expect(ciCommands).toContain('apt-get update');
        continue;
      }
      expect(ciCommands, command).toContain(command);
    }
  });

  it('.ci/run tests with exactly the README command, and pnpm test is the same command', () => {
    const testLines = ciRun.split('\n').filter((line) => /^\s*pnpm (turbo )?test\b/.test(line));
    expect(testLines.map((line) => line.trim().split(' || ')[0])).toEqual(['pnpm turbo test']);
    const scripts = JSON.parse(readFileSync(`${root}package.json`, 'utf8')).scripts as Record<string, string>;
    expect(scripts.test).toBe('turbo run test');
  });
});
