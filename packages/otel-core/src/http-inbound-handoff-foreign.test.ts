import { createRequire } from 'node:module';
import { claimInboundHttpSpans } from '@kira/conventions';
import { isWrapped } from '@opentelemetry/instrumentation';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { describe, expect, it } from 'vitest';
import { stepAsideWhenClaimed } from './http-inbound-handoff';

// Its own file: the instrumentation patches node:http, and the claim is made, once per process
// (a fresh worker here).
describe('stepAsideWhenClaimed with another wrapper on top', () => {
  it('leaves a wrapper someone else put on top alone, and the inbound side on', () => {
    const instrumentation = new HttpInstrumentation();
    const http = createRequire(import.meta.url)('node:http') as typeof import('node:http');
    type Emit = (this: unknown, ...args: unknown[]) => boolean;
    const prototype = http.Server.prototype as unknown as { emit: Emit };
    const ours = prototype.emit;
    expect(isWrapped(ours)).toBe(true);
    // What another SDK's shimmer leaves: a wrapper of ours, with the same markers.
    const foreign: Emit = function foreignEmit(this: unknown, ...args: unknown[]) {
      return ours.apply(this, args);
    };
    Object.defineProperties(foreign, {
      __original: { value: ours },
      __unwrap: { value: () => (prototype.emit = ours) },
      __wrapped: { value: true },
    });
    prototype.emit = foreign;
    try {
      const stop = stepAsideWhenClaimed(instrumentation);
      claimInboundHttpSpans('@kira/otel-hono');
      stop();
      expect(prototype.emit).toBe(foreign);
      expect(instrumentation.getConfig().disableIncomingRequestInstrumentation).not.toBe(true);
    } finally {
      prototype.emit = ours;
      instrumentation.disable();
    }
    // The config still said "inbound on", so disabling removed the instrumentation's wrapper.
    expect(isWrapped((http.Server.prototype as unknown as { emit: Emit }).emit)).toBe(false);
  });
});
