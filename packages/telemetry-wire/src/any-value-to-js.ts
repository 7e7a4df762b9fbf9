/**
 * Converts an OTLP AnyValue (OTLP/JSON shape) to a plain JS value: int64 → number (string when it
 * would lose precision), bytes → base64 string, arrays and key-value lists recursively.
 * Example: `anyValueToJs({ intValue: '42' }) === 42`
 */
export function anyValueToJs(value: unknown): unknown {
  if (!isObject(value)) return undefined;
  if (value.stringValue !== undefined) return value.stringValue;
  if (value.boolValue !== undefined) return value.boolValue;
  if (value.intValue !== undefined) return int64ToJs(value.intValue);
  if (value.doubleValue !== undefined) return Number(value.doubleValue);
  if (value.arrayValue !== undefined) {
    const values = isObject(value.arrayValue) ? value.arrayValue.values : undefined;
    return Array.isArray(values) ? values.map(anyValueToJs) : [];
  }
  if (value.kvlistValue !== undefined) return attributesToObject(isObject(value.kvlistValue) ? value.kvlistValue.values : undefined);
  if (value.bytesValue !== undefined) return value.bytesValue;
  return undefined;
}

/**
 * Turns a repeated KeyValue list into a plain object. Example: `attributesToObject([{ key: 'a', value: { boolValue: true } }])`
 * → `{ a: true }`
 */
export function attributesToObject(keyValues: unknown): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  if (!Array.isArray(keyValues)) return result;
  for (const keyValue of keyValues as unknown[]) {
    if (isObject(keyValue) && typeof keyValue.key === 'string') result[keyValue.key] = anyValueToJs(keyValue.value);
  }
  return result;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object';
}

function int64ToJs(value: unknown): number | string {
  // A JSON number is already a double; re-stringifying it would only invent digits.
  if (typeof value === 'number') return value;
  const asNumber = Number(value);
  return Number.isSafeInteger(asNumber) ? asNumber : String(value);
}
