import { mkdirSync } from 'node:fs';
import { Session } from 'chdb';
import { createLegacySchemaStatements, LEGACY_METRICS_TABLE } from '@kira/dashboards';
import {
  createSchemaStatements,
  defaultIntervalSeconds,
  expandQuery,
  formatDateTimeLiteral,
  type MetricPointInput,
  metricRowsToJsonEachRow,
  type MetricRow,
  retentionCutoff,
  retentionSteps,
  retentionTtlSeconds,
  SeriesMemory,
  TABLES,
  toMetricRow,
} from '@kira/dashboards/schema';
import type { ReportOnce } from '@kira/conventions';
import { checkCodedColumns, checkReadOnlyQuery, queryIdentifiers } from './read-only-query';
import { reportCollectorProblem } from './report-problem';
import { applyRetentionTtl, type RefusedRows, TableRetention } from './table-retention';
import { dateTime64Instant, dateTime64Precision, tsvFieldEncoder, type TsvFieldEncoder } from './tsv-fields';
import type { MetricInsertResult, QueryRange, QueryResult, RecordTable, RowsDropped, Store } from './types';

/** Options of {@link createStore}. */
export interface StoreOptions {
  /** chdb data folder (created when missing). */
  dataDir: string;
  /** Retention in days for TTL and {@link Store.applyRetention}. */
  retentionDays: number;
  /** Group commit: an idle store writes at once, a busy one at most once per this many ms (requests wait for their write). Default 50. */
  flushIntervalMs?: number;
  /** …or as soon as this many rows wait. Default 5000. */
  flushRows?: number;
  /** Longest a `/query` may run (seconds). Default 15. */
  maxQuerySeconds?: number;
  /** Most rows a `/query` returns (the rest is cut off). Default 100 000. */
  maxResultRows?: number;
  /** Rows waiting to be written beyond which inserts are refused with {@link StoreBusyError}. Default 500 000. */
  maxPendingRows?: number;
  /** Where rows not stored (refused by ClickHouse, outside the retention) are reported, once per table and reason. Default: the collector's stderr reporter. */
  report?: ReportOnce;
}

type BufferTable = RecordTable | typeof TABLES.metricPoints;

/** One INSERT target: table, payload format and (for TSV) the column list. */
interface InsertTarget {
  table: BufferTable;
  format: 'JSONEachRow' | 'TSV';
  columns?: string[];
}

interface PendingGroup {
  text: string;
  rows: number;
  resolve: (dropped?: RowsDropped) => void;
  reject: (error: Error) => void;
}

/** A refusal of `/query` (answered with 400 and the message). */
export class QueryRefusedError extends Error {
  override readonly name = 'QueryRefusedError';
}

/** Too many rows wait to be written: the caller should retry later (the collector answers 503 + Retry-After). */
export class StoreBusyError extends Error {
  override readonly name = 'StoreBusyError';
}

/** ClickHouse rejected a query (answered with 400 and ClickHouse's message). */
export class QueryFailedError extends Error {
  override readonly name = 'QueryFailedError';
}

const RECORD_TABLES: ReadonlySet<string> = new Set(['spans', 'logs', 'sentry_events']);

/** `{{source}}` without a table name: the placeholder whose table the store picks. */
const USES_PLAIN_SOURCE = /\{\{\s*source\s*\}\}/i;

/** ClickHouse's "no such column" errors (analyzer and old-style wording), capturing the name. */
const UNKNOWN_IDENTIFIER = /(?:Unknown expression(?: or function)? identifier|Missing columns:) [`']([^`']+)[`']/;

/** Surface functions that expand to unified columns (`label()` → `tags`, `histogramQuantile()` → `bucket_quantiles`). */
const UNIFIED_FUNCTIONS = ['label', 'metricTag', 'histogramQuantile'];

/**
 * Per-minute rollup of `metrics` (same columns and states, `dt` = the minute), filled by a view
 * on `metrics`: a panel over 24 h merges a sixth of the states (points every 10 s) or less.
 * Built from `metrics` itself, so it never drifts from the schema's definition.
 */
const ROLLUP_TABLE = 'metrics_1m';
const ROLLUP_SELECT = `SELECT * REPLACE (toStartOfMinute(dt) AS dt) FROM ${TABLES.metrics}`;
const ROLLUP_STATEMENTS = [
  `CREATE TABLE IF NOT EXISTS ${ROLLUP_TABLE} AS ${TABLES.metrics}`,
  `CREATE MATERIALIZED VIEW IF NOT EXISTS ${ROLLUP_TABLE}_mv TO ${ROLLUP_TABLE} AS ${ROLLUP_SELECT}`,
];

/** Every table with the retention's TTL (metric points land in the last three). */
const TTL_TABLES = [TABLES.spans, TABLES.logs, TABLES.sentryEvents, TABLES.metrics, ROLLUP_TABLE, LEGACY_METRICS_TABLE];

/**
 * Whether `{{source}}` may read the rollup without changing the answer: the query buckets with
 * `{{time}}` in whole minutes and the range starts and ends on a minute, so every bucket (and the
 * `dt BETWEEN` filter) covers whole minutes.
 */
function readsWholeMinutes(sql: string, range: QueryRange): boolean {
  if (!/\{\{\s*time\s*\}\}/i.test(sql)) return false;
  const interval = range.intervalSeconds ?? defaultIntervalSeconds(range.startTime, range.endTime);
  return interval % 60 === 0 && range.startTime.getTime() % 60_000 === 0 && range.endTime.getTime() % 60_000 === 0;
}

/** A table's share of the periodic retention delete (the schema's own tables' is in `retentionSteps`). */
function extraRetentionStep(table: string, retentionDays: number): { countSql: string; deleteSql: string } {
  const cutoff = formatDateTimeLiteral(retentionCutoff(retentionTtlSeconds(retentionDays)));
  return {
    countSql: `SELECT count() AS n FROM ${table} WHERE dt < ${cutoff}`,
    deleteSql: `ALTER TABLE ${table} DELETE WHERE dt < ${cutoff} SETTINGS mutations_sync = 1`,
  };
}

/**
 * Opens (or creates) the chdb database in `dataDir`, applies the schema (unified, legacy, rollup)
 * and returns the store. chdb allows one data folder per process, so there is one store per process.
 */
export async function createStore(options: StoreOptions): Promise<Store> {
  const ttlSeconds = retentionTtlSeconds(options.retentionDays);
  mkdirSync(options.dataDir, { recursive: true });
  const session = new Session(options.dataDir);
  try {
    const legacy = createLegacySchemaStatements({ retentionDays: options.retentionDays });
    for (const statement of [...createSchemaStatements({ retentionDays: options.retentionDays }), ...legacy]) {
      await session.queryAsync(statement);
    }
    const hadRollup = (await session.queryAsync(`EXISTS TABLE ${ROLLUP_TABLE}`, { format: 'TSV' })).text().trim() === '1';
    for (const statement of ROLLUP_STATEMENTS) await session.queryAsync(statement);
    // A data folder from before the rollup existed: fill it once from what is stored.
    if (!hadRollup) await session.queryAsync(`INSERT INTO ${ROLLUP_TABLE} ${ROLLUP_SELECT}`);
    // A data folder created under another --retention: its tables get the TTL asked for now.
    await applyRetentionTtl(session, TTL_TABLES, ttlSeconds);
  } catch (error) {
    session.close();
    throw error;
  }
  const columns = new Map<string, Set<string>>();
  const encoders = new Map<string, Map<string, TsvFieldEncoder>>();
  const dtPrecisions = new Map<string, number>();
  const described = await session.queryAsync(
    `SELECT table, name, type FROM system.columns WHERE database = currentDatabase() AND table IN ('spans', 'logs', 'sentry_events', '${TABLES.metrics}', '${LEGACY_METRICS_TABLE}') AND default_kind != 'MATERIALIZED' AND default_kind != 'ALIAS' ORDER BY table, position`,
    { format: 'JSONEachRow' },
  );
  for (const line of described.text().split('\n')) {
    if (line.trim() === '') continue;
    const { table, name, type } = JSON.parse(line) as { table: string; name: string; type: string };
    if (!columns.has(table)) columns.set(table, new Set());
    columns.get(table)?.add(name);
    if (!encoders.has(table)) encoders.set(table, new Map());
    encoders.get(table)?.set(name, tsvFieldEncoder(type));
    if (name === 'dt') dtPrecisions.set(table, dateTime64Precision(type) ?? 0);
  }
  return new ChdbStore(session, options, columns, encoders, { dtPrecisions, retention: new TableRetention(ttlSeconds) });
}

/** Per table, the precision of `dt` (the instant a row is stored at); for all tables, which `dt` they keep. */
interface TableTimes {
  dtPrecisions: Map<string, number>;
  retention: TableRetention;
}

class ChdbStore implements Store {
  readonly written = { spans: 0, logs: 0, sentry_events: 0, metric_points: 0 };
  readonly dropped = { spans: 0, logs: 0, sentry_events: 0, metric_points: 0 };
  private readonly memory = new SeriesMemory();
  private readonly buffers = new Map<string, { target: InsertTarget; groups: PendingGroup[] }>();
  private bufferedRows = 0;
  private tail: Promise<unknown> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;
  private closed = false;
  private lastFlushAt = 0;
  private pendingRows = 0;
  private readonly flushIntervalMs: number;
  private readonly flushRows: number;
  private readonly maxQuerySeconds: number;
  private readonly maxResultRows: number;

  constructor(
    private readonly session: Session,
    private readonly options: StoreOptions,
    private readonly tableColumns: Map<string, Set<string>>,
    private readonly fieldEncoders: Map<string, Map<string, TsvFieldEncoder>>,
    private readonly times: TableTimes,
  ) {
    this.flushIntervalMs = options.flushIntervalMs ?? 50;
    this.flushRows = options.flushRows ?? 5_000;
    this.maxQuerySeconds = options.maxQuerySeconds ?? 15;
    this.maxResultRows = options.maxResultRows ?? 100_000;
  }

  insertRows(table: RecordTable, rows: Record<string, unknown>[]): Promise<RowsDropped | undefined> {
    if (!RECORD_TABLES.has(table)) return Promise.reject(new Error(`insertRows: unknown table "${String(table)}"`));
    if (rows.length === 0) return Promise.resolve(undefined);
    // TSV parses about twice as fast as JSONEachRow in chdb; unknown keys are left out.
    const known = this.tableColumns.get(table);
    const columns: string[] = [];
    const seen = new Set<string>();
    for (const row of rows) {
      for (const key of Object.keys(row)) {
        if (seen.has(key)) continue;
        seen.add(key);
        if (known?.has(key)) columns.push(key);
      }
    }
    if (!columns.includes('dt') || !columns.includes('raw')) {
      return Promise.reject(new Error(`insertRows(${table}): every row needs dt and raw`));
    }
    const tableEncoders = this.fieldEncoders.get(table);
    const encoders = columns.map((column) => tableEncoders?.get(column) ?? tsvFieldEncoder(''));
    const { retention } = this.times;
    const cutoff = retention.cutoffSeconds();
    const precision = this.times.dtPrecisions.get(table) ?? 9;
    let text = '';
    const outside: RefusedRows = { expired: 0, tooLate: 0 };
    for (const row of rows) {
      // A value that is no time is stored as the type's zero, 1970-01-01: as old as it gets.
      const seconds = dateTime64Instant(row.dt, precision)?.seconds ?? 0;
      if (seconds < cutoff) {
        outside.expired += 1;
        continue;
      }
      if (seconds >= retention.limitSeconds) {
        outside.tooLate += 1;
        continue;
      }
      let line = '';
      for (let i = 0; i < columns.length; i++) line += (i === 0 ? '' : '\t') + (encoders[i] as TsvFieldEncoder)(row[columns[i] as string]);
      text += `${line}\n`;
    }
    const refusedHere = outside.expired + outside.tooLate;
    if (refusedHere === 0) return this.enqueue({ table, format: 'TSV', columns }, text, rows.length);
    const notKept = this.reportOutsideRetention(table, outside, rows.length, cutoff);
    if (refusedHere === rows.length) return Promise.resolve(notKept);
    return this.enqueue({ table, format: 'TSV', columns }, text, rows.length - refusedHere).then((refused) =>
      refused === undefined ? notKept : { rows: notKept.rows + refused.rows, reason: `${notKept.reason}; ${refused.reason}` },
    );
  }

  async insertMetricPoints(points: MetricPointInput[]): Promise<MetricInsertResult> {
    const rows: MetricRow[] = [];
    const errors: string[] = [];
    let rejected = 0;
    const { retention } = this.times;
    const cutoff = retention.cutoffSeconds();
    const outside: RefusedRows = { expired: 0, tooLate: 0 };
    for (const point of points) {
      let row: MetricRow;
      try {
        row = toMetricRow(point, this.memory);
      } catch (error) {
        rejected += 1;
        if (errors.length < 5) errors.push((error as Error).message);
        continue;
      }
      // A refused point still updates the series memory: after an expired one, the next point's
      // rate and histogram deltas count from it, not from the series' start, whose share is as old.
      if (row.dt < cutoff) outside.expired += 1;
      else if (row.dt >= retention.limitSeconds) outside.tooLate += 1;
      else rows.push(row);
    }
    const refusedHere = outside.expired + outside.tooLate;
    if (refusedHere > 0) {
      rejected += refusedHere;
      errors.push(this.reportOutsideRetention(TABLES.metricPoints, outside, rows.length + refusedHere, cutoff).reason);
    }
    const dropped = rows.length > 0 ? await this.enqueue({ table: TABLES.metricPoints, format: 'JSONEachRow' }, wellFormedJson(metricRowsToJsonEachRow(rows)), rows.length) : undefined;
    if (dropped !== undefined) {
      rejected += dropped.rows;
      errors.push(dropped.reason);
    }
    return { accepted: rows.length - (dropped?.rows ?? 0), rejected, errors };
  }

  query(sql: string): Promise<QueryResult> {
    return this.serialize(() => this.run(sql));
  }

  async readOnlyQuery(sql: string, range: QueryRange): Promise<QueryResult> {
    const refusal = checkReadOnlyQuery(sql) ?? checkCodedColumns(sql);
    if (refusal) throw new QueryRefusedError(refusal);
    const source = range.source ?? this.metricsSourceOf(sql);
    const table = range.source === undefined && source === TABLES.metrics && readsWholeMinutes(sql, range) ? ROLLUP_TABLE : source;
    let expanded: string;
    try {
      expanded = expandQuery(sql, { ...range, source: table });
    } catch (error) {
      throw new QueryRefusedError((error as Error).message);
    }
    // Defence in depth: even a query that slipped past the check cannot write or change settings.
    const guarded = `${expanded.replace(/;\s*$/, '')}\nSETTINGS readonly = 1, max_execution_time = ${this.maxQuerySeconds}, max_result_rows = ${this.maxResultRows}, result_overflow_mode = 'break'`;
    try {
      return await this.serialize(() => this.run(guarded));
    } catch (error) {
      const unknown = error instanceof QueryFailedError && range.source === undefined && USES_PLAIN_SOURCE.test(sql) ? UNKNOWN_IDENTIFIER.exec(error.message)?.[1] : undefined;
      if (unknown === undefined || this.tableColumns.get(source)?.has(unknown)) throw error;
      const other = source === LEGACY_METRICS_TABLE ? TABLES.metrics : LEGACY_METRICS_TABLE;
      if (this.tableColumns.get(other)?.has(unknown)) {
        throw new QueryFailedError(
          `column "${unknown}" belongs to ${this.describeShape(other, false)}, but the query also names columns of ${this.describeShape(source, false)}, which {{source}} was taken for; {{source}} stands for one table, so read one shape per query`,
        );
      }
      throw new QueryFailedError(`column "${unknown}" fits neither metrics shape {{source}} can stand for: ${this.describeShape(TABLES.metrics, true)}; ${this.describeShape(LEGACY_METRICS_TABLE, true)}`);
    }
  }

  /**
   * The table `{{source}}` stands for: the legacy per-metric-column table when the query names one
   * of its metric columns (`avgMerge(workers_utilization)`) and none of the unified shape's own
   * (`value_avg`, `name`, `label()`, …), else the unified `metrics`.
   */
  private metricsSourceOf(sql: string): string {
    const words = queryIdentifiers(sql);
    const named = (columns: readonly string[]) => columns.some((column) => words.has(column));
    if (!named(this.shapeOnlyColumns(LEGACY_METRICS_TABLE, TABLES.metrics))) return TABLES.metrics;
    if (named([...this.shapeOnlyColumns(TABLES.metrics, LEGACY_METRICS_TABLE), ...UNIFIED_FUNCTIONS])) return TABLES.metrics;
    return LEGACY_METRICS_TABLE;
  }

  private shapeOnlyColumns(table: string, other: string): string[] {
    const theirs = this.tableColumns.get(other) ?? new Set<string>();
    return [...(this.tableColumns.get(table) ?? [])].filter((column) => !theirs.has(column));
  }

  private describeShape(table: string, withColumns: boolean): string {
    const name = table === LEGACY_METRICS_TABLE ? 'the legacy per-metric-column shape' : 'the unified shape';
    if (!withColumns) return `${name} (table ${table})`;
    return `${name} (table ${table}: ${[...(this.tableColumns.get(table) ?? [])].join(', ')})`;
  }

  flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (this.bufferedRows === 0) return this.flushing ?? Promise.resolve();
    this.lastFlushAt = Date.now();
    const batches = [...this.buffers.values()];
    this.buffers.clear();
    this.bufferedRows = 0;
    const done = this.serialize(async () => {
      for (const { target, groups } of batches) await this.writeGroups(target, groups);
    }).finally(() => {
      if (this.flushing === done) this.flushing = undefined;
    });
    this.flushing = done;
    return done;
  }

  async applyRetention(): Promise<void> {
    await this.serialize(async () => {
      for (const step of [...retentionSteps(this.options.retentionDays), ...[LEGACY_METRICS_TABLE, ROLLUP_TABLE].map((table) => extraRetentionStep(table, this.options.retentionDays))]) {
        const expired = (await this.session.queryAsync(step.countSql, { format: 'JSONEachRow' })).text();
        if (/"n":"?0"?\}/.test(expired)) continue;
        await this.session.queryAsync(step.deleteSql);
      }
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.flush();
    this.closed = true;
    await this.tail.catch(() => undefined);
    this.session.close();
  }

  private enqueue(target: InsertTarget, text: string, rows: number): Promise<RowsDropped | undefined> {
    if (this.closed) return Promise.reject(new Error('store is closed'));
    // Memory stays bounded when chdb cannot keep up: refuse rather than queue without end.
    if (this.pendingRows > 0 && this.pendingRows + rows > (this.options.maxPendingRows ?? 500_000)) {
      return Promise.reject(new StoreBusyError(`${this.pendingRows} rows are waiting to be written; retry later`));
    }
    this.pendingRows += rows;
    const settle = () => {
      this.pendingRows -= rows;
    };
    return new Promise<RowsDropped | undefined>((resolveWrite, rejectWrite) => {
      const resolve = (dropped?: RowsDropped) => {
        settle();
        resolveWrite(dropped);
      };
      const reject = (error: Error) => {
        settle();
        rejectWrite(error);
      };
      const key = `${target.table}\u0000${target.format}\u0000${target.columns?.join(',') ?? ''}`;
      let buffer = this.buffers.get(key);
      if (!buffer) {
        buffer = { target, groups: [] };
        this.buffers.set(key, buffer);
      }
      buffer.groups.push({ text, rows, resolve, reject });
      this.bufferedRows += rows;
      if (this.bufferedRows >= this.flushRows) {
        void this.flush();
      } else if (!this.timer) {
        // Idle store: write at once (low latency); busy store: at most one write per interval,
        // so concurrent requests share one INSERT and chdb does not drown in tiny parts.
        const wait = Math.max(0, this.lastFlushAt + this.flushIntervalMs - Date.now());
        this.timer = setTimeout(() => void this.flush(), wait);
      }
    });
  }

  /**
   * One INSERT for all groups. When ClickHouse refuses it, each group is written alone, and a
   * group it refuses is written in halves down to single rows: only rows refused even alone are
   * dropped (counted in {@link dropped}, reported once per table and error), the rest are stored
   * and the group's request succeeds. A group of several rows none of which could be stored fails
   * with ClickHouse's error, as do errors without a ClickHouse code (a closed session).
   */
  private async writeGroups(target: InsertTarget, groups: PendingGroup[]): Promise<void> {
    let refusal: unknown;
    try {
      await this.insertText(target, groups.map((group) => group.text).join(''));
      this.count(target.table, groups);
      for (const group of groups) group.resolve();
      return;
    } catch (error) {
      refusal = error;
    }
    for (const group of groups) {
      try {
        // A lone group is the batch that just failed: no need to send it again whole.
        const lines = group.text.split('\n').filter((line) => line !== '');
        const outcome = await this.insertSalvaging(target, lines, groups.length === 1 ? refusal : undefined);
        if (outcome.written === 0 && lines.length > 1) {
          // Every row refused, each alone: that is the table's state (a full disk, a changed
          // schema), not the rows'. The request fails as before, so its sender keeps the rows and
          // retries them, instead of being told they are stored.
          group.reject(outcome.error as Error);
          continue;
        }
        this.written[target.table] += outcome.written;
        group.resolve(outcome.dropped > 0 ? this.reportDropped(target.table, outcome, lines.length) : undefined);
      } catch (error) {
        group.reject(error as Error);
      }
    }
  }

  /**
   * Inserts rows (TSV or JSONEachRow lines, one row each), halving on a ClickHouse refusal until
   * the refused rows stand alone. `refusal` is the error of an INSERT of exactly these lines.
   */
  private async insertSalvaging(target: InsertTarget, lines: string[], refusal?: unknown): Promise<SalvageOutcome> {
    if (refusal === undefined) {
      try {
        await this.insertText(target, `${lines.join('\n')}\n`);
        return { written: lines.length, dropped: 0 };
      } catch (error) {
        refusal = error;
      }
    }
    if (!isClickHouseRefusal(refusal)) throw refusal;
    if (lines.length === 1) return { written: 0, dropped: 1, error: refusal };
    const middle = lines.length >> 1;
    const first = await this.insertSalvaging(target, lines.slice(0, middle));
    const second = await this.insertSalvaging(target, lines.slice(middle));
    return { written: first.written + second.written, dropped: first.dropped + second.dropped, error: first.error ?? second.error };
  }

  /**
   * Counts and reports (once per table and kind: older than the retention, too far in the future)
   * rows not stored for lying outside the `dt` the tables keep; returns them for the sender.
   */
  private reportOutsideRetention(table: BufferTable, outside: RefusedRows, rows: number, cutoffSeconds: number): RowsDropped {
    const { retention } = this.times;
    const reasons: Array<[kind: string, reason: string]> = [];
    if (outside.expired > 0) reasons.push(['expired-rows', retention.expiredReason(outside.expired, rows, cutoffSeconds)]);
    if (outside.tooLate > 0) reasons.push(['too-late-rows', retention.tooLateReason(outside.tooLate, rows)]);
    for (const [kind, reason] of reasons) {
      (this.options.report ?? reportCollectorProblem)(`${kind}:${table}`, `rows of table ${table} not stored (reported once; later ones are only counted, in store.dropped): ${reason}`);
    }
    this.dropped[table] += outside.expired + outside.tooLate;
    return { rows: outside.expired + outside.tooLate, reason: reasons.map(([, reason]) => reason).join('; ') };
  }

  /** Counts and reports (once per table and error) the rows `outcome` dropped; returns them for the sender. */
  private reportDropped(table: BufferTable, outcome: SalvageOutcome, rows: number): RowsDropped {
    this.dropped[table] += outcome.dropped;
    const error = outcome.error as { clickhouseCode?: number; message?: string };
    // The first line and the error's name: the rest is a dump of the row, too long for a log line.
    const cleaned = cleanClickHouseMessage(String(error.message));
    const firstLine = (cleaned.split('\n')[0] ?? '').replace(/[:\s]+$/, '');
    const errorName = /\(([A-Z][A-Z0-9_]*)\)\W*$/.exec(String(error.message))?.[1];
    const message = errorName && !firstLine.includes(errorName) ? `${firstLine} (${errorName})` : firstLine;
    (this.options.report ?? reportCollectorProblem)(
      `dropped-rows:${table}:${String(error.clickhouseCode)}`,
      `dropped ${outcome.dropped} of ${rows} rows of table ${table} that ClickHouse refused even one by one; the other ${rows - outcome.dropped} are stored (later drops with this error are only counted, in store.dropped). ClickHouse said: ${message}`,
    );
    return { rows: outcome.dropped, reason: `${outcome.dropped} of ${rows} refused by ClickHouse: ${message}` };
  }

  private count(table: BufferTable, groups: PendingGroup[]): void {
    for (const group of groups) this.written[table] += group.rows;
  }

  private async insertText(target: InsertTarget, text: string): Promise<void> {
    await this.session.insert({
      table: target.table,
      values: Buffer.from(text),
      format: target.format,
      ...(target.columns ? { columns: target.columns } : {}),
      settings: { input_format_skip_unknown_fields: 1, date_time_input_format: 'best_effort', input_format_null_as_default: 1 },
    });
  }

  private serialize<T>(work: () => Promise<T>): Promise<T> {
    const result = this.tail.then(work, work);
    this.tail = result.catch(() => undefined);
    return result;
  }

  private async run(sql: string): Promise<QueryResult> {
    if (this.closed) throw new Error('store is closed');
    let text: string;
    try {
      text = (await this.session.queryAsync(sql, { format: 'JSON' })).text();
    } catch (error) {
      throw new QueryFailedError(cleanClickHouseMessage((error as Error).message));
    }
    if (text.trim() === '') return { columns: [], rows: [] };
    const parsed = JSON.parse(text) as { meta?: { name: string; type: string }[]; data?: Record<string, unknown>[] };
    return { columns: parsed.meta ?? [], rows: parsed.data ?? [] };
  }
}

/** What {@link ChdbStore.insertSalvaging} stored and dropped, with the error of a dropped row. */
interface SalvageOutcome {
  written: number;
  dropped: number;
  error?: unknown;
}

/** A backslash pair, or the escape JSON.stringify writes for a lone UTF-16 surrogate (paired ones it writes as they are). */
const LONE_SURROGATE_ESCAPE = /\\(?:\\|u[dD][89a-fA-F][0-9a-fA-F]{2})/g;

/**
 * JSON text with each lone surrogate (`"\ud800"`, text a JSON client can send) as U+FFFD:
 * ClickHouse's JSON parser refuses the escape (CANNOT_PARSE_ESCAPE_SEQUENCE), which dropped the
 * data point, whereas TSV rows get U+FFFD for it from their UTF-8 encoding.
 */
function wellFormedJson(text: string): string {
  if (!text.includes('\\u')) return text;
  return text.replace(LONE_SURROGATE_ESCAPE, (escape) => (escape === '\\\\' ? escape : '\ufffd'));
}

/** An error ClickHouse raised about the INSERT (it carries a ClickHouse code), as opposed to a closed or broken session. */
function isClickHouseRefusal(error: unknown): boolean {
  return typeof (error as { clickhouseCode?: unknown } | undefined)?.clickhouseCode === 'number';
}

/** ClickHouse messages carry a stack-ish tail; keep the part a user can act on. */
function cleanClickHouseMessage(message: string): string {
  const match = /DB::Exception: ([\s\S]*?)(?: \(([A-Z_]+)\))?(?:\.\s*$|$)/.exec(message);
  const text = match ? `${match[1]}${match[2] ? ` (${match[2]})` : ''}` : message;
  return text.length > 2_000 ? `${text.slice(0, 2_000)}…` : text;
}
