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

describe('inbound SERVER span claim and bad values', () => {
  it('a claim without an owner name is refused and claims nothing', () => {
    const heard: unknown[] = [];
    onInboundHttpSpansClaimed((owner) => heard.push(owner));
    expect(() => claimInboundHttpSpans(undefined as never)).toThrow(
      new TypeError('@kira/conventions: claimInboundHttpSpans expects the owner as a non-empty string, got undefined'),
    );
    expect(() => claimInboundHttpSpans('')).toThrow(/claimInboundHttpSpans expects the owner as a non-empty string, got the string ""/);
    expect(inboundHttpSpansOwner()).toBeUndefined();
    expect(heard).toEqual([]);
  });

  it('a listener that is not a function is refused', () => {
    expect(() => onInboundHttpSpansClaimed(undefined as never)).toThrow(
      new TypeError('@kira/conventions: onInboundHttpSpansClaimed expects the listener as a function, got undefined'),
    );
    expect(() => onInboundHttpSpansClaimed({} as never)).toThrow(/expects the listener as a function, got an object without properties/);
  });
});
