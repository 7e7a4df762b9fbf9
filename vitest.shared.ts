import { defineConfig } from 'vitest/config';

// Every package writes a JSON report to reports/vitest.json; .ci/run sums them for its last line.
export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'src/**/*.test.tsx', 'test/**/*.test.ts'],
    reporters: ['default', 'json'],
    outputFile: { json: 'reports/vitest.json' },
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    passWithNoTests: false,
  },
});
