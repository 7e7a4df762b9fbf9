import { OtlpDecodeError } from './otlp-decode-error';
import { otlpTypes } from './otlp-proto-root';
import type { OtlpSignal } from './types';

/** The enums an OTLP request carries, by their name in the `.proto` files. */
export type OtlpEnum = 'SpanKind' | 'StatusCode' | 'SeverityNumber' | 'AggregationTemporality';

const ENUM_TYPES: Record<OtlpEnum, string> = {
  SpanKind: 'opentelemetry.proto.trace.v1.Span.SpanKind',
  StatusCode: 'opentelemetry.proto.trace.v1.Status.StatusCode',
  SeverityNumber: 'opentelemetry.proto.logs.v1.SeverityNumber',
  AggregationTemporality: 'opentelemetry.proto.metrics.v1.AggregationTemporality',
};

const enumValues = new Map<OtlpEnum, Readonly<Record<string, number>>>();

/**
 * The names and numbers of an OTLP enum, read from the `.proto` files this package ships (the
 * one table of them in the repository), in the protos' order.
 *
 * @example otlpEnumValues('StatusCode') // { STATUS_CODE_UNSET: 0, STATUS_CODE_OK: 1, STATUS_CODE_ERROR: 2 }
 */
export function otlpEnumValues(name: OtlpEnum): Readonly<Record<string, number>> {
  let values = enumValues.get(name);
  if (values === undefined) {
    values = Object.freeze({ ...otlpTypes().request.traces.root.lookupEnum(ENUM_TYPES[name]).values });
    enumValues.set(name, values);
  }
  return values;
}

/** Where each signal's enum fields sit: the lists down to the item, then the path to each field in it. */
const ENUM_FIELDS: Record<OtlpSignal, { lists: readonly string[]; fields: ReadonlyArray<{ path: readonly string[]; enum: OtlpEnum }> }> = {
  traces: {
    lists: ['resourceSpans', 'scopeSpans', 'spans'],
    fields: [
      { path: ['kind'], enum: 'SpanKind' },
      { path: ['status', 'code'], enum: 'StatusCode' },
    ],
  },
  logs: { lists: ['resourceLogs', 'scopeLogs', 'logRecords'], fields: [{ path: ['severityNumber'], enum: 'SeverityNumber' }] },
  metrics: {
    lists: ['resourceMetrics', 'scopeMetrics', 'metrics'],
    fields: ['sum', 'histogram', 'exponentialHistogram'].map((data) => ({ path: [data, 'aggregationTemporality'], enum: 'AggregationTemporality' as const })),
  },
};

const INTEGER = /^-?\d+$/;

type Json = Record<string, unknown>;

function isJson(value: unknown): value is Json {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * Replaces, in a parsed OTLP/JSON request, every enum value given as a string with its number:
 * `"kind": "SPAN_KIND_SERVER"` → `2`, and an integer string (`"2"`) → `2`. Numbers, null and
 * missing fields stay as they are. Any other value (an unknown name such as `"SERVER"`, a
 * boolean, an object) throws an {@link OtlpDecodeError} naming the field and the value, so the
 * request is answered with 400 and nothing of it is stored.
 *
 * Why: the OTLP spec has senders write enums as integers
 * (https://opentelemetry.io/docs/specs/otlp/#json-protobuf-encoding), but the protobuf JSON
 * mapping (https://protobuf.dev/programming-guides/json/) lets parsers accept the names too, and
 * the OpenTelemetry Collector does. Its pdata JSON unmarshaller,
 * open-telemetry/opentelemetry-collector `pdata/internal/json/iterator.go`, `ReadEnumValue`
 * (since #5928, 2022; as of commit 934999fbab, 2026-08-21), takes a JSON number as it is, looks a
 * string up in the enum's name table (`SpanKind_value`, …) and reports `unknown string value` for
 * a name not in it (`unsupported value type` for anything else); `receiver/otlpreceiver/otlphttp.go`
 * answers an unmarshal error with 400. So an unknown name is refused here the same way, not
 * mapped to 0. Two deliberate differences: integer strings are accepted (the Go collector refuses
 * them; this collector always took them), and null is read as the field's default, as the
 * protobuf JSON mapping says.
 */
export function resolveOtlpJsonEnums(signal: OtlpSignal, request: Json): void {
  const { lists, fields } = ENUM_FIELDS[signal];
  // The index at each list level; the field's path is spelled out only for an error.
  const indexes: number[] = [];
  const where = () => indexes.map((index, depth) => `${lists[depth]}[${index}]`).join('.');
  const visit = (node: unknown, depth: number): void => {
    if (!isJson(node)) return;
    if (depth === lists.length) {
      for (const field of fields) resolveField(node, field.path, field.enum, where);
      return;
    }
    const list = node[lists[depth] as string];
    if (!Array.isArray(list)) return;
    for (let index = 0; index < list.length; index++) {
      indexes[depth] = index;
      visit(list[index], depth + 1);
    }
    indexes.length = depth;
  };
  visit(request, 0);
}

function resolveField(item: Json, path: readonly string[], name: OtlpEnum, where: () => string): void {
  let holder: unknown = item;
  for (const key of path.slice(0, -1)) holder = isJson(holder) ? holder[key] : undefined;
  const key = path[path.length - 1] as string;
  if (!isJson(holder)) return;
  const value = holder[key];
  if (value === undefined || value === null || typeof value === 'number') return;
  const values = otlpEnumValues(name);
  if (typeof value === 'string' && Object.hasOwn(values, value)) holder[key] = values[value];
  else if (typeof value === 'string' && INTEGER.test(value)) holder[key] = Number(value);
  else {
    // A parsed JSON value: stringify always gives its text.
    const shown = JSON.stringify(value);
    throw new OtlpDecodeError(
      `${where()}.${path.join('.')}: ${shown.length > 100 ? `${shown.slice(0, 100)}…` : shown} is no ${name}: give a number or one of ${Object.keys(values).join(', ')}`,
    );
  }
}
