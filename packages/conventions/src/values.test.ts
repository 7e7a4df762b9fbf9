import { describe, expect, it } from 'vitest';
import { argumentTypeError, describeValue, isThenable, safeString, UNPRINTABLE } from './values';

/** An object that throws from every property read, as a hostile or broken caller's object can. */
const hostile = new Proxy(
  {},
  {
    get() {
      throw new Error('getter of the caller');
    },
  },
);

describe('describeValue', () => {
  it('describes any value without throwing', () => {
    const cyclic: Record<string, unknown> = { name: 'cyclic' };
    cyclic.self = cyclic;
    const trapsThrow = new Proxy([], {
      get() {
        throw new Error('get');
      },
      ownKeys() {
        throw new Error('ownKeys');
      },
      getPrototypeOf() {
        throw new Error('getPrototypeOf');
      },
    });
    expect(describeValue(undefined)).toBe('undefined');
    expect(describeValue(null)).toBe('null');
    expect(describeValue(Number.NaN)).toBe('number NaN');
    expect(describeValue(10n)).toBe('the bigint 10n');
    expect(describeValue(Symbol('bad'))).toBe('a symbol');
    expect(describeValue('x'.repeat(4 * 1024 * 1024))).toBe('a string of 4194304 characters');
    expect(describeValue('panel')).toBe('the string "panel"');
    expect(describeValue(cyclic)).toBe('an object with name, self');
    expect(describeValue([1, 2])).toBe('an array of 2 items');
    expect(describeValue(() => 1)).toBe('a function');
    expect(describeValue(hostile)).toBe('an object without properties');
    expect(describeValue(trapsThrow)).toBe('a value that cannot be inspected');
  });
});

describe('safeString', () => {
  it('is String(value) when that works', () => {
    expect(safeString('text')).toBe('text');
    expect(safeString(42)).toBe('42');
    expect(safeString(undefined)).toBe('undefined');
    expect(safeString(Symbol('bad'))).toBe('Symbol(bad)');
    expect(safeString(new Error('boom'))).toBe('Error: boom');
  });

  it('never throws: a value whose conversion throws is recorded as unprintable', () => {
    const throwingToString = {
      toString() {
        throw new Error('no');
      },
    };
    expect(safeString(Object.create(null))).toBe(UNPRINTABLE);
    expect(safeString(throwingToString)).toBe(UNPRINTABLE);
    expect(safeString(hostile)).toBe(UNPRINTABLE);
  });

  it('describes an unprintable value with the function given, for error messages', () => {
    expect(safeString(Object.create(null), describeValue)).toBe('an object without properties');
    expect(safeString(42, describeValue)).toBe('42');
    expect(safeString(Object.create(null), 42 as never)).toBe(UNPRINTABLE);
  });
});

describe('isThenable', () => {
  it('is true for promises and objects or functions with a then method, as await decides', () => {
    const thenableFunction = Object.assign(() => 1, { then: () => undefined });
    expect(isThenable(Promise.resolve(1))).toBe(true);
    expect(isThenable({ then: () => undefined })).toBe(true);
    expect(isThenable(thenableFunction)).toBe(true);
  });

  it('is false for everything else, and for an object whose then getter throws', () => {
    for (const value of [undefined, null, 1, 'then', { then: 'not a function' }, [], () => 1, hostile]) {
      expect(isThenable(value)).toBe(false);
    }
  });
});

describe('argumentTypeError', () => {
  it('names the package, the function, what it expects and what it got, without the value itself', () => {
    const error = argumentTypeError('@kira/example', 'render', 'a panel', { secret: 'sk-live-1' }, ' at panels[2]');
    expect(error).toBeInstanceOf(TypeError);
    expect(error.message).toBe('@kira/example: render expects a panel, got an object with secret at panels[2]');
    expect(error.message).not.toContain('sk-live-1');
  });

  it('is built whatever its texts are (no template-literal throw on a symbol)', () => {
    const symbol = Symbol('name');
    expect(argumentTypeError(symbol as never, symbol as never, symbol as never, symbol, symbol as never).message).toBe(
      'Symbol(name): Symbol(name) expects Symbol(name), got a symbolSymbol(name)',
    );
  });
});
