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

describe('sampler declarations and bad values', () => {
  it('a declaration refuses a provider that is not an object', () => {
    expect(() => declareSamplerIgnoresAttributes(undefined as never)).toThrow(
      new TypeError('@kira/conventions: declareSamplerIgnoresAttributes expects the tracer provider as an object, got undefined'),
    );
    expect(() => declareSamplerFollowsParent(42 as never)).toThrow(/declareSamplerFollowsParent expects the tracer provider as an object, got number 42/);
  });

  it('a query about a provider that is not an object answers false', () => {
    expect(samplerIgnoresAttributes(undefined as never)).toBe(false);
    expect(samplerFollowsParent(null as never)).toBe(false);
    expect(samplerFollowsParent('provider' as never)).toBe(false);
  });
});
