import { SpanKind, SpanStatusCode, context, trace, type Span } from '@opentelemetry/api';
import { breakContextActive, breakNextContextWith, captureDiagWarnings, createTestSdk, type DiagWarnings, type TestSdk } from '@kira/test-utils';
import { INSTRUMENTATION_SCOPES } from '@kira/conventions';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  AI_TOOL_DURATION_BUCKETS_MS,
  HTTP_DURATION_BUCKETS_MS,
  METRIC_NAMES,
  createKiraMetrics,
  type KiraMetrics,
} from './index';

let sdk: TestSdk;
let kiraMetrics: KiraMetrics;
let warnings: DiagWarnings;

beforeEach(() => {
  // Global registration gives the AsyncLocalStorage context manager that parent/child tests need;
  // the helpers still get the providers injected, which is what most services will not do.
  sdk = createTestSdk();
  kiraMetrics = createKiraMetrics({
    meterProvider: sdk.meterProvider,
    tracerProvider: sdk.tracerProvider,
    loggerProvider: sdk.loggerProvider,
  });
  warnings = captureDiagWarnings(`${INSTRUMENTATION_SCOPES.metrics}:`);
});

afterEach(async () => {
  warnings.stop();
  await sdk.shutdown();
});

type MetricPoint = { attributes: Record<string, unknown>; value: unknown };

async function points(name: string): Promise<MetricPoint[]> {
  const metric = await sdk.metric(name);
  return (metric?.dataPoints ?? []);
}

function histogramValue(point: MetricPoint | undefined): { count: number; sum: number; buckets: { boundaries: number[]; counts: number[] } } {
  return point?.value as never;
}

const kiraWarnings = () => warnings.ours();

describe('instruments', () => {
  it('exports the contract names and bucket boundaries', () => {
    expect(METRIC_NAMES).toEqual({
      aiToolExecutions: 'ai_tool_executions',
      aiToolDuration: 'ai_tool_duration_ms',
      httpRequestDuration: 'http_request_duration_ms',
      externalRequestDuration: 'external_request_duration_ms',
    });
    expect(AI_TOOL_DURATION_BUCKETS_MS[0]).toBe(100);
    expect(AI_TOOL_DURATION_BUCKETS_MS.at(-1)).toBe(600_000);
    expect(HTTP_DURATION_BUCKETS_MS[0]).toBe(1);
    expect(HTTP_DURATION_BUCKETS_MS.at(-1)).toBe(10_000);
    expect(Object.isFrozen(AI_TOOL_DURATION_BUCKETS_MS)).toBe(true);
  });

  it('recordAITool adds to ai_tool_executions and records ai_tool_duration_ms with exact names, units, attributes and buckets', async () => {
    kiraMetrics.recordAITool('generateImage', true, 1234);
    kiraMetrics.recordAITool('generateImage', false, 90_000);
    kiraMetrics.recordAITool('generateImage', true, 50);

    const counter = await sdk.metric('ai_tool_executions');
    expect(counter?.descriptor).toMatchObject({ name: 'ai_tool_executions', unit: '1' });
    expect(counter?.dataPoints.map((point) => [point.attributes, point.value])).toEqual(
      expect.arrayContaining([
        [{ tool_name: 'generateImage', success: 'true' }, 2],
        [{ tool_name: 'generateImage', success: 'false' }, 1],
      ]),
    );
    expect(counter?.dataPoints).toHaveLength(2);

    const histogram = await sdk.metric('ai_tool_duration_ms');
    expect(histogram?.descriptor).toMatchObject({ name: 'ai_tool_duration_ms', unit: 'ms' });
    expect(histogram?.dataPoints).toHaveLength(1);
    expect(histogram?.dataPoints[0]?.attributes).toEqual({ tool_name: 'generateImage' });
    const value = histogramValue(histogram?.dataPoints[0]);
    expect(value.buckets.boundaries).toEqual([...AI_TOOL_DURATION_BUCKETS_MS]);
    expect(value.count).toBe(3);
    expect(value.sum).toBe(1234 + 90_000 + 50);
    // 50 → first bucket (<= 100), 1234 → (1000, 2500], 90 000 → (60 000, 120 000].
    expect(value.buckets.counts[0]).toBe(1);
    expect(value.buckets.counts[AI_TOOL_DURATION_BUCKETS_MS.indexOf(2_500)]).toBe(1);
    expect(value.buckets.counts[AI_TOOL_DURATION_BUCKETS_MS.indexOf(120_000)]).toBe(1);
  });

  it('recordHttpRequest records http_request_duration_ms with method, route template and status code', async () => {
    kiraMetrics.recordHttpRequest({ method: 'GET', route: '/users/:id', statusCode: 200, durationMs: 3 });
    kiraMetrics.recordHttpRequest({ method: 'GET', route: '/users/:id', statusCode: 200, durationMs: 7 });
    kiraMetrics.recordHttpRequest({ method: 'BREW', route: '/pot', statusCode: 418, durationMs: 1 });
    kiraMetrics.recordHttpRequest({ method: 'patch', route: '/pot', statusCode: 418, durationMs: 1 });

    const histogram = await sdk.metric('http_request_duration_ms');
    expect(histogram?.descriptor).toMatchObject({ name: 'http_request_duration_ms', unit: 'ms' });
    const byRoute = new Map(histogram?.dataPoints.map((point) => [point.attributes['http_route'], point]));
    expect(byRoute.get('/users/:id')?.attributes).toEqual({ http_method: 'GET', http_route: '/users/:id', http_status_code: 200 });
    expect(byRoute.get('/pot')?.attributes).toEqual({ http_method: '_OTHER', http_route: '/pot', http_status_code: 418 });
    expect(histogramValue(byRoute.get('/pot') as MetricPoint).count).toBe(2); // lowercase `patch` is _OTHER too
    const value = histogramValue(byRoute.get('/users/:id'));
    expect(value.buckets.boundaries).toEqual([...HTTP_DURATION_BUCKETS_MS]);
    expect(value.count).toBe(2);
    expect(value.buckets.counts[HTTP_DURATION_BUCKETS_MS.indexOf(5)]).toBe(1);
    expect(value.buckets.counts[HTTP_DURATION_BUCKETS_MS.indexOf(10)]).toBe(1);
  });
});

describe('logAIToolExecuted', () => {
  it('emits the AI tool log record of the telemetry contract', () => {
    kiraMetrics.logAIToolExecuted('generateImage', 'user-1', 'thread-9', 1500);
    const [record] = sdk.logs();
    expect(sdk.logs()).toHaveLength(1);
    expect(record?.body).toBe('AI tool executed: generateImage');
    expect(record?.severityNumber).toBe(9);
    expect(record?.severityText).toBe('INFO');
    expect(record?.attributes).toEqual({
      'ai.tool.name': 'generateImage',
      'user.id': 'user-1',
      'thread.id': 'thread-9',
      'duration.ms': 1500,
    });
    expect(record?.instrumentationScope.name).toBe('@kira/metrics');
  });

  it('carries the active span ids', () => {
    const tracer = sdk.tracerProvider.getTracer('test');
    const parent = tracer.startSpan('request');
    context.with(trace.setSpan(context.active(), parent), () => {
      kiraMetrics.logAIToolExecuted('upscale', 'user-1', 'thread-9', 10);
    });
    parent.end();
    expect(sdk.logs()[0]?.spanContext?.spanId).toBe(parent.spanContext().spanId);
    expect(sdk.logs()[0]?.spanContext?.traceId).toBe(parent.spanContext().traceId);
  });
});

describe('traceAITool', () => {
  it('runs an async tool inside an INTERNAL execute_tool span and records metrics and the log inside it', async () => {
    const result = await kiraMetrics.traceAITool('generateImage', { userId: 'user-1', threadId: 'thread-9', toolCallId: 'call_1' }, async (span) => {
      expect(trace.getActiveSpan()).toBe(span);
      await new Promise((resolve) => setTimeout(resolve, 20));
      return { url: 'https://img/1.png' };
    });
    expect(result).toEqual({ url: 'https://img/1.png' });

    const span = sdk.spanByName('execute_tool generateImage');
    expect(span?.kind).toBe(SpanKind.INTERNAL);
    expect(span?.attributes).toEqual({
      'gen_ai.operation.name': 'execute_tool',
      'gen_ai.tool.name': 'generateImage',
      'ai.tool.name': 'generateImage',
      'user.id': 'user-1',
      'thread.id': 'thread-9',
      'gen_ai.tool.call.id': 'call_1',
    });
    expect(span?.status.code).toBe(SpanStatusCode.UNSET);
    expect(span?.instrumentationScope.name).toBe('@kira/metrics');

    const [log] = sdk.logs();
    expect(log?.body).toBe('AI tool executed: generateImage');
    expect(log?.spanContext?.spanId).toBe(span?.spanContext().spanId);
    expect(log?.attributes['user.id']).toBe('user-1');
    expect(log?.attributes['thread.id']).toBe('thread-9');
    const loggedDuration = log?.attributes['duration.ms'] as number;
    expect(loggedDuration).toBeGreaterThanOrEqual(15);

    const [counterPoint] = await points('ai_tool_executions');
    expect(counterPoint?.attributes).toEqual({ tool_name: 'generateImage', success: 'true' });
    expect(counterPoint?.value).toBe(1);
    const duration = histogramValue((await points('ai_tool_duration_ms'))[0]);
    expect(duration.count).toBe(1);
    expect(duration.sum).toBe(loggedDuration);
  });

  it('keeps a sync tool sync', () => {
    const result = kiraMetrics.traceAITool('sum', { userId: 'u', threadId: 't' }, () => 1 + 2);
    expect(result).toBe(3);
    expect(sdk.spans().map((span) => span.name)).toEqual(['execute_tool sum']);
    expect(sdk.logs()).toHaveLength(1);
  });

  it('records a rejected tool, calls onError inside the open span and rethrows the original error', async () => {
    class QuotaError extends Error {}
    const original = new QuotaError('quota exceeded');
    const hookCalls: Array<{ error: unknown; toolName: string; recording: boolean; active: Span | undefined; span: Span }> = [];

    const run = kiraMetrics.traceAITool(
      'generateImage',
      {
        userId: 'user-1',
        threadId: 'thread-9',
        onError: (error, { toolName, span }) =>
          hookCalls.push({ error, toolName, span, recording: span.isRecording(), active: trace.getActiveSpan() }),
      },
      () => Promise.reject(original),
    );
    await expect(run).rejects.toBe(original);

    const span = sdk.spanByName('execute_tool generateImage');
    expect(span?.status).toEqual({ code: SpanStatusCode.ERROR, message: 'quota exceeded' });
    expect(span?.attributes['error.type']).toBe('QuotaError');
    const exception = span?.events.find((event) => event.name === 'exception');
    expect(exception?.attributes?.['exception.message']).toBe('quota exceeded');

    expect(hookCalls).toHaveLength(1);
    expect(hookCalls[0]?.error).toBe(original);
    expect(hookCalls[0]?.toolName).toBe('generateImage');
    expect(hookCalls[0]?.recording).toBe(true);
    expect(hookCalls[0]?.active).toBe(hookCalls[0]?.span);
    expect(hookCalls[0]?.span.spanContext().spanId).toBe(span?.spanContext().spanId);

    const [counterPoint] = await points('ai_tool_executions');
    expect(counterPoint?.attributes).toEqual({ tool_name: 'generateImage', success: 'false' });
    expect(sdk.logs()[0]?.spanContext?.spanId).toBe(span?.spanContext().spanId);
  });

  it('rethrows a sync throw unchanged even when the onError hook throws', () => {
    const original = new TypeError('bad prompt');
    expect(() =>
      kiraMetrics.traceAITool(
        'caption',
        {
          onError: () => {
            throw new Error('hook is broken');
          },
        },
        () => {
          throw original;
        },
      ),
    ).toThrow(original);
    const span = sdk.spanByName('execute_tool caption');
    expect(span?.attributes['error.type']).toBe('TypeError');
    expect(span?.status.code).toBe(SpanStatusCode.ERROR);
    expect(kiraWarnings().some((message) => message.includes('onError hook threw'))).toBe(true);
  });

  it('uses _OTHER as error.type for thrown non-errors', async () => {
    await expect(
      // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- the case under test: a tool that rejects with a non-Error
      kiraMetrics.traceAITool('legacy', undefined, () => Promise.reject('plain string')),
    ).rejects.toBe('plain string');
    expect(sdk.spanByName('execute_tool legacy')?.attributes['error.type']).toBe('_OTHER');
  });

  it('gives parallel runs their own spans with the right parents', async () => {
    const tracer = sdk.tracerProvider.getTracer('test');
    const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
    const runChat = (thread: string, delays: [number, number]) =>
      tracer.startActiveSpan(`chat ${thread}`, async (chatSpan) => {
        const outer = await kiraMetrics.traceAITool(`plan_${thread}`, { userId: 'u', threadId: thread }, async () => {
          await sleep(delays[0]);
          return kiraMetrics.traceAITool(`render_${thread}`, { userId: 'u', threadId: thread }, async () => {
            await sleep(delays[1]);
            return thread;
          });
        });
        chatSpan.end();
        return outer;
      });

    expect(await Promise.all([runChat('a', [15, 5]), runChat('b', [5, 15])])).toEqual(['a', 'b']);

    const byName = new Map(sdk.spans().map((span) => [span.name, span]));
    for (const thread of ['a', 'b']) {
      const chat = byName.get(`chat ${thread}`);
      const plan = byName.get(`execute_tool plan_${thread}`);
      const render = byName.get(`execute_tool render_${thread}`);
      expect(plan?.parentSpanContext?.spanId).toBe(chat?.spanContext().spanId);
      expect(render?.parentSpanContext?.spanId).toBe(plan?.spanContext().spanId);
      expect(render?.spanContext().traceId).toBe(chat?.spanContext().traceId);
      const renderLog = sdk.logs().find((record) => record.body === `AI tool executed: render_${thread}`);
      expect(renderLog?.spanContext?.spanId).toBe(render?.spanContext().spanId);
      expect(renderLog?.attributes['thread.id']).toBe(thread);
    }
    expect(byName.get('chat a')?.spanContext().traceId).not.toBe(byName.get('chat b')?.spanContext().traceId);
  });

  it('records inputs and outputs only when opted in, serialised safely and capped', async () => {
    await kiraMetrics.traceAITool('quiet', { input: { prompt: 'secret' } }, () => Promise.resolve({ image: 'data' }));
    const quiet = sdk.spanByName('execute_tool quiet');
    expect(quiet?.attributes['gen_ai.tool.call.arguments']).toBeUndefined();
    expect(quiet?.attributes['gen_ai.tool.call.result']).toBeUndefined();

    const cyclic: Record<string, unknown> = { prompt: 'a cat', size: 1024n };
    cyclic['self'] = cyclic;
    const shared = { seed: 7 };
    await kiraMetrics.traceAITool(
      'loud',
      { recordInput: true, input: { cyclic, first: shared, second: shared }, recordOutput: true },
      () => Promise.resolve('ok'),
    );
    const loud = sdk.spanByName('execute_tool loud');
    expect(JSON.parse(loud?.attributes['gen_ai.tool.call.arguments'] as string)).toEqual({
      cyclic: { prompt: 'a cat', size: '1024n', self: '[Circular]' },
      first: { seed: 7 },
      second: { seed: 7 },
    });
    expect(loud?.attributes['gen_ai.tool.call.result']).toBe('ok');

    kiraMetrics.traceAITool('big', { recordOutput: true, maxPayloadBytes: 64 }, () => 'é'.repeat(500));
    const big = sdk.spanByName('execute_tool big')?.attributes['gen_ai.tool.call.result'] as string;
    expect(new TextEncoder().encode(big).length).toBeLessThanOrEqual(64);
    expect(big.endsWith('…[truncated]')).toBe(true);
    expect(big.startsWith('éé')).toBe(true);
  });

  it('records inputs and outputs under the payload rule: secret keys, JWTs, Bearer values and base64 never leave', () => {
    const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1c2VyLTEifQ.c2lnbmF0dXJlLXNpZ25hdHVyZQ';
    const image = `data:image/png;base64,${'iVBORw0KGgoAAAANSUhEUg'.repeat(20)}`;
    kiraMetrics.traceAITool(
      'edit',
      {
        recordInput: true,
        recordOutput: true,
        maxPayloadBytes: 4096,
        input: { prompt: `use ${jwt} please`, password: 'hunter2-planted', apiKey: 'sk-planted', image, nested: { authorization: 'Bearer abcdefgh12345' } },
      },
      () => ({ url: 'https://cdn.example.com/a.png', token: 'result-token-planted', note: 'Bearer abcdefgh12345' }),
    );
    const span = sdk.spanByName('execute_tool edit');
    const input = span?.attributes['gen_ai.tool.call.arguments'] as string;
    const output = span?.attributes['gen_ai.tool.call.result'] as string;
    for (const secret of [jwt, 'hunter2-planted', 'sk-planted', 'iVBORw0KGgoAAAANSUhEUgiVBORw0KGgo', 'abcdefgh12345', 'result-token-planted']) {
      expect(input).not.toContain(secret);
      expect(output).not.toContain(secret);
    }
    expect(JSON.parse(input)).toMatchObject({
      prompt: 'use [REDACTED jwt] please',
      password: '[REDACTED]',
      apiKey: '[REDACTED]',
      image: expect.stringMatching(/^\[base64 image\/png, \d+ B\]$/),
      nested: { authorization: '[REDACTED]' },
    });
    expect(JSON.parse(output)).toEqual({ url: 'https://cdn.example.com/a.png', token: '[REDACTED]', note: 'Bearer [REDACTED]' });

    // A string payload gets the string rules too.
    kiraMetrics.traceAITool('say', { recordInput: true, input: `token ${jwt}`, recordOutput: true }, () => `Bearer ${jwt}`);
    const say = sdk.spanByName('execute_tool say');
    expect(say?.attributes['gen_ai.tool.call.arguments']).toBe('token [REDACTED jwt]');
    expect(say?.attributes['gen_ai.tool.call.result']).toBe('Bearer [REDACTED jwt]');
  });

  it('does not read the input or the result at all when recording is off', async () => {
    let reads = 0;
    const watched = () => ({
      get prompt() {
        reads += 1;
        return 'a cat';
      },
    });
    await kiraMetrics.traceAITool('unrecorded', { input: watched() }, () => Promise.resolve(watched()));
    expect(sdk.spanByName('execute_tool unrecorded')?.attributes['gen_ai.tool.call.arguments']).toBeUndefined();
    expect(reads).toBe(0);
    await kiraMetrics.traceAITool('recorded', { input: watched(), recordInput: true, recordOutput: true }, () => Promise.resolve(watched()));
    expect(reads).toBe(2);
  });

  it('throws a TypeError before any telemetry when fn is not a function', () => {
    expect(() => kiraMetrics.traceAITool('x', {}, 'not a function' as never)).toThrow(TypeError);
    expect(() => kiraMetrics.traceAITool('x', {}, undefined as never)).toThrow(/fn to be a function/);
    expect(sdk.spans()).toHaveLength(0);
  });

  it('runs the tool, untraced, and still records its outcome when the context manager throws on reading the active context (and logAIToolExecuted does not throw)', async () => {
    const hookErrors: unknown[] = [];
    const original = new Error('tool failed');
    // Fault injection: the registered context manager fails when the active context is read.
    const brokenActive = breakContextActive();
    try {
      expect(kiraMetrics.traceAITool('sum', {}, () => 1 + 2)).toBe(3);
      await expect(
        kiraMetrics.traceAITool('upload', { onError: (error) => hookErrors.push(error) }, () => Promise.reject(original)),
      ).rejects.toBe(original);
      expect(() => kiraMetrics.logAIToolExecuted('sum', 'user-1', 'thread-1', 5)).not.toThrow();
      expect(brokenActive.thrown.length).toBeGreaterThan(0);
    } finally {
      brokenActive.restore();
    }
    expect(hookErrors).toEqual([original]);
    expect(sdk.spans()).toHaveLength(0);
    // The log records need the context; they are the only thing dropped.
    expect(sdk.logs()).toHaveLength(0);
    const counted = (await points('ai_tool_executions')).map((point) => [point.attributes.tool_name, point.attributes.success, point.value]);
    expect(counted).toEqual(expect.arrayContaining([['sum', 'true', 1], ['upload', 'false', 1]]));
    expect(kiraWarnings().some((message) => message.includes('running the tool untraced'))).toBe(true);
  });

  it.each([
    ['before running the tool', 'before'],
    ['after the tool returned', 'after'],
  ] as const)('runs the tool once, its span and outcome recorded, when the context manager throws in with() %s', async (_when, breakage) => {
    // Fault injection: the registered context manager's `with` fails before calling each tool, or
    // after it (while restoring the previous context).
    const broken = [breakNextContextWith(breakage)];
    const hookErrors: unknown[] = [];
    const original = new Error('tool failed');
    let runs = 0;
    try {
      expect(
        kiraMetrics.traceAITool('sum', {}, () => {
          runs += 1;
          return 1 + 2;
        }),
      ).toBe(3);
      broken.push(breakNextContextWith(breakage));
      await expect(
        kiraMetrics.traceAITool('upload', { onError: (error) => hookErrors.push(error) }, () => {
          runs += 1;
          return Promise.reject(original);
        }),
      ).rejects.toBe(original);
      expect(broken.map(({ thrown }) => thrown.length)).toEqual([1, 1]);
    } finally {
      for (const attempt of broken) attempt.restore();
    }
    expect(runs).toBe(2);
    expect(hookErrors).toEqual([original]);
    expect(sdk.spans().map((span) => span.name).sort()).toEqual(['execute_tool sum', 'execute_tool upload']);
    const counted = (await points('ai_tool_executions')).map((point) => [point.attributes.tool_name, point.attributes.success, point.value]);
    expect(counted).toEqual(expect.arrayContaining([['sum', 'true', 1], ['upload', 'false', 1]]));
    expect(kiraWarnings().some((message) => message.includes("span's context failed"))).toBe(true);
  });

  it('still runs a tool with no name, recorded as "unknown"', () => {
    expect(kiraMetrics.traceAITool(undefined as never, undefined, () => 42)).toBe(42);
    expect(sdk.spanByName('execute_tool unknown')).toBeDefined();
    expect(kiraWarnings()).toHaveLength(1);
  });
});

describe('bad input and cardinality', () => {
  it('createKiraMetrics(null) uses the defaults, as createKiraMetrics() does (global providers, no throw)', async () => {
    const fromNull = createKiraMetrics(null as never);
    fromNull.recordAITool('generateImage', true, 1234);
    fromNull.recordHttpRequest({ method: 'GET', route: '/users/:id', statusCode: 200, durationMs: 12 });

    expect((await points('ai_tool_executions')).map((point) => [point.attributes['tool_name'], point.value])).toEqual([['generateImage', 1]]);
    expect(await points('http_request_duration_ms')).toHaveLength(1);
    expect(kiraWarnings()).toEqual([]);
  });

  it('recordAITool with garbage records nothing and warns once', async () => {
    kiraMetrics.recordAITool(undefined as never, true, 10);
    kiraMetrics.recordAITool('tool', 'yes' as never, 10);
    kiraMetrics.recordAITool('tool', true, Number.NaN);
    kiraMetrics.recordAITool('tool', true, -1);
    kiraMetrics.recordHttpRequest(undefined as never);
    kiraMetrics.recordHttpRequest({ method: 'GET', route: '/', statusCode: 200, durationMs: Number.POSITIVE_INFINITY });
    kiraMetrics.logAIToolExecuted(42 as never, 'u', 't', 1);

    expect(await sdk.metric('ai_tool_executions')).toBeUndefined();
    expect(await sdk.metric('http_request_duration_ms')).toBeUndefined();
    expect(sdk.logs()).toHaveLength(0);
    // One warning per helper, however often it is misused.
    expect(kiraWarnings()).toHaveLength(3);
  });

  it('folds tool names beyond maxToolNames into "other" in metrics only, with one warning', async () => {
    const capped = createKiraMetrics({ meterProvider: sdk.meterProvider, tracerProvider: sdk.tracerProvider, loggerProvider: sdk.loggerProvider, maxToolNames: 3 });
    for (const name of ['a', 'b', 'c', 'd', 'e', 'a']) {
      capped.traceAITool(name, {}, () => undefined);
    }
    const counterPoints = await points('ai_tool_executions');
    const byTool = Object.fromEntries(counterPoints.map((point) => [point.attributes['tool_name'], point.value]));
    expect(byTool).toEqual({ a: 2, b: 1, c: 1, other: 2 });
    expect(sdk.spans().map((span) => span.name)).toContain('execute_tool e');
    expect(sdk.logs().map((record) => record.attributes['ai.tool.name'])).toContain('d');
    expect(kiraWarnings().filter((message) => message.includes('distinct tool names'))).toHaveLength(1);
  });
});
