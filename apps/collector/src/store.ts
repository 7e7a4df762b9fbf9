import { mkdirSync } from 'node:fs';
import { Session } from 'chdb';
import {
  createSchemaStatements,
  dtFromDate,
  expandQuery,
  type MetricPointInput,
  metricRowsToJsonEachRow,
  type MetricRow,
  retentionDeleteStatements,
  SeriesMemory,
  TABLES,
  toMetricRow,
} from '@kira/dashboards/schema';
import { checkReadOnlyQuery } from './read-only-query';
import type { MetricInsertResult, QueryRange, QueryResult, RecordTable, Store } from './types';

/** Options of {@link createStore}. */
export interface StoreOptions {
  /** chdb data folder (created when missing). */
  dataDir: string;
  /** Retention in days for TTL and {@link Store.applyRetention}. */
  retentionDays: number;
  /** Buffered rows wait at most this long (ms) and writes happen at most this often. Default 200. */
  flushIntervalMs?: number;
  /** …or as soon as this many rows wait. Default 5000. */
  flushRows?: number;
  /** Longest a `/query` may run (seconds). Default 15. */
  maxQuerySeconds?: number;
  /** Most rows a `/query` returns (the rest is cut off). Default 100 000. */
  maxResultRows?: number;
}

type BufferTable = RecordTable | typeof TABLES.metricPoints;

interface PendingGroup {
  text: string;
  rows: number;
  resolve: () => void;
  reject: (error: Error) => void;
}

/** A refusal of `/query` (answered with 400 and the message). */
export class QueryRefusedError extends Error {
  override readonly name = 'QueryRefusedError';
}

/** ClickHouse rejected a query (answered with 400 and ClickHouse's message). */
export class QueryFailedError extends Error {
  override readonly name = 'QueryFailedError';
}

const RECORD_TABLES: ReadonlySet<string> = new Set(['spans', 'logs', 'sentry_events']);

/**
 * Opens (or creates) the chdb database in `dataDir`, applies the schema and returns the store.
 * chdb allows one data folder per process, so there is one store per process.
 */
export async function createStore(options: StoreOptions): Promise<Store> {
  mkdirSync(options.dataDir, { recursive: true });
  const session = new Session(options.dataDir);
  try {
    for (const statement of createSchemaStatements({ retentionDays: options.retentionDays })) {
      await session.queryAsync(statement);
    }
  } catch (error) {
    session.close();
    throw error;
  }
  return new ChdbStore(session, options);
}

class ChdbStore implements Store {
  readonly written = { spans: 0, logs: 0, sentry_events: 0, metric_points: 0 };
  private readonly memory = new SeriesMemory();
  private readonly buffers = new Map<BufferTable, PendingGroup[]>();
  private bufferedRows = 0;
  private tail: Promise<unknown> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;
  private closed = false;
  private lastFlushAt = 0;
  private readonly flushIntervalMs: number;
  private readonly flushRows: number;
  private readonly maxQuerySeconds: number;
  private readonly maxResultRows: number;

  constructor(
    private readonly session: Session,
    private readonly options: StoreOptions,
  ) {
    this.flushIntervalMs = options.flushIntervalMs ?? 200;
    this.flushRows = options.flushRows ?? 5_000;
    this.maxQuerySeconds = options.maxQuerySeconds ?? 15;
    this.maxResultRows = options.maxResultRows ?? 100_000;
  }

  insertRows(table: RecordTable, rows: Record<string, unknown>[]): Promise<void> {
    if (!RECORD_TABLES.has(table)) return Promise.reject(new Error(`insertRows: unknown table "${String(table)}"`));
    if (rows.length === 0) return Promise.resolve();
    let text = '';
    for (const row of rows) text += `${JSON.stringify(encodeRow(row))}\n`;
    return this.enqueue(table, text, rows.length);
  }

  async insertMetricPoints(points: MetricPointInput[]): Promise<MetricInsertResult> {
    const rows: MetricRow[] = [];
    const errors: string[] = [];
    let rejected = 0;
    for (const point of points) {
      try {
        rows.push(toMetricRow(point, this.memory));
      } catch (error) {
        rejected += 1;
        if (errors.length < 5) errors.push((error as Error).message);
      }
    }
    if (rows.length > 0) await this.enqueue(TABLES.metricPoints, metricRowsToJsonEachRow(rows), rows.length);
    return { accepted: rows.length, rejected, errors };
  }

  query(sql: string): Promise<QueryResult> {
    return this.serialize(() => this.run(sql));
  }

  async readOnlyQuery(sql: string, range: QueryRange): Promise<QueryResult> {
    const refusal = checkReadOnlyQuery(sql);
    if (refusal) throw new QueryRefusedError(refusal);
    let expanded: string;
    try {
      expanded = expandQuery(sql, range);
    } catch (error) {
      throw new QueryRefusedError((error as Error).message);
    }
    // Defence in depth: even a query that slipped past the check cannot write or change settings.
    const guarded = `${expanded.replace(/;\s*$/, '')}\nSETTINGS readonly = 1, max_execution_time = ${this.maxQuerySeconds}, max_result_rows = ${this.maxResultRows}, result_overflow_mode = 'break'`;
    return this.serialize(() => this.run(guarded));
  }

  flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (this.bufferedRows === 0) return this.flushing ?? Promise.resolve();
    this.lastFlushAt = Date.now();
    const batches = [...this.buffers.entries()];
    this.buffers.clear();
    this.bufferedRows = 0;
    const done = this.serialize(async () => {
      for (const [table, groups] of batches) await this.writeGroups(table, groups);
    }).finally(() => {
      if (this.flushing === done) this.flushing = undefined;
    });
    this.flushing = done;
    return done;
  }

  async applyRetention(): Promise<void> {
    await this.serialize(async () => {
      for (const statement of retentionDeleteStatements(this.options.retentionDays)) {
        await this.session.queryAsync(statement);
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

  private enqueue(table: BufferTable, text: string, rows: number): Promise<void> {
    if (this.closed) return Promise.reject(new Error('store is closed'));
    return new Promise<void>((resolve, reject) => {
      let groups = this.buffers.get(table);
      if (!groups) {
        groups = [];
        this.buffers.set(table, groups);
      }
      groups.push({ text, rows, resolve, reject });
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

  /** One INSERT for all groups; when it fails, each group alone, so one bad request fails alone. */
  private async writeGroups(table: BufferTable, groups: PendingGroup[]): Promise<void> {
    try {
      await this.insertText(table, groups.map((group) => group.text).join(''));
      this.count(table, groups);
      for (const group of groups) group.resolve();
      return;
    } catch (error) {
      if (groups.length === 1) {
        groups[0]?.reject(error as Error);
        return;
      }
    }
    for (const group of groups) {
      try {
        await this.insertText(table, group.text);
        this.count(table, [group]);
        group.resolve();
      } catch (error) {
        group.reject(error as Error);
      }
    }
  }

  private count(table: BufferTable, groups: PendingGroup[]): void {
    for (const group of groups) this.written[table] += group.rows;
  }

  private async insertText(table: BufferTable, text: string): Promise<void> {
    await this.session.insert({
      table,
      values: Buffer.from(text),
      format: 'JSONEachRow',
      // Objects in a String column (`raw`) are kept as their JSON text.
      settings: { input_format_skip_unknown_fields: 1, date_time_input_format: 'best_effort', input_format_json_read_objects_as_strings: 1 },
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

/** Dates become DateTime64 text; bigints decimal strings (JSON has neither). */
function encodeRow(row: Record<string, unknown>): Record<string, unknown> {
  let copy: Record<string, unknown> | undefined;
  for (const key of Object.keys(row)) {
    const value = row[key];
    if (value instanceof Date || typeof value === 'bigint') {
      copy ??= { ...row };
      copy[key] = value instanceof Date ? dtFromDate(value) : value.toString();
    }
  }
  return copy ?? row;
}

/** ClickHouse messages carry a stack-ish tail; keep the part a user can act on. */
function cleanClickHouseMessage(message: string): string {
  const match = /DB::Exception: ([\s\S]*?)(?: \(([A-Z_]+)\))?(?:\.\s*$|$)/.exec(message);
  const text = match ? `${match[1]}${match[2] ? ` (${match[2]})` : ''}` : message;
  return text.length > 2_000 ? `${text.slice(0, 2_000)}…` : text;
}
