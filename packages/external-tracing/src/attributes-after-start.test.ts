import { declareSamplerIgnoresAttributes } from '@kira/conventions';
import { createTestSdk } from '@kira/test-utils';
import { type Attributes, type Context, type Link, type SpanKind, SamplingDecision, type Sampler, type SamplingResult } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { tracedFetch } from './index';
import { useLocalTestServer } from './local-test-server';

const server = useLocalTestServer();

/** Samples everything and remembers the start attributes it was shown. */
function recordingSampler(seen: Attributes[]): Sampler {
  return {
    shouldSample(_context: Context, _traceId: string, _name: string, _kind: SpanKind, attributes: Attributes, _links: Link[]): SamplingResult {
      seen.push({ ...attributes });
      return { decision: SamplingDecision.RECORD_AND_SAMPLED };
    },
    toString: () => 'recordingSampler',
  };
}

describe('start attributes', () => {
  it('a provider whose sampler reads none gets the same span, with the attributes set after start', async () => {
    const shownAtStart: Attributes[] = [];
    const shownBare: Attributes[] = [];
    const atStart = createTestSdk({ registerGlobal: false, sampler: recordingSampler(shownAtStart) });
    const afterStart = createTestSdk({ registerGlobal: false, sampler: recordingSampler(shownBare) });
    declareSamplerIgnoresAttributes(afterStart.tracerProvider);
    try {
      const url = `${server.url}/ok?token=secret&q=1`;
      const options = { service: 'openai', operation: 'chat', recordHeaders: ['x-request-id'] };
      const init = { method: 'POST', body: '{}', headers: { 'x-request-id': 'r-1' } };
      await (await tracedFetch(url, init, { ...options, tracerProvider: atStart.tracerProvider })).text();
      await (await tracedFetch(url, init, { ...options, tracerProvider: afterStart.tracerProvider })).text();

      const [reference] = atStart.spans();
      const [bare] = afterStart.spans();
      expect(bare!.name).toBe(reference!.name);
      expect(bare!.kind).toBe(reference!.kind);
      expect(bare!.attributes).toEqual(reference!.attributes);
      expect(reference!.attributes['url.full']).toBe(`${server.url}/ok?token=REDACTED&q=1`);
      // What each sampler was shown: OpenTelemetry's start attributes, or none.
      expect(shownAtStart[0]).toMatchObject({ 'url.full': reference!.attributes['url.full'], 'http.request.method': 'POST', 'server.port': Number(new URL(server.url).port) });
      expect(shownBare).toEqual([{}]);
    } finally {
      await atStart.shutdown();
      await afterStart.shutdown();
    }
  });
});
