import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

const require = createRequire(import.meta.url);

describe('the CommonJS build', () => {
  it('finds its .proto files and round-trips an OTLP response', () => {
    // Built by `pnpm build` (turbo runs it before the tests); the .proto folder is located through
    // the import.meta.url shim, which only the bundled .cjs exercises.
    const wire = require('../dist/index.cjs') as typeof import('./index');
    const body = wire.encodeOtlpResponse('traces', { rejected: 3, errorMessage: 'bad ids' });
    const type = wire.otlpTypes().response.traces;
    expect(type.toObject(type.decode(body), { longs: Number })).toEqual({ partialSuccess: { rejectedSpans: 3, errorMessage: 'bad ids' } });
    expect(wire.otlpProtoDirectory).toMatch(/telemetry-wire[\\/]proto[\\/]?$/);
  });
});
