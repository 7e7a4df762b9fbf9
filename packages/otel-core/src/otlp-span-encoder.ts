import type { Attributes, HrTime, Link } from '@opentelemetry/api';
import type { InstrumentationScope } from '@opentelemetry/core';
import type { Resource } from '@opentelemetry/resources';
import type { ReadableSpan, TimedEvent } from '@opentelemetry/sdk-trace';

// OTLP/protobuf wire format (opentelemetry-proto, trace/v1/trace.proto and common/v1/common.proto):
// https://protobuf.dev/programming-guides/encoding/ for the encoding itself. The field presence
// rules below follow the SDK's own serializer (`@opentelemetry/otlp-transformer` 0.300), so a
// request is byte for byte the one `ProtobufTraceSerializer` would write for the same spans.

const WIRE_VARINT = 0;
const WIRE_FIXED64 = 1;
const WIRE_LENGTH_DELIMITED = 2;
const WIRE_FIXED32 = 5;

/** OTLP span flags: the W3C trace flags plus "is-remote is known" and "parent is remote". */
const SPAN_FLAGS_HAS_IS_REMOTE = 0x100;
const SPAN_FLAGS_IS_REMOTE = 0x200;

const TWO_POW_32 = 2 ** 32;
const MIN_INT64 = -(2 ** 63);
const MAX_INT64_EXCLUSIVE = 2 ** 63;

const utf8 = new TextEncoder();

/** A growing byte buffer with protobuf primitives; reused across batches. */
class ProtoWriter {
  bytes: Uint8Array;
  pos = 0;
  /** Scratch space for a double: DataView writes little-endian whatever the platform's order. */
  private readonly float64Bytes = new Uint8Array(8);
  private readonly float64View = new DataView(this.float64Bytes.buffer);

  constructor(initialBytes: number) {
    this.bytes = new Uint8Array(initialBytes);
  }

  private reserve(count: number): void {
    if (this.pos + count <= this.bytes.length) return;
    let size = this.bytes.length * 2;
    while (size < this.pos + count) size *= 2;
    const grown = new Uint8Array(size);
    grown.set(this.bytes.subarray(0, this.pos));
    this.bytes = grown;
  }

  tag(field: number, wireType: number): void {
    const value = (field << 3) | wireType;
    // Every field number of a span is below 16: its tag is one byte.
    if (value < 128) {
      this.reserve(1);
      this.bytes[this.pos++] = value;
      return;
    }
    this.varint(value);
  }

  /** A non-negative integer up to 2^53, or a negative one as its 64-bit two's complement (10 bytes). */
  varint(value: number): void {
    this.reserve(10);
    const bytes = this.bytes;
    // The write position stays in a local while bytes are written: a field store per byte was
    // most of the encoder's own time (a CPU profile of sampled requests in process, 2026-12-08).
    let pos = this.pos;
    if (value >= 0 && value < TWO_POW_32) {
      let rest = value >>> 0;
      while (rest > 127) {
        bytes[pos++] = (rest & 127) | 128;
        rest >>>= 7;
      }
      bytes[pos++] = rest;
      this.pos = pos;
      return;
    }
    let low: number;
    let high: number;
    if (value >= 0) {
      low = value >>> 0;
      high = Math.floor(value / TWO_POW_32) >>> 0;
    } else {
      const magnitude = -value;
      low = ~(magnitude >>> 0) >>> 0;
      high = ~(Math.floor(magnitude / TWO_POW_32) >>> 0) >>> 0;
      low = (low + 1) >>> 0;
      if (low === 0) high = (high + 1) >>> 0;
    }
    while (high > 0 || low > 127) {
      bytes[pos++] = (low & 127) | 128;
      low = ((low >>> 7) | (high << 25)) >>> 0;
      high >>>= 7;
    }
    bytes[pos++] = low;
    this.pos = pos;
  }

  fixed32(value: number): void {
    this.reserve(4);
    this.littleEndian32(value >>> 0);
  }

  fixed64(low: number, high: number): void {
    this.reserve(8);
    this.littleEndian32(low >>> 0);
    this.littleEndian32(high >>> 0);
  }

  private littleEndian32(value: number): void {
    const bytes = this.bytes;
    const pos = this.pos;
    bytes[pos] = value & 255;
    bytes[pos + 1] = (value >>> 8) & 255;
    bytes[pos + 2] = (value >>> 16) & 255;
    bytes[pos + 3] = value >>> 24;
    this.pos = pos + 4;
  }

  double(value: number): void {
    this.reserve(8);
    this.float64View.setFloat64(0, value, true);
    this.bytes.set(this.float64Bytes, this.pos);
    this.pos += 8;
  }

  /**
   * A string as UTF-8 with its length. Span strings are nearly all ASCII: those are copied in one
   * pass, one byte per character, and the first character above 127 hands the whole text to
   * TextEncoder instead.
   */
  string(text: string): void {
    const length = text.length;
    // The length varint (at most 5 bytes for a string's length) and as many bytes as characters.
    this.reserve(length + 5);
    const bytes = this.bytes;
    let pos = this.pos;
    let rest = length;
    while (rest > 127) {
      bytes[pos++] = (rest & 127) | 128;
      rest >>>= 7;
    }
    bytes[pos++] = rest;
    for (let index = 0; index < length; index++) {
      const code = text.charCodeAt(index);
      if (code > 127) {
        // Nothing is kept of the ASCII attempt: this.pos has not moved.
        this.byteArray(utf8.encode(text));
        return;
      }
      bytes[pos++] = code;
    }
    this.pos = pos;
  }

  byteArray(value: Uint8Array): void {
    this.varint(value.length);
    this.reserve(value.length);
    this.bytes.set(value, this.pos);
    this.pos += value.length;
  }

  /** A trace or span id given in hex, as its bytes (no intermediate array). */
  hexBytes(hex: string): void {
    const length = hex.length >>> 1;
    this.varint(length);
    this.reserve(length);
    const bytes = this.bytes;
    let pos = this.pos;
    for (let index = 0; index < length; index++) {
      bytes[pos++] = (hexDigit(hex.charCodeAt(2 * index)) << 4) | hexDigit(hex.charCodeAt(2 * index + 1));
    }
    this.pos = pos;
  }

  /** Starts a length-delimited field whose length is not known yet; returns where it starts. */
  startMessage(field: number): number {
    this.tag(field, WIRE_LENGTH_DELIMITED);
    this.reserve(1);
    return this.pos++;
  }

  /** Writes the length of the field started at `start`, moving its content when it needs more than one byte. */
  endMessage(start: number): void {
    const length = this.pos - start - 1;
    // Most messages of a span (an attribute, its value, the status) are shorter than 128 bytes.
    if (length < 128) {
      this.bytes[start] = length;
      return;
    }
    const lengthBytes = varintSize(length);
    if (lengthBytes > 1) {
      this.reserve(lengthBytes - 1);
      this.bytes.copyWithin(start + lengthBytes, start + 1, this.pos);
      this.pos += lengthBytes - 1;
    }
    const end = this.pos;
    this.pos = start;
    this.varint(length);
    this.pos = end;
  }

  /** The written bytes, copied (the writer's buffer is reused). */
  copy(): Uint8Array {
    return this.bytes.slice(0, this.pos);
  }
}

function hexDigit(charCode: number): number {
  if (charCode >= 48 && charCode <= 57) return charCode - 48;
  if (charCode >= 97 && charCode <= 102) return charCode - 87;
  return charCode - 55;
}

function varintSize(value: number): number {
  let size = 1;
  while (value >= 128) {
    value = Math.floor(value / 128);
    size++;
  }
  return size;
}

/** HrTime [seconds, nanoseconds] as fixed64 nanoseconds, split so no step loses precision. */
function writeHrTime(writer: ProtoWriter, [seconds, nanoseconds]: HrTime): void {
  const secondsHigh = Math.floor(seconds / 65536);
  const secondsLow = seconds - secondsHigh * 65536;
  // secondsHigh * 1e9 * 2^16: split at 2^16 so each half stays an exact double.
  const highPart = secondsHigh * 1e9;
  const highPartLow32 = (highPart % 65536) * 65536;
  const highPartHigh32 = Math.floor(highPart / 65536);
  const lowPart = secondsLow * 1e9 + nanoseconds;
  const lowPartLow32 = lowPart % TWO_POW_32;
  const lowPartHigh32 = Math.floor(lowPart / TWO_POW_32);
  const low = highPartLow32 + lowPartLow32;
  writer.fixed64(low % TWO_POW_32, highPartHigh32 + lowPartHigh32 + Math.floor(low / TWO_POW_32));
}

function writeAttributes(writer: ProtoWriter, attributes: Attributes, field: number): void {
  for (const key in attributes) {
    if (!Object.prototype.hasOwnProperty.call(attributes, key)) continue;
    const keyValue = writer.startMessage(field);
    writeKeyValue(writer, key, attributes[key]);
    writer.endMessage(keyValue);
  }
}

function writeKeyValue(writer: ProtoWriter, key: string, value: unknown): void {
  writer.tag(1, WIRE_LENGTH_DELIMITED);
  writer.string(key);
  const anyValue = writer.startMessage(2);
  writeAnyValue(writer, value);
  writer.endMessage(anyValue);
}

/** AnyValue: string 1, bool 2, int 3, double 4, array 5, kvlist 6, bytes 7; nothing for null/undefined. */
function writeAnyValue(writer: ProtoWriter, value: unknown): void {
  switch (typeof value) {
    case 'string':
      writer.tag(1, WIRE_LENGTH_DELIMITED);
      writer.string(value);
      return;
    case 'boolean':
      writer.tag(2, WIRE_VARINT);
      writer.varint(value ? 1 : 0);
      return;
    case 'number':
      if (Number.isInteger(value) && value >= MIN_INT64 && value < MAX_INT64_EXCLUSIVE) {
        writer.tag(3, WIRE_VARINT);
        writer.varint(value);
      } else {
        writer.tag(4, WIRE_FIXED64);
        writer.double(value);
      }
      return;
    case 'object':
      break;
    default:
      return;
  }
  if (value instanceof Uint8Array) {
    writer.tag(7, WIRE_LENGTH_DELIMITED);
    writer.byteArray(value);
  } else if (Array.isArray(value)) {
    const array = writer.startMessage(5);
    for (const item of value) {
      const element = writer.startMessage(1);
      writeAnyValue(writer, item);
      writer.endMessage(element);
    }
    writer.endMessage(array);
  } else if (value !== null) {
    const list = writer.startMessage(6);
    const entries = value as Record<string, unknown>;
    for (const key in entries) {
      if (!Object.prototype.hasOwnProperty.call(entries, key)) continue;
      const entry = writer.startMessage(1);
      writeKeyValue(writer, key, entries[key]);
      writer.endMessage(entry);
    }
    writer.endMessage(list);
  }
}

function spanFlags(traceFlags: number, isRemote: boolean | undefined): number {
  return (traceFlags & 0xff) | SPAN_FLAGS_HAS_IS_REMOTE | (isRemote ? SPAN_FLAGS_IS_REMOTE : 0);
}

/** Span: ids 1/2, trace_state 3, parent 4, name 5, kind 6, times 7/8, attributes 9–10, events 11–12, links 13–14, status 15, flags 16. */
function writeSpan(writer: ProtoWriter, span: ReadableSpan, attributes: ReadableSpan['attributes']): void {
  const spanContext = span.spanContext();
  writer.tag(1, WIRE_LENGTH_DELIMITED);
  writer.hexBytes(spanContext.traceId);
  writer.tag(2, WIRE_LENGTH_DELIMITED);
  writer.hexBytes(spanContext.spanId);
  const traceState = spanContext.traceState?.serialize();
  if (traceState) {
    writer.tag(3, WIRE_LENGTH_DELIMITED);
    writer.string(traceState);
  }
  const parent = span.parentSpanContext;
  if (parent?.spanId) {
    writer.tag(4, WIRE_LENGTH_DELIMITED);
    writer.hexBytes(parent.spanId);
  }
  writer.tag(5, WIRE_LENGTH_DELIMITED);
  writer.string(span.name);
  // OTLP's SpanKind starts at UNSPECIFIED = 0, the API's at INTERNAL = 0.
  const kind = span.kind == null ? 0 : span.kind + 1;
  if (kind !== 0) {
    writer.tag(6, WIRE_VARINT);
    writer.varint(kind);
  }
  writer.tag(7, WIRE_FIXED64);
  writeHrTime(writer, span.startTime);
  writer.tag(8, WIRE_FIXED64);
  writeHrTime(writer, span.endTime);
  if (attributes) writeAttributes(writer, attributes, 9);
  writer.tag(10, WIRE_VARINT);
  writer.varint(span.droppedAttributesCount);
  for (const event of span.events) writeEvent(writer, event);
  writer.tag(12, WIRE_VARINT);
  writer.varint(span.droppedEventsCount);
  for (const link of span.links) writeLink(writer, link);
  writer.tag(14, WIRE_VARINT);
  writer.varint(span.droppedLinksCount);
  const status = writer.startMessage(15);
  if (span.status.message) {
    writer.tag(2, WIRE_LENGTH_DELIMITED);
    writer.string(span.status.message);
  }
  writer.tag(3, WIRE_VARINT);
  writer.varint(span.status.code);
  writer.endMessage(status);
  writer.tag(16, WIRE_FIXED32);
  writer.fixed32(spanFlags(spanContext.traceFlags, parent?.isRemote));
}

/** Span.Event (field 11): time 1, name 2, attributes 3, dropped_attributes_count 4. */
function writeEvent(writer: ProtoWriter, event: TimedEvent): void {
  const start = writer.startMessage(11);
  writer.tag(1, WIRE_FIXED64);
  writeHrTime(writer, event.time);
  writer.tag(2, WIRE_LENGTH_DELIMITED);
  writer.string(event.name);
  if (event.attributes) writeAttributes(writer, event.attributes, 3);
  writer.tag(4, WIRE_VARINT);
  writer.varint(event.droppedAttributesCount || 0);
  writer.endMessage(start);
}

/** Span.Link (field 13): ids 1/2, trace_state 3, attributes 4, dropped_attributes_count 5, flags 6. */
function writeLink(writer: ProtoWriter, link: Link): void {
  const start = writer.startMessage(13);
  writer.tag(1, WIRE_LENGTH_DELIMITED);
  writer.hexBytes(link.context.traceId);
  writer.tag(2, WIRE_LENGTH_DELIMITED);
  writer.hexBytes(link.context.spanId);
  const traceState = link.context.traceState?.serialize();
  if (traceState) {
    writer.tag(3, WIRE_LENGTH_DELIMITED);
    writer.string(traceState);
  }
  if (link.attributes) writeAttributes(writer, link.attributes, 4);
  writer.tag(5, WIRE_VARINT);
  writer.varint(link.droppedAttributesCount || 0);
  writer.tag(6, WIRE_FIXED32);
  writer.fixed32(spanFlags(link.context.traceFlags, link.context.isRemote));
  writer.endMessage(start);
}

/** The spans of one (resource, scope) pair, each already written as ScopeSpans field 2. */
interface SpanGroup {
  readonly scope: InstrumentationScope;
  readonly spans: ProtoWriter;
  count: number;
}

/** Resource message body: attributes 1, dropped_attributes_count 2 (always 0, as the SDK writes it). */
function encodeResource(resource: Resource): Uint8Array {
  const writer = new ProtoWriter(1024);
  writeAttributes(writer, resource.attributes, 1);
  writer.tag(2, WIRE_VARINT);
  writer.varint(0);
  return writer.copy();
}

/** InstrumentationScope message body: name 1, version 2, attributes 3, dropped_attributes_count 4. */
function encodeScope(scope: InstrumentationScope & { attributes?: Attributes; droppedAttributesCount?: number }): Uint8Array {
  const writer = new ProtoWriter(256);
  writer.tag(1, WIRE_LENGTH_DELIMITED);
  writer.string(scope.name);
  if (scope.version) {
    writer.tag(2, WIRE_LENGTH_DELIMITED);
    writer.string(scope.version);
  }
  if (scope.attributes) writeAttributes(writer, scope.attributes, 3);
  if (scope.droppedAttributesCount) {
    writer.tag(4, WIRE_VARINT);
    writer.varint(scope.droppedAttributesCount);
  }
  return writer.copy();
}

/** Bytes of `tag + length + body` for a length-delimited field whose body has `length` bytes. */
function fieldSize(field: number, length: number): number {
  return varintSize((field << 3) | WIRE_LENGTH_DELIMITED) + varintSize(length) + length;
}

function stringFieldSize(field: number, text: string | undefined): number {
  // Buffer.byteLength counts a lone surrogate as TextEncoder writes it (U+FFFD, 3 bytes).
  return text ? fieldSize(field, Buffer.byteLength(text, 'utf8')) : 0;
}

/**
 * Builds one OTLP/protobuf `ExportTraceServiceRequest` span by span: {@link append} writes a
 * finished span's bytes at once, so the span object can be collected right away, and {@link take}
 * wraps what was appended in its resource and scope envelopes.
 *
 * Why not the SDK's `ProtobufTraceSerializer`: it needs all spans of a request at once (the batch
 * processor keeps them alive until then), measures the request in a first pass, and allocates a
 * buffer per request and an array per id. Here each span is written once into buffers reused
 * across requests; resources and scopes are encoded once per object.
 */
export class OtlpSpanEncoder {
  private readonly groups = new Map<Resource, Map<InstrumentationScope, SpanGroup>>();
  private readonly encodedResources = new WeakMap<Resource, Uint8Array>();
  private readonly encodedScopes = new WeakMap<InstrumentationScope, Uint8Array>();
  /** Spans appended since the last {@link take}. */
  count = 0;

  /**
   * Writes `span`, with `attributes` in place of its own (a copy taken when it ended); on error
   * nothing of it stays and the error is rethrown.
   */
  append(span: ReadableSpan, attributes: ReadableSpan['attributes'] = span.attributes): void {
    let scopes = this.groups.get(span.resource);
    if (scopes === undefined) {
      scopes = new Map();
      this.groups.set(span.resource, scopes);
    }
    let group = scopes.get(span.instrumentationScope);
    const newGroup = group === undefined;
    if (group === undefined) {
      group = { scope: span.instrumentationScope, spans: new ProtoWriter(16 * 1024), count: 0 };
      scopes.set(span.instrumentationScope, group);
    }
    const start = group.spans.pos;
    try {
      const message = group.spans.startMessage(2);
      writeSpan(group.spans, span, attributes);
      group.spans.endMessage(message);
      if (newGroup) {
        // Encoded (and cached) now, not when the request is built: a resource or scope that
        // cannot be encoded costs this span only.
        this.resourceBytes(span.resource);
        this.scopeBytes(span.instrumentationScope);
      }
    } catch (error) {
      group.spans.pos = start;
      if (group.count === 0) this.forget(span.resource, span.instrumentationScope);
      throw error;
    }
    group.count++;
    this.count++;
  }

  /** The request for every span appended since the last call; undefined when there were none. */
  take(): Uint8Array | undefined {
    if (this.count === 0) return undefined;
    const resources: Array<{ body: number; resource: Resource; encoded: Uint8Array; scopes: Array<{ body: number; group: SpanGroup; encoded: Uint8Array }> }> = [];
    let total = 0;
    for (const [resource, scopes] of this.groups) {
      const encoded = this.resourceBytes(resource);
      let body = fieldSize(1, encoded.length) + stringFieldSize(3, resource.schemaUrl);
      const filled: Array<{ body: number; group: SpanGroup; encoded: Uint8Array }> = [];
      for (const group of scopes.values()) {
        if (group.count === 0) continue;
        const scope = this.scopeBytes(group.scope);
        const scopeBody = fieldSize(1, scope.length) + group.spans.pos + stringFieldSize(3, group.scope.schemaUrl);
        filled.push({ body: scopeBody, group, encoded: scope });
        body += fieldSize(2, scopeBody);
      }
      if (filled.length === 0) continue;
      resources.push({ body, resource, encoded, scopes: filled });
      total += fieldSize(1, body);
    }

    const request = new ProtoWriter(total);
    for (const { body, resource, encoded, scopes } of resources) {
      request.tag(1, WIRE_LENGTH_DELIMITED);
      request.varint(body);
      request.tag(1, WIRE_LENGTH_DELIMITED);
      request.byteArray(encoded);
      for (const { body: scopeBody, group, encoded: scope } of scopes) {
        request.tag(2, WIRE_LENGTH_DELIMITED);
        request.varint(scopeBody);
        request.tag(1, WIRE_LENGTH_DELIMITED);
        request.byteArray(scope);
        request.bytes.set(group.spans.bytes.subarray(0, group.spans.pos), request.pos);
        request.pos += group.spans.pos;
        if (group.scope.schemaUrl) {
          request.tag(3, WIRE_LENGTH_DELIMITED);
          request.string(group.scope.schemaUrl);
        }
      }
      if (resource.schemaUrl) {
        request.tag(3, WIRE_LENGTH_DELIMITED);
        request.string(resource.schemaUrl);
      }
    }
    this.reset();
    return request.pos === request.bytes.length ? request.bytes : request.bytes.subarray(0, request.pos);
  }

  /** Drops every span appended since the last {@link take}. */
  discard(): void {
    this.reset();
  }

  private forget(resource: Resource, scope: InstrumentationScope): void {
    const scopes = this.groups.get(resource);
    scopes?.delete(scope);
    if (scopes?.size === 0) this.groups.delete(resource);
  }

  /** Empties every group; a group that stayed empty for a whole request is forgotten. */
  private reset(): void {
    for (const [resource, scopes] of this.groups) {
      for (const [scope, group] of scopes) {
        if (group.count === 0) scopes.delete(scope);
        group.spans.pos = 0;
        group.count = 0;
      }
      if (scopes.size === 0) this.groups.delete(resource);
    }
    this.count = 0;
  }

  private resourceBytes(resource: Resource): Uint8Array {
    let encoded = this.encodedResources.get(resource);
    if (encoded === undefined) {
      encoded = encodeResource(resource);
      // Attributes still being detected would change: encode them again next time.
      if (!resource.asyncAttributesPending) this.encodedResources.set(resource, encoded);
    }
    return encoded;
  }

  private scopeBytes(scope: InstrumentationScope): Uint8Array {
    let encoded = this.encodedScopes.get(scope);
    if (encoded === undefined) {
      encoded = encodeScope(scope);
      this.encodedScopes.set(scope, encoded);
    }
    return encoded;
  }
}
