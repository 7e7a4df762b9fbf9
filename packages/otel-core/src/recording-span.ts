import {
  diag,
  SpanKind,
  SpanStatusCode,
  type Attributes,
  type AttributeValue,
  type Context,
  type Exception,
  type HrTime,
  type Link,
  type SpanContext,
  type SpanOptions,
  type SpanStatus,
  type TimeInput,
} from '@opentelemetry/api';
import {
  AddAttributeDecision,
  addHrTimes,
  cleanAttributes,
  cleanSimpleAttributes,
  hrTime,
  hrTimeDuration,
  isTimeInput,
  isTimeInputHrTime,
  maybeAddAttribute,
  millisToHrTime,
  type InstrumentationScope,
} from '@opentelemetry/core';
import type { Resource } from '@opentelemetry/resources';
import type { Span, SpanLimits, SpanProcessor, TimedEvent } from '@opentelemetry/sdk-trace';
import { ATTR_EXCEPTION_MESSAGE, ATTR_EXCEPTION_STACKTRACE, ATTR_EXCEPTION_TYPE } from '@opentelemetry/semantic-conventions';

/** What every span of one tracer shares: one reference per span instead of four. */
export interface RecordingSpanScope {
  readonly resource: Resource;
  readonly instrumentationScope: InstrumentationScope;
  readonly limits: Required<SpanLimits>;
  /** Called in order, as the SDK's MultiSpanProcessor calls them. */
  readonly processors: readonly SpanProcessor[];
}

/** The SDK's first cleaning of start attributes, before the sampler sees them: no limits. */
const NO_ATTRIBUTE_LIMITS = { attributeCountLimit: Number.POSITIVE_INFINITY, attributeValueLengthLimit: Number.POSITIVE_INFINITY };
/** The event name the SDK gives `recordException` (the semantic conventions' exception event). */
const EXCEPTION_EVENT_NAME = 'exception';

/**
 * A sampled span, observably the SDK's own (`SpanImpl` of `@opentelemetry/sdk-trace`, which is not
 * exported): the same fields for processors and exporters, the same limits, the same end rules and
 * the same diag messages, built with `@opentelemetry/core`'s attribute and time helpers as the SDK
 * builds it. What it leaves out is what a sampled request pays for without using: the SDK tracer's
 * second pass over the sampler chain, its self-metrics call on a no-op meter, the links copy when
 * there are none and the MultiSpanProcessor in between. On a server that idles between requests
 * each of those is code run cold once per sampled request (see the benchmarks README).
 *
 * Only `ParentBasedTracer` makes these, for the spans `ParentBased(TraceIdRatioBased)` samples.
 */
export class RecordingSpan implements Span {
  name: string;
  readonly kind: SpanKind;
  readonly parentSpanContext: SpanContext | undefined;
  readonly startTime: HrTime;
  // Fresh objects per span, as the SDK's: a processor may change them in place.
  endTime: HrTime = [0, 0];
  status: SpanStatus = { code: SpanStatusCode.UNSET };
  readonly attributes: Attributes;
  readonly links: Link[];
  readonly events: TimedEvent[] = [];
  readonly resource: Resource;
  readonly instrumentationScope: InstrumentationScope;

  private readonly context: SpanContext;
  private readonly scope: RecordingSpanScope;
  /** `Date.now()` and `performance.now()` at the start: the end time is the start plus the elapsed time. */
  private readonly startMillis: number;
  private readonly startPerformanceMillis: number;
  private readonly startTimeProvided: boolean;
  private attributesCount: number;
  private droppedAttributes: number;
  private droppedEvents = 0;
  private droppedLinks = 0;
  private hasEnded = false;
  private elapsed: HrTime = [-1, -1];

  constructor(scope: RecordingSpanScope, spanContext: SpanContext, parentSpanContext: SpanContext | undefined, name: string, options: SpanOptions, context: Context) {
    this.startMillis = Date.now();
    this.startPerformanceMillis = performance.now();
    this.scope = scope;
    this.context = spanContext;
    this.parentSpanContext = parentSpanContext;
    this.name = name;
    this.kind = options.kind ?? SpanKind.INTERNAL;
    this.resource = scope.resource;
    this.instrumentationScope = scope.instrumentationScope;
    this.startTimeProvided = options.startTime != null;
    this.startTime = options.startTime == null ? millisToHrTime(this.startMillis) : this.time(options.startTime);
    const links = options.links;
    this.links = links === undefined ? [] : startLinks(links, scope.limits);
    if (links !== undefined) this.droppedLinks = links.length - this.links.length;
    if (options.attributes === undefined) {
      this.attributes = {};
      this.droppedAttributes = 0;
    } else {
      // The SDK's two passes: cleaned for the sampler without limits, then cut to the span's limits.
      const unlimited = cleanAttributes(options.attributes, NO_ATTRIBUTE_LIMITS);
      const limited = cleanAttributes(unlimited.attributes ?? {}, scope.limits);
      this.attributes = limited.attributes ?? {};
      this.droppedAttributes = (unlimited.droppedAttributesCount ?? 0) + (limited.droppedAttributesCount ?? 0);
    }
    this.attributesCount = Object.keys(this.attributes).length;
    for (const processor of scope.processors) processor.onStart(this, context);
  }

  spanContext(): SpanContext {
    return this.context;
  }

  setAttribute(key: string, value?: AttributeValue): this {
    if (this.refusedAfterEnd()) return this;
    const limits = this.scope.limits;
    const valueType = typeof value;
    if ((valueType === 'string' || valueType === 'number' || valueType === 'boolean') && key.length > 0 && limits.attributeValueLengthLimit > 0) {
      // What maybeAddAttribute decides for a plain value (nearly every attribute), without its walk
      // of nested values, which allocates a WeakSet per call.
      const isNew = !Object.hasOwn(this.attributes, key);
      if (!isNew || this.attributesCount < limits.attributeCountLimit) {
        const cut = valueType === 'string' && (value as string).length > limits.attributeValueLengthLimit;
        this.attributes[key] = cut ? (value as string).substring(0, limits.attributeValueLengthLimit) : value;
        if (isNew) this.attributesCount++;
        return this;
      }
    }
    const decision = maybeAddAttribute({ key, value, attributes: this.attributes, limits, currentAttributesCount: this.attributesCount });
    if (decision === AddAttributeDecision.DROP_LIMIT_REACHED) {
      this.droppedAttributes++;
      if (this.droppedAttributes === 1) diag.warn('Dropping extra attributes.');
    } else if (decision === AddAttributeDecision.ADD_NEW) {
      this.attributesCount++;
    }
    return this;
  }

  setAttributes(attributes: Attributes): this {
    for (const key in attributes) {
      if (Object.hasOwn(attributes, key)) this.setAttribute(key, attributes[key]);
    }
    return this;
  }

  addEvent(name: string, attributesOrStartTime?: Attributes | TimeInput, startTime?: TimeInput): this {
    if (this.refusedAfterEnd()) return this;
    const { eventCountLimit, attributePerEventCountLimit, attributeValueLengthLimit } = this.scope.limits;
    if (eventCountLimit === 0) {
      diag.warn('No events allowed.');
      this.droppedEvents++;
      return this;
    }
    if (this.events.length >= eventCountLimit) {
      if (this.droppedEvents === 0) diag.debug('Dropping extra events.');
      this.events.shift();
      this.droppedEvents++;
    }
    let attributes: Attributes | undefined;
    let time = startTime;
    if (isTimeInput(attributesOrStartTime)) {
      if (!isTimeInput(time)) time = attributesOrStartTime;
    } else {
      attributes = attributesOrStartTime;
    }
    // Event attributes take the "simple" values only (OTEP 4485), as in the SDK.
    const cleaned = cleanSimpleAttributes(attributes, { attributeCountLimit: attributePerEventCountLimit, attributeValueLengthLimit });
    this.events.push({ name, time: this.time(time), ...cleaned });
    return this;
  }

  addLink(link: Link): this {
    if (this.refusedAfterEnd()) return this;
    const { linkCountLimit, attributePerLinkCountLimit, attributeValueLengthLimit } = this.scope.limits;
    if (linkCountLimit === 0) {
      this.droppedLinks++;
      return this;
    }
    if (this.links.length >= linkCountLimit) {
      if (this.droppedLinks === 0) diag.debug('Dropping extra links.');
      this.links.shift();
      this.droppedLinks++;
    }
    this.links.push({ context: link.context, ...cleanAttributes(link.attributes, { attributeCountLimit: attributePerLinkCountLimit, attributeValueLengthLimit }) });
    return this;
  }

  addLinks(links: Link[]): this {
    for (const link of links) this.addLink(link);
    return this;
  }

  setStatus(status: SpanStatus): this {
    if (this.refusedAfterEnd()) return this;
    // UNSET changes nothing, and OK is final (the API's status rules).
    if (status.code === SpanStatusCode.UNSET || this.status.code === SpanStatusCode.OK) return this;
    const next: SpanStatus = { code: status.code };
    if (status.code === SpanStatusCode.ERROR) {
      if (typeof status.message === 'string') next.message = status.message;
      else if (status.message != null) diag.warn(`Dropping invalid status.message of type '${typeof status.message}', expected 'string'`);
    }
    this.status = next;
    return this;
  }

  updateName(name: string): this {
    if (this.refusedAfterEnd()) return this;
    this.name = name;
    return this;
  }

  end(endTime?: TimeInput): void {
    // A second end() warns as any use after end does, then errors, as in the SDK.
    if (this.refusedAfterEnd()) {
      diag.error(`${this.name} ${this.context.traceId}-${this.context.spanId} - You can only call end() on a span once.`);
      return;
    }
    this.endTime = this.time(endTime);
    this.elapsed = hrTimeDuration(this.startTime, this.endTime);
    if (this.elapsed[0] < 0) {
      diag.warn('Inconsistent start and end time, startTime > endTime. Setting span duration to 0ms.', this.startTime, this.endTime);
      this.endTime = [this.startTime[0], this.startTime[1]];
      this.elapsed = [0, 0];
    }
    if (this.droppedEvents > 0) diag.warn(`Dropped ${this.droppedEvents} events because eventCountLimit reached`);
    if (this.droppedLinks > 0) diag.warn(`Dropped ${this.droppedLinks} links because linkCountLimit reached`);
    const processors = this.scope.processors;
    // onEnding sees a span that still takes attributes; onEnd an ended one.
    for (const processor of processors) processor.onEnding?.(this);
    this.hasEnded = true;
    for (const processor of processors) processor.onEnd(this);
  }

  isRecording(): boolean {
    return !this.hasEnded;
  }

  recordException(exception: Exception, time?: TimeInput): void {
    const attributes: Attributes = {};
    if (typeof exception === 'string') {
      attributes[ATTR_EXCEPTION_MESSAGE] = exception;
    } else if (exception) {
      if (exception.code) attributes[ATTR_EXCEPTION_TYPE] = exception.code.toString();
      else if (exception.name) attributes[ATTR_EXCEPTION_TYPE] = exception.name;
      if (exception.message) attributes[ATTR_EXCEPTION_MESSAGE] = exception.message;
      if (exception.stack) attributes[ATTR_EXCEPTION_STACKTRACE] = exception.stack;
    }
    if (attributes[ATTR_EXCEPTION_TYPE] || attributes[ATTR_EXCEPTION_MESSAGE]) this.addEvent(EXCEPTION_EVENT_NAME, attributes, time);
    // eslint-disable-next-line @typescript-eslint/restrict-template-expressions, @typescript-eslint/no-base-to-string -- the SDK's message, "[object Object]" included
    else diag.warn(`Failed to record an exception ${exception}`);
  }

  get duration(): HrTime {
    return this.elapsed;
  }

  get ended(): boolean {
    return this.hasEnded;
  }

  get droppedAttributesCount(): number {
    return this.droppedAttributes;
  }

  get droppedEventsCount(): number {
    return this.droppedEvents;
  }

  get droppedLinksCount(): number {
    return this.droppedLinks;
  }

  /** A time as the SDK reads it: epoch or performance milliseconds, a Date, an HrTime, or now. */
  private time(input: TimeInput | undefined): HrTime {
    // The common case first (`end()` with no time): the start plus the elapsed time, or the wall
    // clock when the start was given (the SDK's rule, whose other checks all fail on undefined).
    if (input === undefined) return this.startTimeProvided ? millisToHrTime(Date.now()) : this.startPlusElapsed();
    if (typeof input === 'number') {
      // Small numbers are `performance.now()` readings, moved onto this span's own clock offset.
      if (input <= performance.now()) return hrTime(input + (this.startMillis - (this.startPerformanceMillis + performance.timeOrigin)));
      return millisToHrTime(input);
    }
    if (input instanceof Date) return millisToHrTime(input.getTime());
    if (isTimeInputHrTime(input)) return input;
    if (this.startTimeProvided) return millisToHrTime(Date.now());
    return this.startPlusElapsed();
  }

  private startPlusElapsed(): HrTime {
    return addHrTimes(this.startTime, millisToHrTime(performance.now() - this.startPerformanceMillis));
  }

  private refusedAfterEnd(): boolean {
    if (this.hasEnded) {
      const where = `{traceId: ${this.context.traceId}, spanId: ${this.context.spanId}}`;
      diag.warn(`Cannot execute the operation on ended Span ${where}`, new Error(`Operation attempted on ended Span ${where}`));
    }
    return this.hasEnded;
  }
}

/** Start links, cleaned as the SDK's tracer cleans them, the newest kept past the count limit. */
function startLinks(links: Link[], limits: Required<SpanLimits>): Link[] {
  const linkAttributeLimits = { attributeCountLimit: limits.attributePerLinkCountLimit, attributeValueLengthLimit: limits.attributeValueLengthLimit };
  const cleaned = links.map((link) => ({ context: link.context, ...cleanAttributes(link.attributes, linkAttributeLimits) }));
  return cleaned.length > limits.linkCountLimit ? cleaned.slice(cleaned.length - limits.linkCountLimit) : cleaned;
}
