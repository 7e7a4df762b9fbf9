import { createRequire } from 'node:module';
import { claimInboundHttpSpans } from '@kira/conventions';
import { isWrapped } from '@opentelemetry/instrumentation';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { describe, expect, it } from 'vitest';
import { INBOUND_WRAPPER_NAME, inboundSideMayStepAside, stepAsideWhenClaimed } from './http-inbound-handoff';

describe('inboundSideMayStepAside', () => {
  it('only when neither the option nor KIRA_HTTP_INBOUND says anything', () => {
    expect(inboundSideMayStepAside(undefined, {})).toBe(true);
    expect(inboundSideMayStepAside({ http: {} }, { KIRA_HTTP_INBOUND: ' ' })).toBe(true);
    expect(inboundSideMayStepAside(undefined, { KIRA_HTTP_INBOUND: 'on' })).toBe(false);
    expect(inboundSideMayStepAside(undefined, { KIRA_HTTP_INBOUND: 'off' })).toBe(false);
    expect(inboundSideMayStepAside(undefined, { KIRA_HTTP_INBOUND: 'maybe' })).toBe(false);
    expect(inboundSideMayStepAside({ http: { inbound: true } }, {})).toBe(false);
    expect(inboundSideMayStepAside({ http: false }, {})).toBe(false);
  });
});

describe('stepAsideWhenClaimed, against the installed @opentelemetry/instrumentation-http', () => {
  it('removes the inbound patch when a middleware claims the SERVER spans, and keeps the outbound ones', () => {
    const instrumentation = new HttpInstrumentation();
    // The require hook patches on the next require, as when an app loads node:http after --import.
    const http = createRequire(import.meta.url)('node:http') as typeof import('node:http');
    // Read as a value (never called here), so no method is separated from its object.
    const currentEmit = (): { name: string } => (http.Server.prototype as unknown as { emit: { name: string } }).emit;
    try {
      const emit = currentEmit();
      expect(isWrapped(emit), 'the http instrumentation no longer wraps Server.prototype.emit').toBe(true);
      expect(
        emit.name,
        `the http instrumentation's inbound wrapper is no longer named "${INBOUND_WRAPPER_NAME}" (http-inbound-handoff.ts)`,
      ).toBe(INBOUND_WRAPPER_NAME);

      const stop = stepAsideWhenClaimed(instrumentation);
      expect(isWrapped(currentEmit())).toBe(true);
      claimInboundHttpSpans('@kira/otel-hono');
      stop();

      expect(isWrapped(currentEmit())).toBe(false);
      expect(instrumentation.getConfig().disableIncomingRequestInstrumentation).toBe(true);
      expect(isWrapped(http.request)).toBe(true);
    } finally {
      instrumentation.disable();
    }
    expect(isWrapped(http.request)).toBe(false);
  });
});
