import { describe, expect, it } from 'vitest';
import { tsvFieldEncoder } from './tsv-fields';

// The store refuses rows dated outside what the tables keep (older than the retention, or with a
// TTL past 2106: expired-rows.test.ts) before encoding them, so these edges no longer reach chdb.
// The encoder still never writes a time its column cannot parse.
describe('TSV fields of times and of text given odd values', () => {
  it('clamps a time to its DateTime64 column range, and writes no time at all as the column default', () => {
    const nanos = tsvFieldEncoder("DateTime64(9, 'UTC')");
    expect(nanos(new Date(Date.UTC(1492, 9, 12)))).toBe('1900-01-01 00:00:00.000000000');
    expect(nanos('-1.500000000')).toBe('1969-12-31 23:59:58.500000000');
    expect(nanos('0.000000005')).toBe('1970-01-01 00:00:00.000000005');
    expect(nanos('99999999999.000000000')).toBe('2262-04-11 23:47:16.854775807');
    expect(nanos('2024-02-29T12:00:00.123Z')).toBe('2024-02-29 12:00:00.123000000');
    expect(nanos('not a time')).toBe('\\N');
    expect(nanos(new Date(Number.NaN))).toBe('\\N');
    expect(tsvFieldEncoder("DateTime64(6, 'UTC')")(new Date(Date.UTC(2400, 0, 1)))).toBe('2299-12-31 23:59:59.999999');
  });

  it('writes booleans, numbers, arrays and objects given to a String column as their text', () => {
    const text = tsvFieldEncoder('LowCardinality(String)');
    expect([true, 42, ['a', 1], { name: 'x' }, null].map(text)).toEqual(['true', '42', '["a",1]', '{"name":"x"}', '\\N']);
  });
});
