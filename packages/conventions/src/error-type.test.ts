import { describe, expect, it } from 'vitest';
import { errorType } from './error-type';

class QuotaError extends Error {}
class NamedError extends Error {
  override name = 'NamedError';
}

describe('errorType', () => {
  it('uses the class of an error', () => {
    expect(errorType(new RangeError('x'))).toBe('RangeError');
    expect(errorType(new QuotaError('x'))).toBe('QuotaError');
    expect(errorType(new NamedError('x'))).toBe('NamedError');
    expect(errorType(new Error('x'))).toBe('Error');
  });

  it('prefers a name set on the error over its constructor', () => {
    const error = new Error('aborted');
    error.name = 'AbortError';
    expect(errorType(error)).toBe('AbortError');
    expect(errorType(new DOMException('late', 'TimeoutError'))).toBe('TimeoutError');
    expect(errorType({ name: 'ValidationError', message: 'plain object' })).toBe('ValidationError');
  });

  it('prefers the system code of the cause, then of the error', () => {
    expect(errorType(new TypeError('fetch failed', { cause: Object.assign(new Error('connect'), { code: 'ECONNREFUSED' }) }))).toBe(
      'ECONNREFUSED',
    );
    expect(errorType(Object.assign(new Error('no file'), { code: 'ENOENT' }))).toBe('ENOENT');
    expect(errorType(Object.assign(new Error('numeric code'), { code: 42 }))).toBe('Error');
  });

  it('is _OTHER for values that are not errors and never throws', () => {
    for (const value of ['boom', 42, undefined, null, Symbol('s')]) expect(errorType(value)).toBe('_OTHER');
    expect(errorType(Object.create(null))).toBe('_OTHER');
    const hostile = new Proxy({}, { get: () => { throw new Error('trap'); } });
    expect(errorType(hostile)).toBe('_OTHER');
  });
});
