import { isValidSpanId, isValidTraceId } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { PooledIdGenerator } from './pooled-id-generator';

describe('PooledIdGenerator', () => {
  it('makes valid, distinct W3C ids across many pool refills', () => {
    const generator = new PooledIdGenerator();
    const traceIds = new Set<string>();
    const spanIds = new Set<string>();
    // 20,000 of each: dozens of 4 KiB refills, interleaved like root spans are.
    for (let index = 0; index < 20_000; index++) {
      const traceId = generator.generateTraceId();
      const spanId = generator.generateSpanId();
      expect(traceId).toMatch(/^[0-9a-f]{32}$/);
      expect(spanId).toMatch(/^[0-9a-f]{16}$/);
      expect(isValidTraceId(traceId)).toBe(true);
      expect(isValidSpanId(spanId)).toBe(true);
      traceIds.add(traceId);
      spanIds.add(spanId);
    }
    expect(traceIds.size).toBe(20_000);
    expect(spanIds.size).toBe(20_000);
  });

  it('looks random: every hex digit about equally often in every position', () => {
    const generator = new PooledIdGenerator();
    const samples = 16_000;
    const counts = Array.from({ length: 16 }, () => new Array<number>(16).fill(0));
    for (let index = 0; index < samples; index++) {
      const spanId = generator.generateSpanId();
      for (let position = 0; position < 16; position++) counts[position]![parseInt(spanId[position]!, 16)]!++;
    }
    // Expected 1,000 per digit and position; ±20 % is over 6 standard deviations.
    for (const row of counts) for (const count of row) expect(Math.abs(count - samples / 16)).toBeLessThan(200);
  });

  it('two generators do not repeat each other', () => {
    const first = new PooledIdGenerator();
    const second = new PooledIdGenerator();
    const fromFirst = new Set(Array.from({ length: 1000 }, () => first.generateTraceId()));
    for (let index = 0; index < 1000; index++) expect(fromFirst.has(second.generateTraceId())).toBe(false);
  });
});
