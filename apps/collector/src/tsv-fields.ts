/**
 * TSV fields for chdb inserts, one encoder per ClickHouse column type, so that any value a client
 * sends lands as its column's type requires instead of failing the INSERT (and with it every other
 * row of the batch).
 *
 * Two things make a field unsafe besides the TSV escapes:
 * - chdb sends `INSERT … FORMAT TabSeparated` with the rows inline in the query text, and the
 *   ClickHouse client scans that whole text for SQL comments carrying test hints
 *   (`-- { serverError 27 }`). A value such as `x -- {error \.}` is read as a malformed hint and
 *   the INSERT fails with `Code: 6 … Could not parse error code in Error: \.` (CANNOT_PARSE_TEXT);
 *   `-- {echo}` prints the query and `-- {serverError N}` expects an error. So every comment
 *   opener (`--`, `//`, `/*`, `#`) is written with a `\xHH` escape, which TSV decodes back.
 * - Numbers and times must parse as the column's type: `-1` or `2.5` in a UInt8, `0.000000005`
 *   (best_effort reads it as a day) or a year past 2262 in a DateTime64(9) each fail the INSERT.
 */

/** Encodes one value as a TSV field. */
export type TsvFieldEncoder = (value: unknown) => string;

/** `\N`: with `input_format_null_as_default` the column's DEFAULT (its extraction from `raw`, or the type's zero). */
const COLUMN_DEFAULT = '\\N';

/** TSV escapes plus the first character of every SQL comment opener (see the module comment). */
const NEEDS_ESCAPE = /[\\\t\n\r\0#]|-(?=-)|\/(?=[/*])/;
const NEEDS_ESCAPE_ALL = new RegExp(NEEDS_ESCAPE.source, 'g');
const ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r', '\0': '\\0', '#': '\\x23', '-': '\\x2D', '/': '\\x2F' };

function escapeText(text: string): string {
  if (!NEEDS_ESCAPE.test(text)) return text;
  return text.replace(NEEDS_ESCAPE_ALL, (character) => ESCAPES[character] ?? character);
}

/** JSON text of an object or array; a bigint inside (never from JSON input) becomes a string of its digits. */
function jsonText(value: unknown): string {
  try {
    return JSON.stringify(value) ?? '';
  } catch {
    return JSON.stringify(value, (_key, inner: unknown) => (typeof inner === 'bigint' ? inner.toString() : inner)) ?? '';
  }
}

/** A String column: strings as they are, numbers and booleans as their text, objects as JSON, Dates as ISO. */
function stringField(value: unknown): string {
  if (value === null || value === undefined) return COLUMN_DEFAULT;
  if (typeof value === 'string') return escapeText(value);
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') return String(value);
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? COLUMN_DEFAULT : value.toISOString();
  return escapeText(jsonText(value));
}

/** The old catch-all, for column types without an encoder of their own (none in the schema today). */
function untypedField(value: unknown): string {
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : COLUMN_DEFAULT;
  if (typeof value === 'boolean') return value ? '1' : '0';
  return stringField(value);
}

const DECIMAL = /^\s*[+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?\s*$/i;

/** A number from a number, bigint, boolean or decimal string; undefined for anything else. */
function numberOf(value: unknown): number | bigint | undefined {
  if (typeof value === 'number' || typeof value === 'bigint') return value;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'string' && DECIMAL.test(value)) return Number(value);
  return undefined;
}

/** Float32/Float64: NaN and ±Infinity as ClickHouse spells them; a non-number is the column default. */
function floatField(value: unknown): string {
  const number = numberOf(value);
  if (number === undefined) return COLUMN_DEFAULT;
  const float = Number(number);
  if (Number.isNaN(float)) return 'nan';
  if (float === Infinity) return 'inf';
  if (float === -Infinity) return '-inf';
  return String(float);
}

/** (U)IntN: the value truncated toward zero and clamped to the type's range; a non-number is the column default. */
function integerField(bits: number, signed: boolean): TsvFieldEncoder {
  const min = signed ? -(1n << BigInt(bits - 1)) : 0n;
  const max = signed ? (1n << BigInt(bits - 1)) - 1n : (1n << BigInt(bits)) - 1n;
  const minNumber = Number(min);
  const maxNumber = Number(max);
  return (value) => {
    if (typeof value === 'number' && Number.isSafeInteger(value) && value >= minNumber && value <= maxNumber) return String(value);
    const number = numberOf(value);
    if (number === undefined || (typeof number === 'number' && Number.isNaN(number))) return COLUMN_DEFAULT;
    let integer: bigint;
    if (typeof number === 'bigint') integer = number;
    else if (number === Infinity) integer = max;
    else if (number === -Infinity) integer = min;
    else integer = BigInt(Math.trunc(number));
    return String(integer < min ? min : integer > max ? max : integer);
  };
}

const NANOS_PER_SECOND = 1_000_000_000;
/** 1900-01-01 00:00:00, the first instant of DateTime64. */
const DATETIME64_MIN_SECONDS = -2_208_988_800;
/** 2299-12-31 23:59:59, the last second of DateTime64 below precision 9. */
const DATETIME64_MAX_SECONDS = 10_413_791_999;
/** 2262-04-11 23:47:16.854775807: DateTime64(9) is an Int64 of nanoseconds. */
const DATETIME64_9_MAX_SECONDS = 9_223_372_036;
const DATETIME64_9_MAX_NANOS = 854_775_807;
/** Unix seconds as text, as `dtFromUnixNanos` / `dtFromDate` write them. */
const UNIX_SECONDS = /^(-?)(\d+)(?:\.(\d+))?$/;

/** An instant as whole unix seconds plus nanoseconds (0 ≤ nanos < 1e9), or undefined when it is none. */
function instantOf(value: unknown): { seconds: number; nanos: number } | undefined {
  if (value instanceof Date || typeof value === 'number') {
    // Dates are milliseconds; plain numbers are unix seconds, like the `dt` strings.
    const millis = value instanceof Date ? value.getTime() : value * 1000;
    if (!Number.isFinite(millis)) return undefined;
    const seconds = Math.floor(millis / 1000);
    return { seconds, nanos: Math.round((millis - seconds * 1000) * 1_000_000) };
  }
  if (typeof value !== 'string') return undefined;
  const match = UNIX_SECONDS.exec(value);
  if (!match) {
    const millis = Date.parse(value);
    return Number.isNaN(millis) ? undefined : instantOf(new Date(millis));
  }
  const whole = Number(match[2]);
  const fraction = Number((match[3] ?? '').slice(0, 9).padEnd(9, '0'));
  if (match[1] !== '-' || fraction === 0) return { seconds: match[1] === '-' ? -whole : whole, nanos: fraction };
  return { seconds: -whole - 1, nanos: NANOS_PER_SECOND - fraction };
}

/**
 * The instant a DateTime64(p) column stores for a value: clamped to the type's range (1900 to
 * 2299, or to 2262-04-11 at precision 9) so a time from a broken clock is stored at the edge
 * instead of failing; undefined for a value that is no time at all (the column default is stored).
 */
export function dateTime64Instant(value: unknown, precision: number): { seconds: number; nanos: number } | undefined {
  const instant = instantOf(value);
  if (instant === undefined) return undefined;
  const maxSeconds = precision >= 9 ? DATETIME64_9_MAX_SECONDS : DATETIME64_MAX_SECONDS;
  const maxNanos = precision >= 9 ? DATETIME64_9_MAX_NANOS : NANOS_PER_SECOND - 1;
  if (instant.seconds < DATETIME64_MIN_SECONDS) return { seconds: DATETIME64_MIN_SECONDS, nanos: 0 };
  if (instant.seconds > maxSeconds || (instant.seconds === maxSeconds && instant.nanos > maxNanos)) return { seconds: maxSeconds, nanos: maxNanos };
  return instant;
}

/**
 * DateTime64(p): `YYYY-MM-DD hh:mm:ss.fff…` (read the same by every `date_time_input_format`) of
 * {@link dateTime64Instant}; `raw` keeps the time as sent. A value that is no time at all is the
 * column default.
 */
function dateTime64Field(precision: number): TsvFieldEncoder {
  return (value) => {
    const instant = dateTime64Instant(value, precision);
    if (instant === undefined) return COLUMN_DEFAULT;
    const { seconds, nanos } = instant;
    const iso = new Date(seconds * 1000).toISOString();
    const fraction = precision > 0 ? `.${String(nanos).padStart(9, '0').slice(0, precision)}` : '';
    return `${iso.slice(0, 10)} ${iso.slice(11, 19)}${fraction}`;
  };
}

const INTEGER_TYPE = /^(U?)Int(8|16|32|64|128|256)$/;
const DATETIME64_TYPE = /^DateTime64\((\d+)/;

/** The precision of a DateTime64 column type (`DateTime64(9, 'UTC')` → 9); undefined for other types. */
export function dateTime64Precision(columnType: string): number | undefined {
  const match = DATETIME64_TYPE.exec(columnType);
  return match ? Number(match[1]) : undefined;
}

/**
 * The encoder for a column of this ClickHouse type (as `system.columns` spells it).
 *
 * @example tsvFieldEncoder('UInt8')(-1) // '0'
 */
export function tsvFieldEncoder(columnType: string): TsvFieldEncoder {
  const type = columnType.replace(/^(?:LowCardinality|Nullable)\((.*)\)$/, '$1').replace(/^(?:LowCardinality|Nullable)\((.*)\)$/, '$1');
  if (type === 'String' || type.startsWith('FixedString(')) return stringField;
  if (type === 'Float32' || type === 'Float64') return floatField;
  const integer = INTEGER_TYPE.exec(type);
  if (integer) return integerField(Number(integer[2]), integer[1] !== 'U');
  const precision = dateTime64Precision(type);
  if (precision !== undefined) return dateTime64Field(precision);
  return untypedField;
}
