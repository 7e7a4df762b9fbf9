import { afterEach, describe, expect, it } from 'vitest';
import { claimInboundHttpSpans, inboundHttpSpansOwner, onInboundHttpSpansClaimed } from './index';
import { resetInboundHttpSpansClaim } from './inbound-http-spans';

afterEach(() => resetInboundHttpSpansClaim());

describe('inbound SERVER span claim', () => {
  it('tells a listener once, the first claim wins, and a throwing listener never reaches the claimer', () => {
    const heard: string[] = [];
    onInboundHttpSpansClaimed(() => {
      throw new Error('listener broke');
    });
    onInboundHttpSpansClaimed((owner) => heard.push(owner));
    const unsubscribed = onInboundHttpSpansClaimed((owner) => heard.push(`gone ${owner}`));
    unsubscribed();

    expect(inboundHttpSpansOwner()).toBeUndefined();
    expect(() => claimInboundHttpSpans('first')).not.toThrow();
    claimInboundHttpSpans('second');
    expect(heard).toEqual(['first']);
    expect(inboundHttpSpansOwner()).toBe('first');
  });

  it('a listener added after the claim hears it at once', () => {
    claimInboundHttpSpans('@kira/otel-hono');
    const heard: string[] = [];
    onInboundHttpSpansClaimed((owner) => heard.push(owner));
    expect(heard).toEqual(['@kira/otel-hono']);
  });

  it('is one registry for every copy of the package (a registered symbol on globalThis)', () => {
    claimInboundHttpSpans('copy-a');
    expect((globalThis as Record<symbol, { owner?: string }>)[Symbol.for('@kira/inbound-http-spans')]?.owner).toBe('copy-a');
  });
});
