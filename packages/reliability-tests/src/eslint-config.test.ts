// `pnpm lint` runs ESLint on every package and on the root scripts with no warning allowed, and the
// workspace config catches what the root README says: floating promises and async callbacks where
// a void one is expected, everywhere; untyped data in product code (tests may read wire payloads).
import { readdirSync, readFileSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const scriptsOf = (dir: string) => (JSON.parse(readFileSync(`${root}${dir}/package.json`, 'utf8')) as { scripts?: Record<string, string> }).scripts ?? {};
const workspaces = ['packages', 'apps'].flatMap((parent) => readdirSync(`${root}${parent}`).map((name) => `${parent}/${name}`));

const probe = `
async function send(): Promise<void> {}
export function start(emitter: { on(event: string, listener: () => void): void }, payload: string): unknown {
  send();
  emitter.on('data', async () => {
    await send();
  });
  const decoded: any = JSON.parse(payload);
  return decoded.field;
}
`;

/**
 * Lints the probe as a file of this package (the type-checked rules need it on disk, inside a
 * tsconfig): `lint-probe-<pid>.ts` is product code, `….test.ts` is test code.
 */
async function rulesReported(suffix: '.ts' | '.test.ts'): Promise<string[]> {
  const path = fileURLToPath(new URL(`../lint-probe-${process.pid}${suffix}`, import.meta.url));
  await writeFile(path, probe);
  try {
    const [result] = await new ESLint({ cwd: root }).lintFiles([path]);
    return (result?.messages ?? []).map((message) => message.ruleId ?? `fatal: ${message.message}`);
  } finally {
    await rm(path, { force: true });
  }
}

describe('ESLint', () => {
  it('runs in every package lint and on the root files, failing on any warning; CI runs pnpm lint', () => {
    expect(workspaces.length).toBeGreaterThan(10);
    for (const dir of workspaces) expect(scriptsOf(dir).lint, dir).toMatch(/^eslint --max-warnings 0 \.( && |$)/);
    const rootScripts = scriptsOf('.');
    expect(rootScripts.lint).toBe('turbo run lint lint:root');
    expect(rootScripts['lint:root']).toMatch(/^eslint --max-warnings 0 .*\bscripts\b/);
    expect(readFileSync(`${root}.ci/run`, 'utf8')).toMatch(/^pnpm lint \|\|/m);
  });

  it('reports a floating promise, a misused async callback and untyped data in product code', async () => {
    const rules = await rulesReported('.ts');
    expect(rules).toEqual(
      expect.arrayContaining([
        '@typescript-eslint/no-floating-promises',
        '@typescript-eslint/no-misused-promises',
        '@typescript-eslint/no-explicit-any',
        '@typescript-eslint/no-unsafe-member-access',
      ]),
    );
  });

  it('keeps the promise rules in tests, where reading untyped payloads is allowed', async () => {
    const rules = await rulesReported('.test.ts');
    expect(rules).toEqual(expect.arrayContaining(['@typescript-eslint/no-floating-promises', '@typescript-eslint/no-misused-promises']));
    expect(rules.filter((rule) => /no-unsafe|no-explicit-any/.test(rule))).toEqual([]);
  });
});
