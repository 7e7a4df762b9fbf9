import { describe, expect, it } from 'vitest';
import { declareSamplerFollowsParent, declareSamplerIgnoresAttributes, samplerFollowsParent, samplerIgnoresAttributes } from './index';

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

  it('keep the two declarations apart: following the parent is declared on its own', () => {
    const attributeFree = {};
    const both = {};
    declareSamplerIgnoresAttributes(attributeFree);
    declareSamplerIgnoresAttributes(both);
    declareSamplerFollowsParent(both);
    expect(samplerFollowsParent(attributeFree)).toBe(false);
    expect(samplerFollowsParent(both)).toBe(true);
    expect(samplerFollowsParent({ getDelegate: () => both })).toBe(true);
    expect(samplerFollowsParent({ getDelegate: () => attributeFree })).toBe(false);
    expect(samplerFollowsParent({})).toBe(false);
  });
});
