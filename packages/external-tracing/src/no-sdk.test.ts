// No createTestSdk here: the globals are the API's no-op providers, as in development.
import { metrics, trace } from '@opentelemetry/api';
import { createTestSdk } from '@kira/test-utils';
import { describe, expect, it } from 'vitest';
import { EXTERNAL_REQUEST_DURATION_METRIC, createTracedFetch, tracedFetch } from './index';
import { STREAM_CHUNKS, useLocalTestServer } from './local-test-server';

const server = useLocalTestServer();

describe('without an SDK', () => {
  it('runs the request, returns the response, adds no trace header and never throws', async () => {
    expect(trace.getTracerProvider().getTracer('probe').startSpan('probe').isRecording()).toBe(false);
    expect(metrics.getMeterProvider().getMeter('probe')).toBeDefined();

    const response = await tracedFetch(`${server.url}/ok`, undefined, { service: 'openai', operation: 'chat' });
    expect(await response.json()).toEqual({ ok: true });
    expect(server.requests[0]?.headers['traceparent']).toBeUndefined();

    const streamed = await createTracedFetch({ endSpanOn: 'body' })(`${server.url}/stream`, undefined, { service: 'fal', operation: 'x' });
    expect(await streamed.text()).toBe(STREAM_CHUNKS.join(''));

    const failed = await tracedFetch(`${server.url}/status/502`, undefined, { service: 'openai', operation: 'chat' });
    expect(failed.status).toBe(502);
    await expect(tracedFetch('http://127.0.0.1:1/', undefined, { service: 'openai', operation: 'chat' })).rejects.toThrow('fetch failed');
  });
});

describe('injected providers', () => {
  it('record into the given providers while the globals stay no-ops', async () => {
    const sdk = createTestSdk({ registerGlobal: false });
    try {
      const response = await tracedFetch(`${server.url}/ok`, undefined, {
        service: 'replicate',
        operation: 'predict',
        tracerProvider: sdk.tracerProvider,
        meterProvider: sdk.meterProvider,
      });
      await response.text();
      expect(sdk.spans().map((span) => span.name)).toEqual(['replicate predict']);
      const metric = await sdk.metric(EXTERNAL_REQUEST_DURATION_METRIC);
      expect(metric?.dataPoints[0]?.attributes).toEqual({ external_service: 'replicate', external_operation: 'predict', outcome: 'ok' });
      expect(trace.getTracerProvider().getTracer('probe').startSpan('probe').isRecording()).toBe(false);
    } finally {
      await sdk.shutdown();
    }
  });
});
