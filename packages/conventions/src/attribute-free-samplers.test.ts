import { describe, expect, it } from 'vitest';
import { declareSamplerIgnoresAttributes, samplerIgnoresAttributes } from './index';

describe('samplers that read no start attributes', () => {
  it('are known by their provider, directly or behind a proxy that delegates to it', () => {
    const declared = {};
    const other = {};
    declareSamplerIgnoresAttributes(declared);
    expect(samplerIgnoresAttributes(declared)).toBe(true);
    expect(samplerIgnoresAttributes(other)).toBe(false);
    expect(samplerIgnoresAttributes({ getDelegate: () => declared })).toBe(true);
    expect(samplerIgnoresAttributes({ getDelegate: () => other })).toBe(false);
    expect(samplerIgnoresAttributes({ getDelegate: () => undefined })).toBe(false);
  });
});
