import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

describe('the demo package', () => {
  it('runs on product code: @kira/local-processes among its dependencies, the test harness not', () => {
    const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { dependencies: Record<string, string> };
    expect(Object.keys(manifest.dependencies)).toContain('@kira/local-processes');
    expect(Object.keys(manifest.dependencies)).not.toContain('@kira/test-utils');
  });
});
