/**
 * Parses the `k=v,k2=v2` format shared by `OTEL_EXPORTER_OTLP_HEADERS` and
 * `OTEL_RESOURCE_ATTRIBUTES` (W3C baggage-like, percent-encoded). Bad entries are reported in
 * `invalid` and skipped, so one typo does not drop the rest.
 */
export function parseKeyValueList(raw: string): { values: Record<string, string>; invalid: string[] } {
  const values: Record<string, string> = {};
  const invalid: string[] = [];
  for (const entry of raw.split(',')) {
    if (entry.trim() === '') continue;
    const separator = entry.indexOf('=');
    if (separator <= 0) {
      invalid.push(entry.trim());
      continue;
    }
    try {
      const key = decodeURIComponent(entry.slice(0, separator).trim());
      const value = decodeURIComponent(entry.slice(separator + 1).trim());
      if (key === '') invalid.push(entry.trim());
      else values[key] = value;
    } catch {
      invalid.push(entry.trim());
    }
  }
  return { values, invalid };
}

/**
 * The values of a comma-separated enum list variable (`OTEL_PROPAGATORS`, `OTEL_<SIGNAL>_EXPORTER`):
 * trimmed, lower-cased (the spec's enums are case-insensitive), empty entries and repeats dropped,
 * in the order given.
 */
export function parseEnumList(raw: string): string[] {
  return [...new Set(raw.split(',').map((name) => name.trim().toLowerCase()).filter((name) => name !== ''))];
}
