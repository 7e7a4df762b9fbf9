import { retentionCutoff, retentionTtlSeconds } from '@kira/dashboards/schema';

/** The TTL the schema gives a table, as `system.tables.engine_full` spells it. */
const TABLE_TTL = /\bTTL toDateTime\(dt\) \+ toIntervalSecond\((\d+)\)/;

/** The TTL seconds in a table's `engine_full`, or undefined when it has no such TTL. */
export function tableTtlSeconds(engineFull: string): number | undefined {
  const seconds = TABLE_TTL.exec(engineFull)?.[1];
  return seconds === undefined ? undefined : Number(seconds);
}

/** Seconds as `--retention` takes them, in the largest unit that divides them: `7d`, `12h`, `90s`. */
function formatDuration(seconds: number): string {
  for (const [unit, size] of [['d', 86_400], ['h', 3_600], ['m', 60]] as const) {
    if (seconds % size === 0) return `${seconds / size}${unit}`;
  }
  return `${seconds}s`;
}

/**
 * How long a table keeps rows: the shorter of the collector's retention (`--retention`, applied by
 * the periodic delete) and the TTL the table was created with (a data folder keeps the TTL of the
 * retention it was created under). A row dated before {@link cutoffSeconds} would be deleted at
 * once, so the store does not insert it and tells the sender why.
 */
export class TableRetention {
  private readonly seconds: number;
  private readonly retentionSeconds: number;

  constructor(
    private readonly table: string,
    retentionDays: number,
    tableTtl: number | undefined,
  ) {
    this.retentionSeconds = retentionTtlSeconds(retentionDays);
    this.seconds = Math.min(this.retentionSeconds, tableTtl ?? Infinity);
  }

  /** Whole unix seconds: rows dated before are past the retention at `now` (take it once per request). */
  cutoffSeconds(now: Date = new Date()): number {
    return retentionCutoff(this.seconds, now).getTime() / 1000;
  }

  /** Why `expired` of `total` rows were not stored, for the OTLP partial success and the stderr report. */
  reason(expired: number, total: number, cutoffSeconds: number): string {
    const dated = `${expired} of ${total} dated before ${new Date(cutoffSeconds * 1000).toISOString().replace('.000Z', 'Z')}`;
    if (this.seconds === this.retentionSeconds) {
      return `${dated}: older than the collector's retention of ${formatDuration(this.seconds)}, which ClickHouse deletes at once; a longer --retention keeps such data`;
    }
    return `${dated}: older than the ${formatDuration(this.seconds)} TTL table ${this.table} was created with, which ClickHouse deletes at once; --retention ${formatDuration(this.retentionSeconds)} does not change the TTL of an existing table, a new --data-dir does`;
  }
}
