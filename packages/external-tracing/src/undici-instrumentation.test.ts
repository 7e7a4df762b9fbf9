// With the OTel undici instrumentation running (as @kira/otel-core runs it), the transport span
// must nest under ours and exactly one traceparent must reach the provider.
import { context, ROOT_CONTEXT, SamplingDecision, type Sampler, SpanKind, SpanStatusCode, type SpanContext, trace, TraceFlags, type Tracer, type TracerProvider } from '@opentelemetry/api';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import { declareSamplerFollowsParent, declareSpanContextIdsValid } from '@kira/conventions';
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

/** `provider`, counting the spans tracedFetch asks its tracers for (undici's instrumentation uses the SDK's directly). */
function countingProvider(provider: TracerProvider): { provider: TracerProvider; started: () => number } {
  let started = 0;
  const counting: TracerProvider = {
    getTracer(name, version, options) {
      const tracer = provider.getTracer(name, version, options);
      return {
        startSpan: (...args: Parameters<Tracer['startSpan']>) => {
          started++;
          return tracer.startSpan(...args);
        },
        startActiveSpan: tracer.startActiveSpan.bind(tracer),
      };
    },
  };
  return { provider: counting, started: () => started };
}

/** ParentBased(AlwaysOn): a valid parent's decision is followed, local or remote; roots are sampled. */
const followsParent: Sampler = {
  shouldSample(parentContextOfSpan) {
    const parent = trace.getSpanContext(parentContextOfSpan);
    if (parent !== undefined && trace.isSpanContextValid(parent) && (parent.traceFlags & TraceFlags.SAMPLED) === 0) return { decision: SamplingDecision.NOT_RECORD };
    return { decision: SamplingDecision.RECORD_AND_SAMPLED };
  },
  toString: () => 'ParentBased(AlwaysOn)',
};

/** A caller's context whose span is a remote parent with the given sampled flag. */
function parentContext(sampled: boolean) {
  const parent = { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', traceFlags: sampled ? TraceFlags.SAMPLED : TraceFlags.NONE, isRemote: true };
  return { parent, context: trace.setSpanContext(ROOT_CONTEXT, parent) };
}

describe('under an unsampled parent, with a sampler that follows its parent', () => {
  let followingSdk: TestSdk;
  beforeEach(() => {
    // The SDK of the outer beforeEach stays unused here; this one follows its parent, as @kira/otel-core's does.
    followingSdk = createTestSdk({ registerGlobal: false, sampler: followsParent });
    instrumentation.setTracerProvider(followingSdk.tracerProvider);
  });
  afterEach(() => followingSdk.shutdown());

  it('starts no span of its own: the one traceparent carries the trace id and not-sampled flag, and the histogram is recorded', async () => {
    const counting = countingProvider(followingSdk.tracerProvider);
    declareSamplerFollowsParent(counting.provider);
    const { parent, context: caller } = parentContext(false);
    const options = { service: 'fal', operation: 'generate', tracerProvider: counting.provider, meterProvider: followingSdk.meterProvider };
    await (await context.with(caller, () => tracedFetch(`${server.url}/ok`, undefined, options))).text();

    expect(counting.started()).toBe(0);
    const [sent, ...more] = traceparentHeaders(0);
    expect(more).toEqual([]);
    expect(sent).toMatch(new RegExp(`^00-${parent.traceId}-[0-9a-f]{16}-00$`));
    expect(sent).not.toContain(parent.spanId);
    expect(followingSdk.spans()).toEqual([]);
    const histogram = await followingSdk.metric('external_request_duration_ms');
    expect(histogram?.dataPoints).toHaveLength(1);
  });

  it('still starts its span for a sampled parent, and for a sampler that did not declare it', async () => {
    const declared = countingProvider(followingSdk.tracerProvider);
    declareSamplerFollowsParent(declared.provider);
    await (await context.with(parentContext(true).context, () => tracedFetch(`${server.url}/ok`, undefined, { service: 'fal', operation: 'sampled', tracerProvider: declared.provider }))).text();
    expect(declared.started()).toBe(1);
    expect(followingSdk.spanByName('fal sampled')?.parentSpanContext?.spanId).toBe(parentContext(true).parent.spanId);

    const undeclaredSdk = createTestSdk({ registerGlobal: false, sampler: followsParent });
    try {
      const undeclared = countingProvider(undeclaredSdk.tracerProvider);
      await (await context.with(parentContext(false).context, () => tracedFetch(`${server.url}/ok`, undefined, { service: 'fal', operation: 'undeclared', tracerProvider: undeclared.provider }))).text();
      expect(undeclared.started()).toBe(1);
    } finally {
      await undeclaredSdk.shutdown();
    }
  });

  it("trusts the ids of a parent whose tracer declared them valid, and checks every other parent's", async () => {
    class GeneratedSpanContext {
      constructor(
        readonly traceId: string,
        readonly spanId: string,
        readonly traceFlags: number,
      ) {}
    }
    declareSpanContextIdsValid(GeneratedSpanContext);
    const counting = countingProvider(followingSdk.tracerProvider);
    declareSamplerFollowsParent(counting.provider);
    const { parent } = parentContext(false);
    const call = (spanContext: SpanContext) =>
      context.with(trace.setSpanContext(ROOT_CONTEXT, spanContext), () => tracedFetch(`${server.url}/ok`, undefined, { service: 'fal', operation: 'parent', tracerProvider: counting.provider }));

    // Ids isSpanContextValid refuses: only a parent trusted unchecked makes the call start no span.
    const unchecked = new GeneratedSpanContext('x'.repeat(32), parent.spanId, TraceFlags.NONE);
    expect(trace.isSpanContextValid(unchecked)).toBe(false);
    await (await call(unchecked)).text();
    expect(counting.started()).toBe(0);
    // Not a valid parent (zero span id): the call is a root of its own, so it starts its span.
    await (await call({ traceId: parent.traceId, spanId: '0'.repeat(16), traceFlags: TraceFlags.NONE })).text();
    expect(counting.started()).toBe(1);
  });

  it('still starts its span when it sends the trace headers itself (no undici instrumentation)', async () => {
    instrumentation.disable();
    const counting = countingProvider(followingSdk.tracerProvider);
    declareSamplerFollowsParent(counting.provider);
    const { parent, context: caller } = parentContext(false);
    await (await context.with(caller, () => tracedFetch(`${server.url}/ok`, undefined, { service: 'fal', operation: 'own-headers', tracerProvider: counting.provider }))).text();
    expect(counting.started()).toBe(1);
    expect(traceparentHeaders(0)).toEqual([expect.stringMatching(new RegExp(`^00-${parent.traceId}-[0-9a-f]{16}-00$`))]);
  });

  it('calls errorOnStatus only when its span records: not for an unsampled span, nor for a call that starts none', async () => {
    const asked: Record<string, number[]> = { sampled: [], unsampled: [], skipped: [] };
    const call = async (operation: string, tracerProvider: TracerProvider, sampled: boolean) => {
      const errorOnStatus = (status: number) => {
        asked[operation]!.push(status);
        return status >= 400;
      };
      const options = { service: 'fal', operation, tracerProvider, meterProvider: followingSdk.meterProvider, errorOnStatus };
      const response = await context.with(parentContext(sampled).context, () => tracedFetch(`${server.url}/status/404`, undefined, options));
      expect(response.status).toBe(404);
      await response.text();
    };
    const declared = countingProvider(followingSdk.tracerProvider);
    declareSamplerFollowsParent(declared.provider);
    const undeclared = countingProvider(followingSdk.tracerProvider);

    await call('sampled', declared.provider, true);
    await call('skipped', declared.provider, false);
    await call('unsampled', undeclared.provider, false);

    // The sampled call started a span, the skipped one none; the unsampled one started a span that does not record.
    expect([declared.started(), undeclared.started()]).toEqual([1, 1]);
    expect(asked).toEqual({ sampled: [404], unsampled: [], skipped: [] });
    const ours = followingSdk.spans().filter((span) => span.instrumentationScope.name === '@kira/external-tracing');
    expect(ours.map((span) => [span.name, span.status.code, span.attributes['error.type']])).toEqual([['fal sampled', SpanStatusCode.ERROR, '404']]);
    // errorOnStatus decides the span status alone: every call gets the same outcome in the histogram.
    const histogram = await followingSdk.metric('external_request_duration_ms');
    const outcomes = Object.fromEntries((histogram?.dataPoints ?? []).map((point) => [point.attributes['external_operation'], point.attributes['outcome']]));
    expect(outcomes).toEqual({ sampled: 'http_error', skipped: 'http_error', unsampled: 'http_error' });
  });
});
