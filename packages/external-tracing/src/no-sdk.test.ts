// No SDK is registered unless a test starts one (and shuts it down): the globals are the API's no-op providers, as in development.
import { context, metrics, ROOT_CONTEXT, trace, TraceFlags } from '@opentelemetry/api';
import { INSTRUMENTATION_SCOPES } from '@kira/conventions';
import { captureDiagWarnings, createTestSdk } from '@kira/test-utils';
import { describe, expect, it } from 'vitest';
import { EXTERNAL_REQUEST_DURATION_METRIC, createTracedFetch, tracedFetch, type TracedFetchOptions } from './index';
import { STREAM_CHUNKS, useLocalTestServer } from './local-test-server';

const server = useLocalTestServer();

describe('without an SDK', () => {
  it('runs the request, returns the response, adds no trace header and never throws', async () => {
    expect(trace.getTracerProvider().getTracer('probe').startSpan('probe').isRecording()).toBe(false);

    const plain = await fetch(`${server.url}/ok`);
    const response = await tracedFetch(`${server.url}/ok`, undefined, { service: 'openai', operation: 'chat' });
    expect({ status: response.status, type: response.headers.get('content-type'), body: await response.json() }).toEqual({
      status: plain.status,
      type: plain.headers.get('content-type'),
      body: await plain.json(),
    });
    expect(server.requests.map((request) => request.headers['traceparent'])).toEqual([undefined, undefined]);

    const streamed = await createTracedFetch({ endSpanOn: 'body' })(`${server.url}/stream`, undefined, { service: 'fal', operation: 'x' });
    expect(await streamed.text()).toBe(STREAM_CHUNKS.join(''));

    const failed = await tracedFetch(`${server.url}/status/502`, undefined, { service: 'openai', operation: 'chat' });
    expect(failed.status).toBe(502);
    await expect(tracedFetch('http://127.0.0.1:1/', undefined, { service: 'openai', operation: 'chat' })).rejects.toThrow('fetch failed');
  });

  it('does not call errorOnStatus: no span records', async () => {
    const asked: number[] = [];
    const errorOnStatus = (status: number) => asked.push(status) > 0;
    const response = await tracedFetch(`${server.url}/status/503`, undefined, { service: 'openai', operation: 'chat', errorOnStatus });
    expect(response.status).toBe(503);
    await response.text();
    expect(asked).toEqual([]);
  });
});

describe('without an SDK, the call is fetch itself', () => {
  it("returns the custom fetch's own response and turns its synchronous throw into a rejection", async () => {
    const own = new Response('own');
    await expect(tracedFetch(`${server.url}/ok`, undefined, { service: 'openai', operation: 'chat', fetch: () => Promise.resolve(own) })).resolves.toBe(own);

    const failure = new TypeError('custom fetch failed');
    const throwing = () => {
      throw failure;
    };
    let pending: Promise<Response> | undefined;
    expect(() => {
      pending = tracedFetch(`${server.url}/ok`, undefined, { service: 'openai', operation: 'chat', fetch: throwing });
    }).not.toThrow();
    await expect(pending).rejects.toBe(failure);
  });

  it('still warns once about each kind of wrong option', async () => {
    const warnings = captureDiagWarnings(`${INSTRUMENTATION_SCOPES.externalTracing}:`);
    try {
      const wrong = { service: '', operation: 'chat', endSpanOn: 'sometimes', recordHeaders: ['Authorization'] } as unknown as TracedFetchOptions;
      for (let call = 0; call < 2; call++) await (await tracedFetch(`${server.url}/ok`, undefined, wrong)).text();
      expect(warnings.ours()).toEqual([
        expect.stringContaining('needs { service, operation } as non-empty strings'),
        expect.stringContaining("endSpanOn must be 'headers' or 'body'"),
        expect.stringContaining('header "authorization" carries credentials and is never recorded'),
      ]);
    } finally {
      warnings.stop();
    }
  });

  it('still injects the active trace context when only a propagator and a context manager are registered', async () => {
    const sdk = createTestSdk();
    try {
      // Leaves the context manager and the W3C propagator registered, and no tracer or meter provider.
      trace.disable();
      metrics.disable();
      const remote = { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: TraceFlags.SAMPLED, isRemote: true };
      const response = await context.with(trace.setSpanContext(ROOT_CONTEXT, remote), () =>
        tracedFetch(`${server.url}/ok`, undefined, { service: 'openai', operation: 'chat' }),
      );
      await response.text();
      expect(server.requests.at(-1)?.headers['traceparent']).toBe(`00-${remote.traceId}-${remote.spanId}-01`);
    } finally {
      await sdk.shutdown();
    }
  });

  it('records the histogram into a given meter provider when there is no tracer provider', async () => {
    const sdk = createTestSdk({ registerGlobal: false });
    try {
      await (await tracedFetch(`${server.url}/ok`, undefined, { service: 'fal', operation: 'upscale', meterProvider: sdk.meterProvider })).text();
      const metric = await sdk.metric(EXTERNAL_REQUEST_DURATION_METRIC);
      expect(metric?.dataPoints.map((point) => point.attributes)).toEqual([{ external_service: 'fal', external_operation: 'upscale', outcome: 'ok' }]);
      expect(sdk.spans()).toEqual([]);
    } finally {
      await sdk.shutdown();
    }
  });

  it('records the histogram when only a global meter provider is registered', async () => {
    const sdk = createTestSdk({ registerGlobal: false });
    metrics.setGlobalMeterProvider(sdk.meterProvider);
    try {
      await (await tracedFetch(`${server.url}/ok`, undefined, { service: 'fal', operation: 'upscale' })).text();
      const metric = await sdk.metric(EXTERNAL_REQUEST_DURATION_METRIC);
      expect(metric?.dataPoints.map((point) => point.attributes)).toEqual([{ external_service: 'fal', external_operation: 'upscale', outcome: 'ok' }]);
      expect(sdk.spans()).toEqual([]);
    } finally {
      metrics.disable();
      await sdk.shutdown();
    }
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

describe('an SDK started later', () => {
  it('records none of the calls made before it and every call made after it', async () => {
    await (await tracedFetch(`${server.url}/ok`, undefined, { service: 'openai', operation: 'before' })).text();
    const sdk = createTestSdk();
    try {
      await (await tracedFetch(`${server.url}/ok`, undefined, { service: 'openai', operation: 'after' })).text();
      expect(sdk.spans().map((span) => span.name)).toEqual(['openai after']);
      const metric = await sdk.metric(EXTERNAL_REQUEST_DURATION_METRIC);
      expect(metric?.dataPoints.map((point) => point.attributes['external_operation'])).toEqual(['after']);
      const traceparents = server.requests.slice(-2).map((request) => request.headers['traceparent']);
      expect(traceparents[0]).toBeUndefined();
      expect(traceparents[1]).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    } finally {
      await sdk.shutdown();
    }
  });
});
