import protobuf from 'protobufjs';
import { otlpTypes } from './otlp-proto-root';

type Json = Record<string, unknown>;

/**
 * True when the JSON text may hold a key spelled as a proto field name with an underscore
 * (`"resource_spans":`): a quoted run of lower-case letters, digits and underscores holding an
 * underscore, then a colon; or an escape that could spell a character of such a name (`\u005f` is
 * `_`, `\u0030`–`\u007a` cover the digits and letters). Every such key matches; a false alarm only
 * costs the walk. Attribute keys and string values
 * (`"key":"user_id",`) are followed by a comma or a closing bracket, so the lowerCamelCase bodies
 * exporters send skip the walk. Linear in the text: a match starts at a quote and cannot run past
 * the next one (starting at each underscore instead, a long run of them would take quadratic time).
 */
const MAY_HOLD_PROTO_FIELD_NAME = /"[a-z0-9]*_[a-z0-9_]*"\s*:|\\u00[3567]/;

let jsonNames: ReadonlyMap<string, string> | undefined;

/**
 * Each proto field name that differs from its JSON name (`resource_spans` → `resourceSpans`), for
 * every message an OTLP export request can hold, read from the shipped `.proto` files.
 *
 * One table for all messages is safe, and renaming every object key found in it is too, because
 * of what is checked here (and fails the first snake_case request, and the package's tests, if new
 * `.proto` files ever break it): every message reachable from the requests is an OTLP one (no
 * `google.protobuf.Struct`/`Any`, whose JSON keys are data), no field is a `map<…>` (whose JSON
 * keys are data; OTLP attributes are `KeyValue` lists, the key a string value), and every JSON name
 * is the protos' default one (no `json_name` option), so a name maps to one JSON name everywhere and
 * no JSON name, having no underscore, is itself a key of the table. So every key of an OTLP/JSON
 * object is a field name, never data. The names are in lower-case letters, digits and underscores,
 * as {@link MAY_HOLD_PROTO_FIELD_NAME} expects.
 */
function protoFieldJsonNames(): ReadonlyMap<string, string> {
  if (jsonNames !== undefined) return jsonNames;
  const names = new Map<string, string>();
  const seen = new Set<protobuf.Type>();
  const visit = (type: protobuf.Type): void => {
    if (seen.has(type)) return;
    seen.add(type);
    if (!type.fullName.startsWith('.opentelemetry.proto.')) throw new Error(`OTLP requests hold ${type.fullName}, whose JSON keys need not be field names`);
    for (const field of type.fieldsArray) {
      if (field.map || field.jsonName !== protobuf.util.jsonName(field.protoName) || !/^[a-z][a-z0-9_]*$/.test(field.protoName)) {
        throw new Error(`${type.fullName}.${field.protoName} is a map, has its own json_name or a name in other characters: OTLP/JSON keys cannot be renamed blindly`);
      }
      if (field.protoName !== field.jsonName) names.set(field.protoName, field.jsonName);
      if (field.resolvedType instanceof protobuf.Type) visit(field.resolvedType);
    }
  };
  for (const type of Object.values(otlpTypes().request)) visit(type);
  jsonNames = names;
  return names;
}

/**
 * A parsed OTLP/JSON request with every key given as its proto field name (`resource_spans`,
 * `trace_id`, `start_time_unix_nano`, `as_double`, `kvlist_value`, …) renamed to the field's
 * lowerCamelCase JSON name, in place where it stood; keys already in lowerCamelCase, unknown keys and
 * every value (attribute keys such as `user_id` are values) are kept as they are. Objects that need
 * a rename are replaced by renamed copies (the request itself too, hence the return value).
 *
 * Why: the protobuf JSON mapping (https://protobuf.dev/programming-guides/json/) has parsers accept
 * both spellings, and the OpenTelemetry Collector does: its pdata JSON unmarshaller,
 * open-telemetry/opentelemetry-collector `pdata/internal/generated_proto_exporttraceservicerequest.go`
 * (`case "resourceSpans", "resource_spans":`) and `generated_proto_span.go` (`case "traceId",
 * "trace_id":`, `case "startTimeUnixNano", "start_time_unix_nano":`, …), one such case for every
 * field of every message (as of commit 934999fbab, 2026-08-21). A body in proto names used to be
 * accepted here with nothing of it read.
 *
 * Both spellings of one field in one object: the one written later wins, as with one key written
 * twice (`JSON.parse` keeps its last value; a spelling written more than once counts where it first
 * stands). The Go collector reads the fields in order too, so for a single-valued field (an id, a
 * time, a name, an enum, one of a oneof) the later one wins there as well; a repeated field given
 * twice it appends to (`spans` and `spans` alike), and a message given twice it merges, where here
 * the later one counts whole.
 *
 * Cost: a regular-expression scan of the text; the walk, and the table (built once per process),
 * only when the text may hold such a key.
 */
export function withOtlpJsonFieldNames(text: string, request: Json): Json {
  if (!MAY_HOLD_PROTO_FIELD_NAME.test(text)) return request;
  const names = protoFieldJsonNames();
  // Object.fromEntries defines the keys (a `__proto__` key stays a key) in their order; of two
  // entries with one name, the later value lands where the earlier one stood.
  const renamed = (object: Json): Json =>
    Object.keys(object).some((key) => names.has(key)) ? Object.fromEntries(Object.entries(object).map(([key, value]) => [names.get(key) ?? key, value])) : object;
  const root = renamed(request);
  // A stack, not recursion: a body nested thousands deep must not overflow the call stack.
  const holders: Array<Json | unknown[]> = [root];
  for (let holder = holders.pop(); holder !== undefined; holder = holders.pop()) {
    const children: Json = holder as Json;
    for (const key of Object.keys(children)) {
      const child = children[key];
      if (child === null || typeof child !== 'object') continue;
      const next = Array.isArray(child) ? child : renamed(child as Json);
      // An own `__proto__` key is a data property: assigning to it sets the value, not the prototype.
      if (next !== child) children[key] = next;
      holders.push(next);
    }
  }
  return root;
}
