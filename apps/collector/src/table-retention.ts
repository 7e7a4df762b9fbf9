import type { Session } from 'chdb';
import { retentionCutoff, retentionFutureLimit, retentionTtlExpression } from '@kira/dashboards/schema';

/**
 * The TTL the schema gives a table, as `system.tables.engine_full` spells it: `toDateTime(dt) + …`,
 * or `dt + …` in a `legacy_metrics` table created before the legacy DDL used the schema's expression.
 */
const TABLE_TTL = /\bTTL (?:toDateTime\(dt\)|dt) \+ toIntervalSecond\((\d+)\)/;

/** The TTL seconds in a table's `engine_full`, or undefined when it has no such TTL. */
export function tableTtlSeconds(engineFull: string): number | undefined {
  const seconds = TABLE_TTL.exec(engineFull)?.[1];
  return seconds === undefined ? undefined : Number(seconds);
}

/** Seconds as `--retention` takes them, in the largest unit that divides them: `7d`, `12h`, `90s`. */
export function formatDuration(seconds: number): string {
  for (const [unit, size] of [['d', 86_400], ['h', 3_600], ['m', 60]] as const) {
    if (seconds % size === 0) return `${seconds / size}${unit}`;
  }
  return `${seconds}s`;
}

/** An instant in whole seconds as an ISO time without the milliseconds: `2106-01-31T06:28:16Z`. */
function isoSeconds(seconds: number): string {
  return new Date(seconds * 1000).toISOString().replace('.000Z', 'Z');
}

/**
 * Gives every table in `tables` the TTL of `ttlSeconds` (the schema's expression), so a data folder
 * created under another `--retention` keeps what the flag now says: tables are created with
 * `CREATE … IF NOT EXISTS` and keep the TTL they were created with otherwise.
 *
 * `ALTER TABLE … MODIFY TTL` changes the table's metadata
 * (https://clickhouse.com/docs/sql-reference/statements/alter/ttl); by default the session setting
 * `materialize_ttl_after_modify` (1, "Apply TTL for old data, after ALTER MODIFY TTL query",
 * https://clickhouse.com/docs/reference/settings/session-settings/materialize) then runs
 * `MATERIALIZE TTL`, which rewrites every part. Turning it off is not enough: each part keeps the
 * TTL info it was written under (`system.parts.delete_ttl_info_max`), and merges go by it, so old
 * parts follow the old TTL (as https://kb.altinity.com/altinity-kb-queries-and-syntax/ttl/modify-ttl/
 * says too). Seen on ClickHouse 26.7: with the setting off, a part written under a TTL of 8 s was
 * dropped 15 s later although the table's TTL had become a day, so a lengthened retention would
 * still lose its rows. The MergeTree setting `materialize_ttl_recalculate_only` ("Only recalculate
 * ttl info when MATERIALIZE TTL",
 * https://clickhouse.com/docs/reference/settings/merge-tree-settings/materialize) makes that
 * `MATERIALIZE TTL` recompute each part's TTL info from `dt` and delete nothing: a wide part's
 * column files are hard-linked into the new part, not rewritten (seen on 26.7); a compact part
 * (one file, parts under `min_bytes_for_wide_part`, 10 MiB) is written anew, which is cheap.
 * Rows past a shortened retention are then removed by the collector's periodic delete (at start,
 * then every 10 minutes) and by TTL merges. The setting stays on the table: it only affects
 * `MATERIALIZE TTL`, which the collector runs nowhere else.
 * chdb runs the ALTER in the session like any query; `mutations_sync = 1` waits for the
 * recalculation, so the parts follow the new TTL before the collector takes rows.
 *
 * Throws when a table cannot be changed, naming it, both TTLs and what to do: the collector then
 * does not start, rather than run with a retention other than the one asked for.
 */
export async function applyRetentionTtl(session: Session, tables: readonly string[], ttlSeconds: number): Promise<void> {
  const described = await session.queryAsync(
    `SELECT name, engine_full FROM system.tables WHERE database = currentDatabase() AND name IN (${tables.map((table) => `'${table}'`).join(', ')})`,
    { format: 'JSONEachRow' },
  );
  const current = new Map<string, number | undefined>();
  for (const line of described.text().split('\n')) {
    if (line.trim() === '') continue;
    const { name, engine_full: engineFull } = JSON.parse(line) as { name: string; engine_full: string };
    current.set(name, tableTtlSeconds(engineFull));
  }
  for (const table of tables) {
    const before = current.get(table);
    if (before === ttlSeconds) continue;
    try {
      await session.queryAsync(`ALTER TABLE ${table} MODIFY SETTING materialize_ttl_recalculate_only = 1`);
      await session.queryAsync(`ALTER TABLE ${table} MODIFY TTL ${retentionTtlExpression(ttlSeconds)} SETTINGS materialize_ttl_after_modify = 1, mutations_sync = 1`);
    } catch (error) {
      const had = before === undefined ? 'has no TTL the collector knows' : `keeps rows ${formatDuration(before)}`;
      const keep = before === undefined ? '' : ` --retention ${formatDuration(before)} to use this data folder as it is, or`;
      throw new Error(
        `could not change the TTL of table ${table} to --retention ${formatDuration(ttlSeconds)} (it ${had}); start with${keep} a new --data-dir. ClickHouse said: ${(error as Error).message.split('\n')[0] ?? ''}`,
        { cause: error },
      );
    }
  }
}

/** Why rows were refused, per kind, for the sender and the stderr report. */
export interface RefusedRows {
  /** Dated before the cutoff: older than the retention. */
  expired: number;
  /** Dated at or after the future limit: their TTL passes 2106. */
  tooLate: number;
}

/**
 * The window of `dt` the tables keep: from {@link retentionCutoff} (rows older are past the
 * retention) to {@link retentionFutureLimit} (rows from then on have a TTL past 2106, where
 * ClickHouse's DateTime ends). Rows outside it would be deleted at once, so the store does not
 * insert them and tells the sender why. Every table has the TTL of `--retention`
 * ({@link applyRetentionTtl} runs before the store takes rows).
 */
export class TableRetention {
  /** Whole unix seconds: rows dated at or after are too far in the future. */
  readonly limitSeconds: number;

  constructor(private readonly ttlSeconds: number) {
    this.limitSeconds = retentionFutureLimit(ttlSeconds).getTime() / 1000;
  }

  /** Whole unix seconds: rows dated before are past the retention at `now` (take it once per request). */
  cutoffSeconds(now: Date = new Date()): number {
    return retentionCutoff(this.ttlSeconds, now).getTime() / 1000;
  }

  /** Why `expired` of `total` rows were not stored (dated before the cutoff), for the OTLP partial success and the stderr report. */
  expiredReason(expired: number, total: number, cutoffSeconds: number): string {
    return `${expired} of ${total} dated before ${isoSeconds(cutoffSeconds)}: older than the collector's retention of ${formatDuration(this.ttlSeconds)}, which ClickHouse deletes at once; a longer --retention keeps such data`;
  }

  /** Why `tooLate` of `total` rows were not stored (dated at or after the future limit). */
  tooLateReason(tooLate: number, total: number): string {
    return `${tooLate} of ${total} dated at or after ${isoSeconds(this.limitSeconds)}: their TTL (dt + the retention of ${formatDuration(this.ttlSeconds)}) would pass 2106-02-07T06:28:15Z, where ClickHouse's DateTime ends, so ClickHouse deletes them at once`;
  }
}
