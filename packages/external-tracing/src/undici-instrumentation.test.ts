// With the OTel undici instrumentation running (as @kira/otel-core runs it), the transport span
// must nest under ours and exactly one traceparent must reach the provider.
import { SpanKind } from '@opentelemetry/api';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import { createTestSdk, waitUntil, type TestSdk } from '@kira/test-utils';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tracedFetch } from './index';
import { useLocalTestServer } from './local-test-server';

const server = useLocalTestServer();
let sdk: TestSdk;
let instrumentation: UndiciInstrumentation;
beforeEach(() => {
  sdk = createTestSdk();
  // The constructor enables it (subscribes to undici's diagnostics channels).
  instrumentation = new UndiciInstrumentation();
  instrumentation.setTracerProvider(sdk.tracerProvider);
  instrumentation.setMeterProvider(sdk.meterProvider);
  server.requests.length = 0;
});
afterEach(async () => {
  instrumentation.disable();
  await sdk.shutdown();
});

const traceparentHeaders = (index: number) => {
  const raw = server.requests[index]?.rawHeaders ?? [];
  return raw.filter((_, position) => position % 2 === 1 && raw[position - 1]?.toLowerCase() === 'traceparent');
};

describe('tracedFetch with the undici instrumentation', () => {
  it('the undici CLIENT span is a child of the tracedFetch span, and it alone sends traceparent', async () => {
    const response = await tracedFetch(`${server.url}/ok`, { method: 'POST', body: '{}' }, { service: 'fal', operation: 'generate' });
    expect(await response.json()).toEqual({ ok: true });

    // undici ends its span on the trailers event, which can come just after the body resolves.
    await waitUntil(() => sdk.spanByName('POST') !== undefined, 5_000, 'the undici span');
    const ours = sdk.spanByName('fal generate');
    const transport = sdk.spanByName('POST');
    expect(ours?.kind).toBe(SpanKind.CLIENT);
    expect(transport?.kind).toBe(SpanKind.CLIENT);
    expect(transport?.instrumentationScope.name).toBe('@opentelemetry/instrumentation-undici');
    expect(transport?.parentSpanContext?.spanId).toBe(ours?.spanContext().spanId);
    expect(transport?.spanContext().traceId).toBe(ours?.spanContext().traceId);

    const sent = traceparentHeaders(0);
    expect(sent).toEqual([`00-${transport?.spanContext().traceId}-${transport?.spanContext().spanId}-01`]);
  });

  it('propagateContext false: no traceparent and no transport span for that call', async () => {
    await (await tracedFetch(`${server.url}/ok`, undefined, { service: 'openai', operation: 'chat', propagateContext: false })).text();
    expect(traceparentHeaders(0)).toEqual([]);
    // A control call that does get a transport span: once that span has ended, a (wrongly) started
    // transport span of the first call, whose response was over before, has ended too.
    await (await tracedFetch(`${server.url}/ok`, undefined, { service: 'openai', operation: 'control' })).text();
    await waitUntil(() => sdk.spanByName('GET') !== undefined, 5_000, "the control call's undici span");
    const transports = sdk.spans().filter((span) => span.instrumentationScope.name === '@opentelemetry/instrumentation-undici');
    expect(transports).toHaveLength(1);
    expect(transports[0]?.parentSpanContext?.spanId).toBe(sdk.spanByName('openai control')?.spanContext().spanId);
    expect(sdk.spanByName('openai chat')).toBeDefined();
    expect(traceparentHeaders(1)).toHaveLength(1);
  });
});
