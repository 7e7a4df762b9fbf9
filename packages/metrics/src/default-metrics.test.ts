import { context, logs, metrics, trace } from '@opentelemetry/api';
import { captureDiagWarnings, createTestSdk } from '@kira/test-utils';
import { INSTRUMENTATION_SCOPES, LOG_ATTRIBUTES } from '@kira/conventions';
import { describe, expect, it } from 'vitest';
import { createKiraMetrics, logAIToolExecuted, recordAITool, recordHttpRequest, traceAITool } from './index';

describe('default helpers (global providers)', () => {
  it('are no-ops without an SDK: run the tool, return its result, never throw', async () => {
    expect(trace.getTracerProvider().getTracer('probe').startSpan('probe').isRecording()).toBe(false);
    expect(traceAITool('generateImage', { userId: 'u', threadId: 't' }, () => 'sync')).toBe('sync');
    await expect(traceAITool('generateImage', { userId: 'u', threadId: 't' }, () => Promise.resolve('async'))).resolves.toBe('async');
    const failure = new Error('boom');
    await expect(traceAITool('generateImage', undefined, async () => Promise.reject(failure))).rejects.toBe(failure);
    expect(() => recordAITool('generateImage', true, 10)).not.toThrow();
    expect(() => logAIToolExecuted('generateImage', 'u', 't', 10)).not.toThrow();
    expect(() => recordHttpRequest({ method: 'GET', route: '/', statusCode: 200, durationMs: 1 })).not.toThrow();
  });

  it('keep nothing while there is no SDK: the SDK started later holds only what came after it', async () => {
    // Their cost is measured by `pnpm bench` (packages/benchmarks); a timed assertion here would
    // only measure how busy the machine is. What is checked is that the no-op path keeps no state.
    const seenSpans: boolean[] = [];
    for (let index = 0; index < 1000; index++) {
      expect(
        traceAITool('noop', { userId: 'u', threadId: 't' }, (span) => {
          seenSpans.push(span.isRecording());
          return index;
        }),
      ).toBe(index);
      recordHttpRequest({ method: 'GET', route: `/noop/${index}`, statusCode: 200, durationMs: 1 });
    }
    expect(new Set(seenSpans)).toEqual(new Set([false]));

    const sdk = createTestSdk();
    try {
      expect(await sdk.metric('ai_tool_executions')).toBeUndefined();
      recordAITool('generateImage', true, 10);
      recordHttpRequest({ method: 'GET', route: '/users/:id', statusCode: 200, durationMs: 1 });
      const counter = await sdk.metric('ai_tool_executions');
      expect(counter?.dataPoints.map((point) => [point.attributes['tool_name'], point.value])).toEqual([['generateImage', 1]]);
      const durations = await sdk.metric('http_request_duration_ms');
      expect(durations?.dataPoints.map((point) => point.attributes['http_route'])).toEqual(['/users/:id']);
    } finally {
      await sdk.shutdown();
    }
  });

  it('pick up an SDK registered after first use, and the next one after it is replaced', async () => {
    // Used once before any SDK exists, as a service does at import time.
    recordAITool('early', true, 1);

    const first = createTestSdk();
    try {
      recordAITool('generateImage', true, 10);
      await traceAITool('generateImage', { userId: 'u', threadId: 't' }, () => Promise.resolve('done'));
      recordHttpRequest({ method: 'POST', route: '/chat', statusCode: 201, durationMs: 4 });

      const counter = await first.metric('ai_tool_executions');
      expect(counter?.dataPoints.map((point) => [point.attributes['tool_name'], point.value])).toEqual([['generateImage', 2]]);
      expect((await first.metric('http_request_duration_ms'))?.dataPoints[0]?.attributes).toEqual({
        http_method: 'POST',
        http_route: '/chat',
        http_status_code: 201,
      });
      expect(first.spanByName('execute_tool generateImage')).toBeDefined();
      expect(first.logs()).toHaveLength(1);
    } finally {
      await first.shutdown();
    }

    const second = createTestSdk();
    try {
      recordAITool('upscale', false, 10);
      const counter = await second.metric('ai_tool_executions');
      expect(counter?.dataPoints.map((point) => [point.attributes, point.value])).toEqual([
        [{ tool_name: 'upscale', success: 'false' }, 1],
      ]);
    } finally {
      await second.shutdown();
    }
  });
});

describe('maxToolNames and an SDK started late', () => {
  it('names seen before the SDK starts take no place: the SDK gets the first maxToolNames names it sees', async () => {
    const warnings = captureDiagWarnings(`${INSTRUMENTATION_SCOPES.metrics}:`);
    const capped = createKiraMetrics({ maxToolNames: 3 });
    try {
      for (const name of ['early1', 'early2', 'early3', 'early4']) capped.recordAITool(name, true, 1);
      capped.traceAITool('early5', {}, () => undefined);
      expect(warnings.ours()).toEqual([]);

      const sdk = createTestSdk();
      try {
        capped.recordAITool('a', true, 1);
        capped.traceAITool('b', {}, () => undefined);
        for (const name of ['c', 'early1', 'd']) capped.recordAITool(name, true, 1);
        const counter = await sdk.metric('ai_tool_executions');
        const byTool = Object.fromEntries((counter?.dataPoints ?? []).map((point) => [point.attributes['tool_name'], point.value]));
        expect(byTool).toEqual({ a: 1, b: 1, c: 1, other: 2 });
        expect(warnings.ours().filter((message) => message.includes('distinct tool names'))).toHaveLength(1);
      } finally {
        await sdk.shutdown();
      }
    } finally {
      warnings.stop();
    }
  });
});

describe('traceAITool with telemetry off (no SDK registered)', () => {
  it('still calls an onError hook: it reports errors (to Sentry, say) with telemetry off too', async () => {
    const failure = new Error('tool failed');
    const seen: Array<[unknown, string]> = [];
    const onError = (error: unknown, { toolName }: { toolName: string }) => void seen.push([error, toolName]);
    await expect(traceAITool('generateImage', { onError }, () => Promise.reject(failure))).rejects.toBe(failure);
    expect(() =>
      traceAITool('editImage', { onError }, () => {
        throw failure;
      }),
    ).toThrow(failure);
    expect(seen).toEqual([
      [failure, 'generateImage'],
      [failure, 'editImage'],
    ]);
  });

  it('still warns about a missing tool name', () => {
    const warnings = captureDiagWarnings(`${INSTRUMENTATION_SCOPES.metrics}:`);
    try {
      const helpers = createKiraMetrics();
      expect(helpers.traceAITool('', undefined, () => 'ran')).toBe('ran');
      expect(warnings.ours().filter((message) => message.includes('non-empty tool name'))).toHaveLength(1);
    } finally {
      warnings.stop();
    }
  });

  it('emits the tool log when only a logger provider is registered', () => {
    const sdk = createTestSdk({ registerGlobal: false });
    logs.setGlobalLoggerProvider(sdk.loggerProvider);
    try {
      expect(traceAITool('generateImage', { userId: 'u' }, () => 'done')).toBe('done');
      expect(sdk.logs().map((record) => record.attributes[LOG_ATTRIBUTES.aiToolName])).toEqual(['generateImage']);
    } finally {
      logs.disable();
      void sdk.shutdown();
    }
  });

  it('runs the tool under its parent span when only a context manager is registered, as the API no-op tracer does', async () => {
    const sdk = createTestSdk();
    trace.disable();
    metrics.disable();
    logs.disable();
    try {
      const parent = trace.wrapSpanContext({ traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: 1 });
      const [toolSpanId, activeIsToolSpan] = context.with(trace.setSpan(context.active(), parent), () =>
        traceAITool('generateImage', undefined, (span) => [span.spanContext().spanId, trace.getActiveSpan() === span] as const),
      );
      expect(toolSpanId).toBe(parent.spanContext().spanId);
      expect(activeIsToolSpan).toBe(true);
    } finally {
      await sdk.shutdown();
    }
  });
});
