import { retentionCutoff, retentionFutureLimit, retentionTtlSeconds } from '@kira/dashboards/schema';

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

/** An instant in whole seconds as an ISO time without the milliseconds: `2106-01-31T06:28:16Z`. */
function isoSeconds(seconds: number): string {
  return new Date(seconds * 1000).toISOString().replace('.000Z', 'Z');
}

/** Why rows were refused, per kind, for the sender and the stderr report. */
export interface RefusedRows {
  /** Dated before the cutoff: older than the retention. */
  expired: number;
  /** Dated at or after the future limit: their TTL passes 2106. */
  tooLate: number;
}

/**
 * The window of `dt` a table keeps: from {@link retentionCutoff} (rows older are past the
 * retention) to {@link retentionFutureLimit} (rows from then on have a TTL past 2106, where
 * ClickHouse's DateTime ends). Rows outside it would be deleted at once, so the store does not
 * insert them and tells the sender why. The retention is the shorter of the collector's
 * (`--retention`, applied by the periodic delete) and the TTL the table was created with (a data
 * folder keeps the TTL of the retention it was created under); the future limit is the table's TTL's.
 */
export class TableRetention {
  /** Whole unix seconds: rows dated at or after are too far in the future. */
  readonly limitSeconds: number;
  private readonly seconds: number;
  private readonly retentionSeconds: number;
  private readonly ttlSeconds: number;

  constructor(
    private readonly table: string,
    retentionDays: number,
    tableTtl: number | undefined,
  ) {
    this.retentionSeconds = retentionTtlSeconds(retentionDays);
    this.seconds = Math.min(this.retentionSeconds, tableTtl ?? Infinity);
    this.ttlSeconds = tableTtl ?? this.retentionSeconds;
    this.limitSeconds = retentionFutureLimit(this.ttlSeconds).getTime() / 1000;
  }

  /** Whole unix seconds: rows dated before are past the retention at `now` (take it once per request). */
  cutoffSeconds(now: Date = new Date()): number {
    return retentionCutoff(this.seconds, now).getTime() / 1000;
  }

  /** Why `expired` of `total` rows were not stored (dated before the cutoff), for the OTLP partial success and the stderr report. */
  expiredReason(expired: number, total: number, cutoffSeconds: number): string {
    const dated = `${expired} of ${total} dated before ${isoSeconds(cutoffSeconds)}`;
    if (this.seconds === this.retentionSeconds) {
      return `${dated}: older than the collector's retention of ${formatDuration(this.seconds)}, which ClickHouse deletes at once; a longer --retention keeps such data`;
    }
    return `${dated}: older than the ${formatDuration(this.seconds)} TTL table ${this.table} was created with, which ClickHouse deletes at once; --retention ${formatDuration(this.retentionSeconds)} does not change the TTL of an existing table, a new --data-dir does`;
  }

  /** Why `tooLate` of `total` rows were not stored (dated at or after the future limit). */
  tooLateReason(tooLate: number, total: number): string {
    return `${tooLate} of ${total} dated at or after ${isoSeconds(this.limitSeconds)}: their TTL (dt + the retention of ${formatDuration(this.ttlSeconds)}) would pass 2106-02-07T06:28:15Z, where ClickHouse's DateTime ends, so ClickHouse deletes them at once`;
  }
}
