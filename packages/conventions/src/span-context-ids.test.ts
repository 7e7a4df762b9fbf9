import { describe, expect, it } from 'vitest';
import { declareSpanContextIdsValid, spanContextIdsKnownValid } from './index';

class DeclaredSpanContext {
  readonly traceId = 'a'.repeat(32);
  readonly spanId = 'b'.repeat(16);
  readonly traceFlags = 0;
}
class UndeclaredSpanContext extends Object {}

describe('declareSpanContextIdsValid / spanContextIdsKnownValid', () => {
  it('knows the instances of a declared class, and nothing else', () => {
    expect(spanContextIdsKnownValid(new DeclaredSpanContext())).toBe(false);
    declareSpanContextIdsValid(DeclaredSpanContext);
    expect(spanContextIdsKnownValid(new DeclaredSpanContext())).toBe(true);
    // A plain object with the same fields (a propagated parent) is still checked by its reader.
    expect(spanContextIdsKnownValid({ ...new DeclaredSpanContext() })).toBe(false);
    expect(spanContextIdsKnownValid(new UndeclaredSpanContext())).toBe(false);
    for (const notAContext of [undefined, null, 42, 'a'.repeat(32)]) expect(spanContextIdsKnownValid(notAContext)).toBe(false);
  });

  it('marks the class, not its instances: an instance holds only its own fields, and copies carry no mark', () => {
    declareSpanContextIdsValid(DeclaredSpanContext);
    const instance = new DeclaredSpanContext();
    // Reflect.ownKeys lists symbol keys too: a mark on the instance itself would show here.
    expect(Reflect.ownKeys(instance)).toEqual(['traceId', 'spanId', 'traceFlags']);
    expect(spanContextIdsKnownValid(Object.assign({}, instance))).toBe(false);
    expect(spanContextIdsKnownValid(structuredClone(instance))).toBe(false);
  });

  it('refuses what is not a class, with a clear error', () => {
    for (const bad of [undefined, null, {}, () => 'arrow functions have no prototype']) {
      expect(() => declareSpanContextIdsValid(bad as never)).toThrow(/declareSpanContextIdsValid.*a class of span contexts/);
    }
  });
});
