import { describe, expect, it } from 'vitest';
import { resolvePropagators } from './resolve-propagators';

function resolve(value: string | undefined) {
  const warnings: string[] = [];
  return { propagators: resolvePropagators(value === undefined ? {} : { OTEL_PROPAGATORS: value }, warnings), warnings };
}

describe('resolvePropagators', () => {
  it('defaults to tracecontext,baggage when unset or empty', () => {
    expect(resolve(undefined)).toEqual({ propagators: ['tracecontext', 'baggage'], warnings: [] });
    expect(resolve('  ')).toEqual({ propagators: ['tracecontext', 'baggage'], warnings: [] });
  });

  it('keeps the listed order, trimmed, case-insensitive and without repeats', () => {
    expect(resolve(' Baggage , TRACECONTEXT,baggage')).toEqual({ propagators: ['baggage', 'tracecontext'], warnings: [] });
    expect(resolve('tracecontext')).toEqual({ propagators: ['tracecontext'], warnings: [] });
  });

  it('none means no propagator, and says so when listed with others', () => {
    expect(resolve('none')).toEqual({ propagators: [], warnings: [] });
    expect(resolve('tracecontext,none')).toEqual({
      propagators: [],
      warnings: ['@kira/otel-core: OTEL_PROPAGATORS="tracecontext,none" lists none with others; no trace headers are propagated'],
    });
  });

  it('names the propagators it does not ship and uses the rest', () => {
    expect(resolve('b3,tracecontext,xray')).toEqual({
      propagators: ['tracecontext'],
      warnings: ['@kira/otel-core: OTEL_PROPAGATORS: b3, xray are not supported (use tracecontext, baggage or none); using tracecontext'],
    });
    expect(resolve('b3multi').warnings).toEqual(['@kira/otel-core: OTEL_PROPAGATORS: b3multi is not supported (use tracecontext, baggage or none); using none']);
    expect(resolve('b3multi').propagators).toEqual([]);
  });
});
