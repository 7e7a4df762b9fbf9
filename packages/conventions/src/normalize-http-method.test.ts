import { describe, expect, it } from 'vitest';
import { fetchWireMethod, KNOWN_HTTP_METHODS, normalizeHttpMethod } from './normalize-http-method';

describe('normalizeHttpMethod', () => {
  it.each(KNOWN_HTTP_METHODS.map((method) => [method]))('keeps the known method %s', (method) => {
    expect(normalizeHttpMethod(method)).toBe(method);
  });

  it('is case-sensitive: lowercase and mixed-case spellings of known methods are _OTHER', () => {
    expect(normalizeHttpMethod('patch')).toBe('_OTHER');
    expect(normalizeHttpMethod('get')).toBe('_OTHER');
    expect(normalizeHttpMethod('Post')).toBe('_OTHER');
  });

  it('maps unknown methods and non-strings to _OTHER', () => {
    for (const method of ['PURGE', 'PROPFIND', '', 'GET ', 'G\u0130T', undefined, null, 42, {}]) {
      expect(normalizeHttpMethod(method), JSON.stringify(method) ?? 'undefined').toBe('_OTHER');
    }
  });
});

describe('fetchWireMethod', () => {
  it('upper-cases the six methods fetch normalises and leaves every other spelling alone', () => {
    expect(['delete', 'get', 'head', 'options', 'post', 'put', 'pOsT'].map(fetchWireMethod)).toEqual([
      'DELETE', 'GET', 'HEAD', 'OPTIONS', 'POST', 'PUT', 'POST',
    ]);
    expect(['patch', 'Patch', 'purge', 'PATCH', 'po\u017Ft'].map(fetchWireMethod)).toEqual(['patch', 'Patch', 'purge', 'PATCH', 'po\u017Ft']);
  });

  it('agrees with what the real fetch Request reports', () => {
    for (const method of ['get', 'post', 'Put', 'delete', 'patch', 'Patch', 'PURGE', 'options', 'head']) {
      const init: RequestInit = { method };
      expect(fetchWireMethod(method), method).toBe(new Request('http://127.0.0.1/', init).method);
    }
  });

  it('with normalizeHttpMethod gives the recorded method of a fetch call', () => {
    expect(normalizeHttpMethod(fetchWireMethod('post'))).toBe('POST');
    expect(normalizeHttpMethod(fetchWireMethod('patch'))).toBe('_OTHER');
  });
});

describe('fetchWireMethod with a method that is not a string', () => {
  it('is _OTHER under the method rule instead of throwing into the traced fetch', () => {
    for (const method of [undefined, null, 42, Symbol('post'), { method: 'GET' }, ['GET']]) {
      expect(fetchWireMethod(method as never)).toBe('_OTHER');
    }
    expect(normalizeHttpMethod(fetchWireMethod(42 as never))).toBe('_OTHER');
  });
});
