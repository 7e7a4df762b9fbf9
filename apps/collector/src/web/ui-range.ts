/** The time window a page request asks for (`?range=15m|1h|6h`). */
export interface UiRange {
  name: string;
  start: Date;
  end: Date;
}

const RANGES: Record<string, number> = { '15m': 15 * 60_000, '1h': 60 * 60_000, '6h': 6 * 60 * 60_000 };

/** Unknown values fall back to 15 minutes: the range is a query parameter anyone can send. */
export function parseUiRange(value: string | null, now = new Date()): UiRange {
  const name = value !== null && value in RANGES ? value : '15m';
  return { name, start: new Date(now.getTime() - (RANGES[name] as number)), end: now };
}

/**
 * ClickHouse JSON output gives DateTime/DateTime64 as `YYYY-MM-DD hh:mm:ss[.fraction]` in the
 * column's time zone (UTC in our schema) and 64-bit integers as strings.
 */
export function parseClickHouseTime(value: unknown): number | undefined {
  if (value instanceof Date) return value.getTime();
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value !== 'string') return undefined;
  const match = /^(\d{4}-\d\d-\d\d)[ T](\d\d:\d\d:\d\d)(\.\d+)?(Z|[+-]\d\d:?\d\d)?$/.exec(value.trim());
  if (!match) {
    const ms = Date.parse(value);
    return Number.isFinite(ms) ? ms : undefined;
  }
  const fraction = (match[3] ?? '').slice(0, 4); // ".123": milliseconds are all Date keeps
  const ms = Date.parse(`${match[1]}T${match[2]}${fraction}${match[4] ?? 'Z'}`);
  return Number.isFinite(ms) ? ms : undefined;
}

/** A ClickHouse string literal. */
export function sqlString(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** A DateTime64(3) literal for comparisons with `dt`. */
export function sqlTime(date: Date): string {
  return `fromUnixTimestamp64Milli(${Math.floor(date.getTime())}, 'UTC')`;
}

/** Trace ids we accept from the page: W3C/Sentry 32 hex (Sentry also accepts 16 for legacy ids). */
export const TRACE_ID_PATTERN = /^[0-9a-f]{16,32}$/;
