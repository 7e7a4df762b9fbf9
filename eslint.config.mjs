// ESLint for the whole workspace. Each package's `lint` script runs `eslint --max-warnings 0 .`
// with this file (turbo caches and parallelises it); the root files are linted by `lint:root`.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

// Code that reads untyped wire payloads in order to assert on them: the tests, their fixtures and
// the harnesses that only tests import (OTLP capture server, Sentry sink, BetterStack stand-in).
const testCode = [
  '**/*.test.ts',
  '**/*.test.tsx',
  '**/src/testing/**',
  '**/src/fixtures/**',
  'packages/test-utils/src/**',
  'packages/reliability-tests/src/**',
  'packages/release-test/src/**',
];

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', '**/reports/**', '**/.turbo/**', '**/bench-results/**', '**/.data/**', '**/.ab-*/**'] },
  js.configs.recommended,
  {
    // Type-checked rules on every TypeScript file, product code and tests alike: the promise
    // rules (no-floating-promises, no-misused-promises, await-thenable, require-await, …) are what
    // keep telemetry from breaking its host, so they are never relaxed anywhere.
    files: ['**/*.ts', '**/*.tsx'],
    extends: [tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: {
        projectService: {
          // The shared tsup/vitest configs at the root belong to no package's tsconfig.
          allowDefaultProject: ['*.ts'],
        },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      // `const { secret: _secret, ...rest } = value` is how the code drops a key on purpose.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true }],
    },
  },
  {
    // A test inspects decoded OTLP/JSON, Sentry envelopes and API bodies, whose honest static type
    // is "whatever the wire carried": asserting on them is the point, so the no-unsafe-* family
    // (and `any` for such payloads) is off in test code only. Product code types its decoded data.
    files: testCode,
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
  {
    // Plain JavaScript (scripts, fixtures run by Node, the collector's browser page) has no types
    // to check; it gets the JS rules with the globals of the environment it runs in.
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    languageOptions: { globals: { ...globals.node } },
  },
  {
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs' },
  },
  {
    files: ['apps/collector/src/web/**/*.js'],
    languageOptions: { globals: { ...globals.browser } },
  },
);
