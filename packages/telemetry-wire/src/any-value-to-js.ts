/**
 * Converts an OTLP AnyValue (OTLP/JSON shape) to a plain JS value: int64 → number (string when it
 * would lose precision), bytes → base64 string, arrays and key-value lists recursively.
 * Example: `anyValueToJs({ intValue: '42' }) === 42`
 */
export function anyValueToJs(value: any): unknown {
  if (value === null || value === undefined || typeof value !== 'object') return undefined;
  if (value.stringValue !== undefined) return value.stringValue;
  if (value.boolValue !== undefined) return value.boolValue;
  if (value.intValue !== undefined) return int64ToJs(value.intValue);
  if (value.doubleValue !== undefined) return Number(value.doubleValue);
  if (value.arrayValue !== undefined) return (value.arrayValue.values ?? []).map(anyValueToJs);
  if (value.kvlistValue !== undefined) return attributesToObject(value.kvlistValue.values);
  if (value.bytesValue !== undefined) return value.bytesValue;
  return undefined;
}

/**
 * Turns a repeated KeyValue list into a plain object. Example: `attributesToObject([{ key: 'a', value: { boolValue: true } }])`
 * → `{ a: true }`
 */
export function attributesToObject(keyValues: any): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  if (!Array.isArray(keyValues)) return result;
  for (const keyValue of keyValues) {
    if (keyValue && typeof keyValue.key === 'string') result[keyValue.key] = anyValueToJs(keyValue.value);
  }
  return result;
}

function int64ToJs(value: unknown): number | string {
  // A JSON number is already a double; re-stringifying it would only invent digits.
  if (typeof value === 'number') return value;
  const asNumber = Number(value);
  return Number.isSafeInteger(asNumber) ? asNumber : String(value);
}
