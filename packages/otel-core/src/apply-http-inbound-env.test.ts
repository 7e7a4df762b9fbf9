import { describe, expect, it } from 'vitest';
import { applyHttpInboundEnv } from './create-instrumentations';

describe('KIRA_HTTP_INBOUND', () => {
  it('off turns only the inbound side off, keeping other http options', () => {
    const warnings: string[] = [];
    expect(applyHttpInboundEnv({ http: { ignoreOutgoingRequestHook: undefined }, ioredis: false }, { KIRA_HTTP_INBOUND: 'OFF' }, warnings)).toEqual({
      http: { ignoreOutgoingRequestHook: undefined, inbound: false },
      ioredis: false,
    });
    expect(applyHttpInboundEnv(undefined, { KIRA_HTTP_INBOUND: 'off' }, warnings)).toEqual({ http: { inbound: false } });
    expect(warnings).toEqual([]);
  });

  it('an explicit option wins, http: false stays off, on/unset change nothing', () => {
    const warnings: string[] = [];
    expect(applyHttpInboundEnv({ http: { inbound: true } }, { KIRA_HTTP_INBOUND: 'off' }, warnings)).toEqual({ http: { inbound: true } });
    expect(applyHttpInboundEnv({ http: false }, { KIRA_HTTP_INBOUND: 'off' }, warnings)).toEqual({ http: false });
    expect(applyHttpInboundEnv(undefined, { KIRA_HTTP_INBOUND: 'on' }, warnings)).toBeUndefined();
    expect(applyHttpInboundEnv(undefined, {}, warnings)).toBeUndefined();
    expect(warnings).toEqual([]);
  });

  it('a bad value warns once with the prefix and keeps the inbound side on', () => {
    const warnings: string[] = [];
    expect(applyHttpInboundEnv(undefined, { KIRA_HTTP_INBOUND: 'maybe' }, warnings)).toBeUndefined();
    expect(warnings).toEqual(['@kira/otel-core: KIRA_HTTP_INBOUND="maybe" is not "on" or "off"; keeping the http instrumentation\'s inbound side on']);
  });
});
