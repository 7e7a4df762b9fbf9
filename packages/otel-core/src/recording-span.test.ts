import { createContextKey, diag, DiagLogLevel, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, TraceFlags, type Context, type HrTime, type Span, type Tracer } from '@opentelemetry/api';
import { hrTimeToNanoseconds, TraceState } from '@opentelemetry/core';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { ParentBasedSampler, TraceIdRatioBasedSampler, TracerProvider, type ReadableSpan, type SpanLimits, type SpanProcessor } from '@opentelemetry/sdk-trace';
import { afterEach, describe, expect, it } from 'vitest';
import { ParentBasedTracerProvider } from './parent-based-tracer-provider';
import { PooledIdGenerator } from './pooled-id-generator';
import { RecordingSpan } from './recording-span';

/** Every processor call in order, with what the span said about itself at that moment. */
class CallRecorder implements SpanProcessor {
  readonly calls: { call: string; recording: boolean; ended: boolean; context?: Context }[] = [];
  readonly ended: ReadableSpan[] = [];
  onStart(span: Span & ReadableSpan, context: Context): void {
    this.calls.push({ call: 'onStart', recording: span.isRecording(), ended: span.ended, context });
  }
  onEnding(span: Span & ReadableSpan): void {
    // An onEnding processor may still change the span (otel-core's URL redaction does).
    span.setAttribute('set.on.ending', true);
    this.calls.push({ call: 'onEnding', recording: span.isRecording(), ended: span.ended });
  }
  onEnd(span: ReadableSpan): void {
    this.calls.push({ call: 'onEnd', recording: false, ended: span.ended });
    this.ended.push(span);
  }
  forceFlush(): Promise<void> {
    return Promise.resolve();
  }
  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

/** The diag messages, ids replaced so two runs with different ids compare. */
function captureDiag(): string[] {
  const messages: string[] = [];
  const record =
    (level: string) =>
    (message: string, ...args: unknown[]): void => {
      const rest = args.map((arg) => (arg instanceof Error ? `Error: ${arg.message}` : JSON.stringify(arg)));
      messages.push(`${level} ${[message, ...rest].join(' | ')}`.replace(/[0-9a-f]{32}/g, '<trace>').replace(/[0-9a-f]{16}/g, '<span>'));
    };
  diag.setLogger({ error: record('error'), warn: record('warn'), info: record('info'), debug: record('debug'), verbose: record('verbose') }, DiagLogLevel.ALL);
  return messages;
}

const EARLIER = Date.UTC(2001, 0, 1);
const LATER = Date.UTC(2001, 0, 2);
const REQUEST_KEY = createContextKey('request');
/**
 * A start in `performance.now()` milliseconds: 1 ms after this process's time origin, so always in
 * the past (a larger one could still be ahead of a young worker's clock, read as epoch ms then).
 */
const PERFORMANCE_START = 1;

/**
 * An HrTime in nanoseconds without rounding: epoch times are about 1.7e18 ns, past the 2^53 that a
 * number holds exactly, so a difference of two such numbers misses the duration by up to a few hundred ns.
 */
function exactNanos(time: HrTime): bigint {
  return BigInt(time[0]) * 1_000_000_000n + BigInt(time[1]);
}

/** What a processor or an exporter can read of an ended span; times relative to the run. */
function readable(span: ReadableSpan, before: number, after: number) {
  const nanos = (time: HrTime) => hrTimeToNanoseconds(time);
  const when = (time: HrTime) => {
    const millis = nanos(time) / 1e6;
    if (millis >= before - 1 && millis <= after + 1) return 'during the run';
    // A start given in performance milliseconds lands where the wall clock was then, within a
    // millisecond (read now: the wall clock may have drifted from the time origin since).
    if (Math.abs(millis - (PERFORMANCE_START + Date.now() - performance.now())) < 2) return 'the performance start';
    return nanos(time);
  };
  return {
    name: span.name,
    kind: span.kind,
    flags: span.spanContext().traceFlags,
    traceState: span.spanContext().traceState?.serialize(),
    parentSpanId: span.parentSpanContext?.spanId,
    start: when(span.startTime),
    end: when(span.endTime),
    durationNotNegative: nanos(span.duration) >= 0,
    durationIsEndMinusStart: exactNanos(span.duration) === exactNanos(span.endTime) - exactNanos(span.startTime),
    status: span.status,
    attributes: span.attributes,
    events: span.events.map((event) => ({ ...event, time: when(event.time) })),
    links: span.links.map((link) => ({ ...link, context: link.context.spanId })),
    droppedAttributesCount: span.droppedAttributesCount,
    droppedEventsCount: span.droppedEventsCount,
    droppedLinksCount: span.droppedLinksCount,
    ended: span.ended,
    resource: span.resource.attributes,
    instrumentationScope: span.instrumentationScope,
  };
}

const TIGHT_LIMITS: SpanLimits = { attributeCountLimit: 4, attributeValueLengthLimit: 6, eventCountLimit: 2, linkCountLimit: 2, attributePerEventCountLimit: 2, attributePerLinkCountLimit: 1 };
const LINKED = { traceId: 'a'.repeat(32), spanId: 'b'.repeat(16), traceFlags: TraceFlags.SAMPLED };

/** Each script does the same to a span from either provider; what the span does back must match. */
const SCRIPTS: Record<string, (tracer: Tracer, context: Context) => void> = {
  'start attributes and links past their limits, every setter, events, exceptions and links past theirs, status rules, end twice, then use after end': (
    tracer,
    context,
  ) => {
    const span = tracer.startSpan(
      'GET',
      {
        kind: SpanKind.SERVER,
        attributes: { 'a.undefined': undefined, 'a.string': 'x', 'a.invalid': { nested: () => 1 }, 'a.array': [1, 2], 'a.number': 1, 'a.over': 'dropped' },
        links: [
          { context: LINKED, attributes: { first: 1, second: 2 } },
          { context: { ...LINKED, spanId: 'c'.repeat(16) } },
          { context: { ...LINKED, spanId: 'd'.repeat(16) }, attributes: { kept: true } },
        ],
      },
      context,
    );
    span.setAttribute('a.string', 'overwritten');
    span.setAttribute('', 'empty key');
    span.setAttribute('a.undefined.again', undefined);
    span.setAttributes({ 'a.new': 'fits', 'a.past.limit': 'dropped', 'a.other': 'dropped' });
    span.addEvent('with attributes', { one: 1, two: [1, 2], three: 'cut', nested: { no: 1 } });
    span.addEvent('time only', EARLIER);
    span.addEvent('both', { only: true }, LATER);
    span.addEvent('now');
    span.recordException(new TypeError('bad input'));
    span.recordException('just a message', EARLIER);
    span.recordException({ code: 42, message: 'coded' });
    span.recordException({} as Error);
    span.addLink({ context: { ...LINKED, spanId: 'e'.repeat(16) }, attributes: { one: 1, two: 2 } });
    span.addLinks([{ context: { ...LINKED, spanId: 'f'.repeat(16) } }]);
    span.setStatus({ code: SpanStatusCode.UNSET });
    span.setStatus({ code: SpanStatusCode.ERROR, message: 42 as never });
    span.setStatus({ code: SpanStatusCode.ERROR, message: 'failed' });
    span.setStatus({ code: SpanStatusCode.OK });
    span.setStatus({ code: SpanStatusCode.ERROR, message: 'too late: OK is final' });
    span.updateName('GET /users/:id');
    span.end();
    span.end();
    span.setAttribute('after', 'end');
    span.addEvent('after end');
    span.updateName('after end');
    span.setStatus({ code: SpanStatusCode.ERROR });
    span.addLink({ context: LINKED });
  },
  'an attribute overwritten below the count limit, then new ones up to it and past it': (tracer, context) => {
    const span = tracer.startSpan('overwrite', {}, context);
    span.setAttribute('k1', 'first').setAttribute('k1', 'second value, cut to the length limit');
    for (const key of ['k2', 'k3', 'k4', 'k5']) span.setAttribute(key, key.length);
    span.setAttribute('k1', true);
    span.end();
  },
  'start links past their limit, the newest kept': (tracer, context) => {
    const links = ['1', '2', '3'].map((digit) => ({ context: { ...LINKED, spanId: digit.repeat(16) }, attributes: { digit } }));
    tracer.startSpan('linked', { links }, context).end();
  },
  'a start time in performance milliseconds, ended with no time': (tracer, context) => {
    tracer.startSpan('perf start', { startTime: PERFORMANCE_START }, context).end();
  },
  'a start time as a Date and as an HrTime, ended at epoch milliseconds and before its start': (tracer, context) => {
    tracer.startSpan('date start', { startTime: new Date(EARLIER) }, context).end(LATER);
    tracer.startSpan('hrtime start', { startTime: [Math.floor(LATER / 1000), 5] }, context).end(EARLIER);
  },
  'a sampled parent: the child is recorded under it and keeps its trace state': (tracer, context) => {
    const parent = trace.wrapSpanContext({ ...LINKED, isRemote: true, traceState: new TraceState('vendor=1') });
    tracer.startSpan('child', { kind: SpanKind.CLIENT }, trace.setSpan(context, parent)).end();
  },
};

const NO_EVENTS_OR_LINKS: SpanLimits = { eventCountLimit: 0, linkCountLimit: 0 };
const NO_EVENTS_OR_LINKS_SCRIPT = (tracer: Tracer, context: Context) => {
  const span = tracer.startSpan('none allowed', { links: [{ context: LINKED }] }, context);
  span.addEvent('dropped');
  span.addLink({ context: LINKED });
  span.end();
};

function run(kind: 'sdk' | 'ours', limits: SpanLimits, script: (tracer: Tracer, context: Context) => void) {
  const recorder = new CallRecorder();
  const resource = resourceFromAttributes({ 'service.name': 'kira-be' });
  const options = { resource, spanLimits: limits, spanProcessors: [recorder] };
  const provider =
    kind === 'sdk'
      ? new TracerProvider({ ...options, sampler: new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(1) }) })
      : new ParentBasedTracerProvider({ ...options, sampleRatio: 1, idGenerator: new PooledIdGenerator() });
  const diagMessages = captureDiag();
  const context = ROOT_CONTEXT.setValue(REQUEST_KEY, 'the request');
  const before = Date.now();
  script(provider.getTracer('kira', '1.2.3', { schemaUrl: 'https://opentelemetry.io/schemas/1.37.0' }), context);
  const after = Date.now();
  diag.disable();
  return {
    spans: recorder.ended.map((span) => readable(span, before, after)),
    calls: recorder.calls.map(({ context: passed, ...call }) => ({ ...call, sameContext: passed === undefined ? undefined : passed.getValue(REQUEST_KEY) === 'the request' })),
    diag: diagMessages,
    kinds: recorder.ended.map((span) => span instanceof RecordingSpan),
  };
}

describe('RecordingSpan', () => {
  afterEach(() => diag.disable());

  for (const [name, script] of Object.entries(SCRIPTS)) {
    it(`is observably the SDK's span: ${name}`, () => {
      const sdk = run('sdk', TIGHT_LIMITS, script);
      const ours = run('ours', TIGHT_LIMITS, script);
      expect(ours.kinds.every(Boolean)).toBe(true);
      expect(sdk.kinds.some(Boolean)).toBe(false);
      expect(ours.spans).toEqual(sdk.spans);
      expect(ours.calls).toEqual(sdk.calls);
      expect(ours.diag).toEqual(sdk.diag);
      expect(ours.spans.length).toBeGreaterThan(0);
    });
  }

  it("is observably the SDK's span when no events or links are allowed", () => {
    const sdk = run('sdk', NO_EVENTS_OR_LINKS, NO_EVENTS_OR_LINKS_SCRIPT);
    const ours = run('ours', NO_EVENTS_OR_LINKS, NO_EVENTS_OR_LINKS_SCRIPT);
    expect(ours.spans).toEqual(sdk.spans);
    expect(ours.diag).toEqual(sdk.diag);
    expect(ours.spans[0]).toMatchObject({ droppedEventsCount: 1, droppedLinksCount: 2, events: [], links: [] });
  });

  it('keeps what the scripts rely on: limits applied, the processors called in order, the ended span refusing changes', () => {
    const ours = run('ours', TIGHT_LIMITS, SCRIPTS[Object.keys(SCRIPTS)[0]!]!);
    const [span] = ours.spans;
    expect(span).toMatchObject({ name: 'GET /users/:id', status: { code: SpanStatusCode.OK }, ended: true, droppedEventsCount: 5, droppedLinksCount: 3 });
    expect(Object.keys(span!.attributes)).toHaveLength(4);
    expect(span!.attributes['set.on.ending']).toBeUndefined();
    expect(ours.calls.map((call) => call.call)).toEqual(['onStart', 'onEnding', 'onEnd']);
    expect(ours.calls[0]).toMatchObject({ recording: true, ended: false, sameContext: true });
    expect(ours.calls[2]).toMatchObject({ ended: true });
    expect(ours.diag.some((message) => message.includes('You can only call end() on a span once'))).toBe(true);
  });
});
