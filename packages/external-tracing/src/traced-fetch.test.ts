import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { breakContextActive, breakNextContextWith, createTestSdk, freePort, type TestSdk } from '@kira/test-utils';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  EXTERNAL_REQUEST_DURATION_BUCKETS_MS,
  EXTERNAL_REQUEST_DURATION_METRIC,
  ExternalService,
  createTracedFetch,
  tracedFetch,
} from './index';
import { STREAM_CHUNKS, useLocalTestServer } from './local-test-server';

const server = useLocalTestServer();
let sdk: TestSdk;
beforeEach(() => {
  sdk = createTestSdk();
  server.requests.length = 0;
});
afterEach(async () => {
  await sdk.shutdown();
});

type HistogramValue = { count: number; sum: number; buckets: { boundaries: number[]; counts: number[] } };

async function durationPoints(): Promise<Array<{ attributes: Record<string, unknown>; value: HistogramValue }>> {
  const metric = await sdk.metric(EXTERNAL_REQUEST_DURATION_METRIC);
  return (metric?.dataPoints ?? []) as never;
}

/** A fetch that remembers what the real fetch resolved or rejected with, to prove identity. */
function observedFetch() {
  const seen: { result?: Promise<Response> } = {};
  const wrapped: typeof fetch = (input, init) => {
    seen.result = fetch(input, init);
    return seen.result;
  };
  return { fetch: wrapped, seen };
}

const onlySpan = () => {
  expect(sdk.spans()).toHaveLength(1);
  return sdk.spans()[0]!;
};

describe('tracedFetch: spans and metrics', () => {
  it('200: CLIENT span with the contract attributes, response untouched, ok outcome in the histogram', async () => {
    const observed = observedFetch();
    const response = await tracedFetch(
      `${server.url}/ok?q=cat`,
      { method: 'POST', body: '{"prompt":"cat"}', headers: { 'content-type': 'application/json' } },
      { service: ExternalService.OPENAI, operation: 'chat_completion', fetch: observed.fetch },
    );
    expect(response).toBe(await observed.seen.result);
    expect(await response.json()).toEqual({ ok: true });

    const span = onlySpan();
    expect(span.name).toBe('openai chat_completion');
    expect(span.kind).toBe(SpanKind.CLIENT);
    expect(span.instrumentationScope.name).toBe('@kira/external-tracing');
    expect(span.attributes).toEqual({
      'external.service': 'openai',
      'external.operation': 'chat_completion',
      'http.request.method': 'POST',
      'http.method': 'POST',
      'url.full': `${server.url}/ok?q=cat`,
      'http.url': `${server.url}/ok?q=cat`,
      'server.address': '127.0.0.1',
      'server.port': server.port,
      'http.response.status_code': 200,
      'http.status_code': 200,
    });
    expect(span.status.code).toBe(SpanStatusCode.UNSET);
    expect(server.requests[0]?.headers['content-type']).toBe('application/json');

    const metric = await sdk.metric(EXTERNAL_REQUEST_DURATION_METRIC);
    expect(metric?.descriptor).toMatchObject({ name: 'external_request_duration_ms', unit: 'ms' });
    const [point] = await durationPoints();
    expect(point?.attributes).toEqual({ external_service: 'openai', external_operation: 'chat_completion', outcome: 'ok' });
    expect(point?.value.buckets.boundaries).toEqual([...EXTERNAL_REQUEST_DURATION_BUCKETS_MS]);
    expect(point?.value.count).toBe(1);
  });

  it('nests under the active span and sends its traceparent by default', async () => {
    const tracer = sdk.tracerProvider.getTracer('test');
    await tracer.startActiveSpan('handler', async (parent) => {
      await (await tracedFetch(`${server.url}/ok`, undefined, { service: 'fal', operation: 'generate' })).text();
      parent.end();
    });
    const span = sdk.spanByName('fal generate');
    const parent = sdk.spanByName('handler');
    expect(span?.parentSpanContext?.spanId).toBe(parent?.spanContext().spanId);
    expect(server.requests[0]?.headers['traceparent']).toBe(`00-${span?.spanContext().traceId}-${span?.spanContext().spanId}-01`);
  });

  it('sends no traceparent when propagateContext is false, and never overwrites the caller’s own', async () => {
    await (await tracedFetch(`${server.url}/ok`, undefined, { service: 'fal', operation: 'generate', propagateContext: false })).text();
    expect(server.requests[0]?.headers['traceparent']).toBeUndefined();
    expect(sdk.spanByName('fal generate')).toBeDefined();

    const own = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    await (await tracedFetch(`${server.url}/ok`, { headers: { traceparent: own } }, { service: 'fal', operation: 'generate' })).text();
    expect(server.requests[1]?.headers['traceparent']).toBe(own);
  });

  it('keeps a Request input intact (method, headers, body) while adding the trace header', async () => {
    const request = new Request(`${server.url}/ok`, { method: 'PUT', headers: { 'x-custom': 'yes' }, body: 'payload' });
    const response = await tracedFetch(request, undefined, { service: 'replicate', operation: 'upload' });
    expect(response.status).toBe(200);
    expect(server.requests[0]?.method).toBe('PUT');
    expect(server.requests[0]?.headers['x-custom']).toBe('yes');
    expect(server.requests[0]?.headers['traceparent']).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    expect(onlySpan().attributes['http.request.method']).toBe('PUT');
  });

  it('records the method fetch sends under the contract rule: post → POST, patch and PURGE → _OTHER with the original', async () => {
    const methodOf = async (method: string) => {
      sdk.reset();
      await (await tracedFetch(`${server.url}/ok`, { method }, { service: 'openai', operation: 'call' })).text();
      const { attributes } = onlySpan();
      return [attributes['http.request.method'], attributes['http.method'], attributes['http.request.method_original']];
    };
    expect(await methodOf('post')).toEqual(['POST', 'POST', undefined]);
    expect(server.requests.at(-1)?.method).toBe('POST');
    expect(await methodOf('PURGE')).toEqual(['_OTHER', '_OTHER', 'PURGE']);
    expect(server.requests.at(-1)?.method).toBe('PURGE');
    // fetch sends a lowercase `patch` as it is (Node's server rejects it), so it is not PATCH.
    expect(await methodOf('patch')).toEqual(['_OTHER', '_OTHER', 'patch']);
  });

  it('4xx: not an error by default, http_error outcome; errorOnStatus can make it one', async () => {
    await (await tracedFetch(`${server.url}/status/404`, undefined, { service: 'google', operation: 'lookup' })).text();
    const span = onlySpan();
    expect(span.status.code).toBe(SpanStatusCode.UNSET);
    expect(span.attributes['http.response.status_code']).toBe(404);
    expect(span.attributes['http.status_code']).toBe(404);
    expect(span.attributes['error.type']).toBeUndefined();

    sdk.reset();
    await (
      await tracedFetch(`${server.url}/status/404`, undefined, { service: 'google', operation: 'lookup', errorOnStatus: (status) => status >= 400 })
    ).text();
    const strict = onlySpan();
    expect(strict.status.code).toBe(SpanStatusCode.ERROR);
    expect(strict.attributes['error.type']).toBe('404');

    const [point] = await durationPoints();
    expect(point?.attributes['outcome']).toBe('http_error');
    expect(point?.value.count).toBe(2);
  });

  it('429: http_error outcome, span not an error unless errorOnStatus says so', async () => {
    await (await tracedFetch(`${server.url}/status/429`, undefined, { service: 'anthropic', operation: 'messages' })).text();
    expect(onlySpan().status.code).toBe(SpanStatusCode.UNSET);
    sdk.reset();
    await (
      await tracedFetch(`${server.url}/status/429`, undefined, { service: 'anthropic', operation: 'messages', errorOnStatus: (status) => status === 429 || status >= 500 })
    ).text();
    expect(onlySpan().attributes['error.type']).toBe('429');
    expect((await durationPoints()).map((point) => point.attributes['outcome'])).toEqual(['http_error']);
  });

  it('5xx: ERROR status with the status code as error.type; the response is still returned', async () => {
    const response = await tracedFetch(`${server.url}/status/503`, undefined, { service: 'byteplus', operation: 'seedream_edit' });
    expect(response.status).toBe(503);
    expect(await response.json()).toEqual({ error: 'status' });
    const span = onlySpan();
    expect(span.status.code).toBe(SpanStatusCode.ERROR);
    expect(span.attributes['error.type']).toBe('503');
    expect(span.attributes['http.response.status_code']).toBe(503);
    expect((await durationPoints())[0]?.attributes).toEqual({
      external_service: 'byteplus',
      external_operation: 'seedream_edit',
      outcome: 'http_error',
    });
  });

  it('connection refused: ERROR, error.type ECONNREFUSED, exception recorded, original error rethrown', async () => {
    const closedPort = await freePort();
    const observed = observedFetch();
    const call = tracedFetch(`http://127.0.0.1:${closedPort}/v1`, undefined, { service: 'xai', operation: 'chat', fetch: observed.fetch });
    const original = await observed.seen.result!.catch((error: unknown) => error);
    await expect(call).rejects.toBe(original);

    const span = onlySpan();
    expect(span.status.code).toBe(SpanStatusCode.ERROR);
    expect(span.status.message).toMatch(/ECONNREFUSED/);
    expect(span.attributes['error.type']).toBe('ECONNREFUSED');
    expect(span.attributes['http.response.status_code']).toBeUndefined();
    expect(span.attributes['server.port']).toBe(closedPort);
    expect(span.events.some((event) => event.name === 'exception')).toBe(true);
    expect((await durationPoints())[0]?.attributes['outcome']).toBe('network_error');
  });

  it('a custom fetch that throws synchronously: a rejected promise, never a throw, and the failure recorded', async () => {
    const failure = new TypeError('custom fetch refused the input');
    const throwing = (() => {
      throw failure;
    }) as unknown as typeof fetch;
    let call: Promise<Response> | undefined;
    expect(() => {
      call = tracedFetch(`${server.url}/ok`, undefined, { service: 'xai', operation: 'chat', fetch: throwing });
    }).not.toThrow();
    await expect(call).rejects.toBe(failure);
    expect(onlySpan().status.code).toBe(SpanStatusCode.ERROR);
    expect((await durationPoints())[0]?.attributes['outcome']).toBe('network_error');
  });

  it('a custom fetch that answers with a thenable: the response comes through and is recorded', async () => {
    const thenableFetch = ((input: string, init?: RequestInit) => {
      const pending = fetch(input, init);
      return { then: pending.then.bind(pending) };
    }) as unknown as typeof fetch;
    const response = await tracedFetch(`${server.url}/ok`, undefined, { service: 'xai', operation: 'chat', fetch: thenableFetch });
    expect(await response.json()).toEqual({ ok: true });
    expect(onlySpan().attributes['http.response.status_code']).toBe(200);
    expect((await durationPoints())[0]?.attributes['outcome']).toBe('ok');
  });

  it('timeout (AbortSignal.timeout) and abort: TimeoutError / AbortError, network_error outcome', async () => {
    const timedOut = tracedFetch(`${server.url}/slow`, { signal: AbortSignal.timeout(150) }, { service: 'illustrious', operation: 'render' });
    await expect(timedOut).rejects.toMatchObject({ name: 'TimeoutError' });
    expect(onlySpan().attributes['error.type']).toBe('TimeoutError');
    expect(onlySpan().status.code).toBe(SpanStatusCode.ERROR);

    sdk.reset();
    const controller = new AbortController();
    const aborted = tracedFetch(`${server.url}/slow`, { signal: controller.signal }, { service: 'illustrious', operation: 'render' });
    setTimeout(() => controller.abort(), 50);
    await expect(aborted).rejects.toMatchObject({ name: 'AbortError' });
    expect(onlySpan().attributes['error.type']).toBe('AbortError');

    const [point] = await durationPoints();
    expect(point?.attributes['outcome']).toBe('network_error');
    expect(point?.value.count).toBe(2);
  });
});

describe('tracedFetch: streamed bodies', () => {
  async function readAll(response: Response, onChunk?: (index: number) => void): Promise<string> {
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    let text = '';
    for (let index = 0; ; index++) {
      const { done, value } = await reader.read();
      if (done) return text;
      text += decoder.decode(value, { stream: true });
      onChunk?.(index);
    }
  }

  it("endSpanOn 'body': the span ends after the last chunk and the stream arrives intact", async () => {
    const startedAt = performance.now();
    const response = await tracedFetch(`${server.url}/stream`, undefined, { service: 'openai', operation: 'stream_chat', endSpanOn: 'body' });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/event-stream');
    expect(response.url).toBe(`${server.url}/stream`);
    const spansWhileStreaming: number[] = [];
    const text = await readAll(response, () => spansWhileStreaming.push(sdk.spans().length));
    const elapsed = performance.now() - startedAt;

    expect(text).toBe(STREAM_CHUNKS.join(''));
    expect(spansWhileStreaming.length).toBeGreaterThanOrEqual(1);
    expect(spansWhileStreaming.every((count) => count === 0)).toBe(true);
    const span = onlySpan();
    expect(span.status.code).toBe(SpanStatusCode.UNSET);
    const spanMs = span.duration[0] * 1e3 + span.duration[1] / 1e6;
    expect(spanMs).toBeGreaterThanOrEqual(150);
    expect(spanMs).toBeLessThanOrEqual(elapsed + 1);
    const [point] = await durationPoints();
    expect(point?.value.sum).toBeGreaterThanOrEqual(150);
    expect(point?.attributes['outcome']).toBe('ok');
  });

  it("endSpanOn 'body' works with response.text() too", async () => {
    const response = await tracedFetch(`${server.url}/stream`, undefined, { service: 'openai', operation: 'stream_chat', endSpanOn: 'body' });
    expect(await response.text()).toBe(STREAM_CHUNKS.join(''));
    expect(onlySpan().name).toBe('openai stream_chat');
  });

  it("endSpanOn 'headers' (default): the span is over before the body is read", async () => {
    const response = await tracedFetch(`${server.url}/stream`, undefined, { service: 'openai', operation: 'stream_chat' });
    expect(sdk.spans()).toHaveLength(1);
    expect(await response.text()).toBe(STREAM_CHUNKS.join(''));
  });

  it("endSpanOn 'body': a cancelled body ends the span without an error", async () => {
    const response = await tracedFetch(`${server.url}/stream`, undefined, { service: 'openai', operation: 'stream_chat', endSpanOn: 'body' });
    const reader = response.body!.getReader();
    await reader.read();
    expect(sdk.spans()).toHaveLength(0);
    await reader.cancel('user left');
    expect(onlySpan().status.code).toBe(SpanStatusCode.UNSET);
    expect((await durationPoints())[0]?.attributes['outcome']).toBe('ok');
  });

  it("endSpanOn 'body': a stream that breaks mid-way marks the span ERROR with network_error", async () => {
    const response = await tracedFetch(`${server.url}/broken-stream`, undefined, { service: 'openai', operation: 'stream_chat', endSpanOn: 'body' });
    await expect(response.text()).rejects.toThrow();
    const span = onlySpan();
    expect(span.status.code).toBe(SpanStatusCode.ERROR);
    expect(span.attributes['http.response.status_code']).toBe(200);
    expect(typeof span.attributes['error.type']).toBe('string');
    expect((await durationPoints())[0]?.attributes['outcome']).toBe('network_error');
  });

  it("endSpanOn 'body' with no body (HEAD) ends at headers", async () => {
    const response = await tracedFetch(`${server.url}/ok`, { method: 'HEAD' }, { service: 'openai', operation: 'probe', endSpanOn: 'body' });
    expect(response.status).toBe(200);
    expect(onlySpan().attributes['http.request.method']).toBe('HEAD');
  });
});

describe('tracedFetch: redaction and headers', () => {
  it('records a redacted url.full / http.url while the request itself is untouched', async () => {
    const url = `http://127.0.0.1:${server.port}/ok?model=flux&api_key=sk-live-1&X-Amz-Signature=abc#access_token=t`;
    const response = await tracedFetch(url, undefined, { service: 'fal', operation: 'generate', redactQueryParams: ['model'] });
    await response.text();
    const expected = `http://127.0.0.1:${server.port}/ok?model=REDACTED&api_key=REDACTED&X-Amz-Signature=REDACTED`;
    expect(onlySpan().attributes['url.full']).toBe(expected);
    expect(onlySpan().attributes['http.url']).toBe(expected);
    expect(server.requests[0]?.url).toBe('/ok?model=flux&api_key=sk-live-1&X-Amz-Signature=abc');
  });

  it('never records credentials from the userinfo, even when fetch rejects such a URL', async () => {
    const call = tracedFetch(`http://user:pa55@127.0.0.1:${server.port}/ok`, undefined, { service: 'fal', operation: 'generate' });
    await expect(call).rejects.toThrow(TypeError);
    const span = onlySpan();
    expect(span.attributes['url.full']).toBe(`http://REDACTED:REDACTED@127.0.0.1:${server.port}/ok`);
    expect(span.attributes['error.type']).toBe('TypeError');
    const recorded = JSON.stringify({ attributes: span.attributes, events: span.events, status: span.status });
    expect(recorded).toContain('REDACTED:REDACTED@');
    expect(recorded).not.toContain('pa55');
  });

  it('records only allowlisted headers, never credentials', async () => {
    await (
      await tracedFetch(
        `${server.url}/headers`,
        { headers: { authorization: 'Bearer sk-secret', 'x-api-key': 'k', cookie: 'a=b', 'x-trace-me': 'yes', 'x-other': 'no' } },
        {
          service: 'anthropic',
          operation: 'messages',
          recordHeaders: ['X-Trace-Me', 'Authorization', 'x-api-key', 'cookie', 'set-cookie', 'x-request-id', 'retry-after'],
        },
      )
    ).text();
    const attributes = onlySpan().attributes;
    const headerAttributes = Object.fromEntries(Object.entries(attributes).filter(([key]) => key.includes('.header.')));
    expect(headerAttributes).toEqual({
      'http.request.header.x-trace-me': ['yes'],
      'http.response.header.x-request-id': ['req-123'],
      'http.response.header.retry-after': ['7'],
    });
    expect(JSON.stringify(attributes)).not.toMatch(/sk-secret|session=abc/);
    expect(server.requests[0]?.headers['authorization']).toBe('Bearer sk-secret');
  });

  it('never records headers named with a secret key word, and redacts credentials in allowlisted values', async () => {
    const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1c2VyLTEifQ.c2lnbmF0dXJlLXNpZ25hdHVyZQ';
    await (
      await tracedFetch(
        `${server.url}/headers`,
        { headers: { 'x-session-id': 'sess-planted', 'x-forwarded-for': `10.0.0.1 ${jwt}`, 'x-trace-me': 'Bearer abcdefgh12345' } },
        { service: 'openai', operation: 'x', recordHeaders: ['x-session-id', 'x-forwarded-for', 'x-trace-me'] },
      )
    ).text();
    const attributes = onlySpan().attributes;
    expect(attributes['http.request.header.x-session-id']).toBeUndefined();
    expect(attributes['http.request.header.x-forwarded-for']).toEqual(['10.0.0.1 [REDACTED jwt]']);
    expect(attributes['http.request.header.x-trace-me']).toEqual(['Bearer [REDACTED]']);
    expect(JSON.stringify(attributes)).not.toMatch(/sess-planted|abcdefgh12345|c2lnbmF0dXJl/);
    expect(server.requests[0]?.headers['x-session-id']).toBe('sess-planted');
  });

  it('records no headers at all by default', async () => {
    await (await tracedFetch(`${server.url}/headers`, { headers: { 'x-request-id': 'mine' } }, { service: 'openai', operation: 'x' })).text();
    expect(Object.keys(onlySpan().attributes).filter((key) => key.includes('.header.'))).toEqual([]);
  });
});

describe('createTracedFetch', () => {
  it('applies defaults, per-service overrides and call options, adding up the lists', async () => {
    const providerFetch = createTracedFetch({
      service: ExternalService.FAL,
      redactQueryParams: ['model'],
      services: { openai: { propagateContext: false, endSpanOn: 'body' } },
    });

    await (await providerFetch(`${server.url}/ok?model=m&seed=1`, undefined, { operation: 'generate', redactQueryParams: ['seed'] })).text();
    const falSpan = sdk.spanByName('fal generate');
    expect(falSpan?.attributes['url.full']).toBe(`${server.url}/ok?model=REDACTED&seed=REDACTED`);
    expect(server.requests[0]?.headers['traceparent']).toBeDefined();

    const response = await providerFetch(`${server.url}/stream`, undefined, { service: ExternalService.OPENAI, operation: 'stream_chat' });
    expect(sdk.spanByName('openai stream_chat')).toBeUndefined();
    await response.text();
    expect(sdk.spanByName('openai stream_chat')).toBeDefined();
    expect(server.requests[1]?.headers['traceparent']).toBeUndefined();
  });

  it('refuses defaults that are not an options object with the packages\' TypeError, and takes null as none', () => {
    expect(() => createTracedFetch('openai' as never)).toThrow(new TypeError('@kira/external-tracing: createTracedFetch expects an options object, got the string "openai"'));
    expect(() => createTracedFetch([] as never)).toThrow(/^@kira\/external-tracing: createTracedFetch expects an options object, got an array of 0 items$/);
    expect(typeof createTracedFetch(null as never)).toBe('function');
  });
});

describe('robustness', () => {
  it('without service/operation the request still runs, recorded as "unknown"', async () => {
    const response = await tracedFetch(`${server.url}/ok`, undefined, undefined as never);
    expect(response.status).toBe(200);
    expect(onlySpan().name).toBe('unknown unknown');
  });

  it('a throwing errorOnStatus falls back to the default rule', async () => {
    const response = await tracedFetch(`${server.url}/status/500`, undefined, {
      service: 'openai',
      operation: 'x',
      errorOnStatus: () => {
        throw new Error('broken rule');
      },
    });
    expect(response.status).toBe(500);
    expect(onlySpan().status.code).toBe(SpanStatusCode.ERROR);
  });

  it('a context manager whose active() throws: the request still runs, untraced, and its response comes back', async () => {
    // Fault injection: the registered context manager fails when the active context is read.
    const brokenActive = breakContextActive();
    try {
      let call: Promise<Response> | undefined;
      expect(() => {
        call = tracedFetch(`${server.url}/ok`, undefined, { service: 'openai', operation: 'x' });
      }).not.toThrow();
      const response = await call!;
      expect(brokenActive.thrown.length).toBeGreaterThan(0);
      expect(await response.json()).toEqual({ ok: true });
      expect(sdk.spans()).toHaveLength(0);
      expect(server.requests).toHaveLength(1);
    } finally {
      brokenActive.restore();
    }
  });

  it.each([
    ['before starting fetch', 'before'],
    ['after fetch started', 'after'],
  ] as const)('a context manager whose with() throws %s: the request is sent once and its span still recorded', async (_when, breakage) => {
    // Fault injection: the registered context manager's `with` fails before calling fetch, or
    // after it (while restoring the previous context).
    const broken = breakNextContextWith(breakage);
    let response: Response;
    try {
      response = await tracedFetch(`${server.url}/ok`, undefined, { service: 'openai', operation: 'x' });
      expect(broken.thrown).toHaveLength(1);
    } finally {
      broken.restore();
    }
    expect(await response.json()).toEqual({ ok: true });
    expect(server.requests).toHaveLength(1);
    expect(onlySpan().name).toBe('openai x');
    expect((await durationPoints())[0]?.attributes.outcome).toBe('ok');
  });

  it('leaves the caller’s active span untouched after the call', async () => {
    const tracer = sdk.tracerProvider.getTracer('test');
    await tracer.startActiveSpan('outer', async (outer) => {
      await (await tracedFetch(`${server.url}/ok`, undefined, { service: 'openai', operation: 'x' })).text();
      expect(trace.getActiveSpan()).toBe(outer);
      outer.end();
    });
  });
});
