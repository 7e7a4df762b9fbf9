import { context, logs, metrics, propagation, SeverityNumber, SpanKind, trace } from '@opentelemetry/api';
import { AlwaysOffSampler } from '@opentelemetry/sdk-trace';
import { DataPointType } from '@opentelemetry/sdk-metrics';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestSdk } from './create-test-sdk';
import type { TestSdk } from './types';

let sdk: TestSdk | undefined;
afterEach(async () => {
  await sdk?.shutdown();
  sdk = undefined;
});

describe('createTestSdk', () => {
  it('records finished spans synchronously, in end order, with parents via AsyncLocalStorage', async () => {
    sdk = createTestSdk({ resourceAttributes: { 'service.name': 'unit' } });
    const tracer = trace.getTracer('test');
    await tracer.startActiveSpan('parent', { kind: SpanKind.SERVER }, async (parent) => {
      await new Promise((resolve) => setTimeout(resolve, 1));
      tracer.startSpan('child').end();
      parent.end();
    });
    expect(sdk.spans().map((span) => span.name)).toEqual(['child', 'parent']);
    const parent = sdk.spanByName('parent')!;
    const child = sdk.spanByName('child')!;
    expect(child.parentSpanContext?.spanId).toBe(parent.spanContext().spanId);
    expect(child.spanContext().traceId).toBe(parent.spanContext().traceId);
    expect(parent.kind).toBe(SpanKind.SERVER);
    expect(parent.resource.attributes['service.name']).toBe('unit');
    sdk.reset();
    expect(sdk.spans()).toEqual([]);
  });

  it('registers the W3C propagator', () => {
    sdk = createTestSdk();
    const span = trace.getTracer('test').startSpan('outbound');
    const carrier: Record<string, string> = {};
    propagation.inject(trace.setSpan(context.active(), span), carrier);
    span.end();
    expect(carrier.traceparent).toBe(`00-${span.spanContext().traceId}-${span.spanContext().spanId}-01`);
  });

  it('records logs with the active span context', () => {
    sdk = createTestSdk();
    const span = trace.getTracer('test').startSpan('with-log');
    context.with(trace.setSpan(context.active(), span), () => {
      logs.getLogger('test').emit({ severityNumber: SeverityNumber.WARN, body: 'careful', attributes: { 'user.id': 'u1' } });
    });
    span.end();
    const [record] = sdk.logs();
    expect(record?.body).toBe('careful');
    expect(record?.severityNumber).toBe(13);
    expect(record?.attributes['user.id']).toBe('u1');
    expect(record?.spanContext?.spanId).toBe(span.spanContext().spanId);
  });

  it('collects cumulative metrics on demand', async () => {
    sdk = createTestSdk();
    const meter = metrics.getMeter('test');
    const counter = meter.createCounter('ai_tool_executions', { unit: '1' });
    counter.add(2, { tool_name: 'edit' });
    counter.add(1, { tool_name: 'edit' });
    meter.createHistogram('ai_tool_duration_ms', { unit: 'ms' }).record(120, { tool_name: 'edit' });
    const executions = await sdk.metric('ai_tool_executions');
    expect(executions?.dataPointType).toBe(DataPointType.SUM);
    expect(executions?.dataPoints[0]?.value).toBe(3);
    counter.add(1, { tool_name: 'edit' });
    expect((await sdk.metric('ai_tool_executions'))?.dataPoints[0]?.value).toBe(4);
    const duration = await sdk.metric('ai_tool_duration_ms');
    expect(duration?.descriptor.unit).toBe('ms');
    expect(await sdk.metric('missing')).toBeUndefined();
  });

  it('honours a sampler and can stay out of the globals', () => {
    sdk = createTestSdk({ sampler: new AlwaysOffSampler(), registerGlobal: false });
    sdk.tracerProvider.getTracer('test').startSpan('dropped').end();
    expect(sdk.spans()).toEqual([]);
    trace.getTracer('global').startSpan('not ours').end();
    expect(sdk.spans()).toEqual([]);
  });

  it('shutdown() unregisters the globals so the next SDK can register', async () => {
    const first = createTestSdk();
    await first.shutdown();
    trace.getTracer('test').startSpan('after shutdown').end();
    expect(first.spans()).toEqual([]);
    sdk = createTestSdk();
    trace.getTracer('test').startSpan('second').end();
    expect(sdk.spanByName('second')).toBeDefined();
  });
});
