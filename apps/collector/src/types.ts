import type { MetricPointInput } from '@kira/dashboards/schema';

/** A table of the unified schema that takes record rows (`dt` + `raw` + helper columns). */
export type RecordTable = 'spans' | 'logs' | 'sentry_events';

/** Result of a query: column names/types and rows as JSON objects. */
export interface QueryResult {
  columns: { name: string; type: string }[];
  rows: Record<string, unknown>[];
}

/**
 * Rows of one insert that were dropped (the rest are stored): rows older than the retention, which
 * ClickHouse's TTL would delete at once, and rows ClickHouse refused even alone.
 */
export interface RowsDropped {
  rows: number;
  /** Why, one line per cause joined with `; `: what an OTLP partial success carries as `error_message`. */
  reason: string;
}

/** What {@link Store.insertMetricPoints} did with the points. */
export interface MetricInsertResult {
  accepted: number;
  rejected: number;
  /** First few reasons, for OTLP partial success. */
  errors: string[];
}

/** The time range the `{{start_time}}` / `{{end_time}}` / `{{time}}` placeholders expand to. */
export interface QueryRange {
  startTime: Date;
  endTime: Date;
  /** `{{time}}` bucket width; default from the range. */
  intervalSeconds?: number;
  /** Table `{{source}}` stands for; default `metrics`. */
  source?: string;
}

/** The embedded ClickHouse store (one chdb session per process). */
export interface Store {
  /**
   * Buffers rows for `table`; resolves once they are written (batched: at most one INSERT per
   * ~200 ms, or at once past N rows). Each value is converted as its column's type requires
   * (`tsv-fields.ts`): `Date` values or unix-seconds strings become DateTime64, `raw` may be a JSON
   * string or a plain object (stored as its JSON text). A row whose `dt` is already past the
   * retention (older than `--retention`, or than the TTL the table was created with: ClickHouse's
   * TTL would delete it at once; no time at all is 1970) is not written, and a row ClickHouse still
   * refuses is dropped alone; both are counted in {@link dropped}, and the promise then resolves
   * with how many were dropped and why (for the OTLP partial success), with `undefined` when every
   * row was stored.
   */
  insertRows(table: RecordTable, rows: Record<string, unknown>[]): Promise<RowsDropped | undefined>;
  /**
   * Converts points with `toMetricRows` (keeping per-series memory for rates) and buffers them;
   * points it cannot store (invalid, older than the retention, refused by ClickHouse) are counted, not thrown.
   */
  insertMetricPoints(points: MetricPointInput[]): Promise<MetricInsertResult>;
  /** Rows written since start, per table (`metric_points` counts points). */
  readonly written: Record<RecordTable | 'metric_points', number>;
  /**
   * Rows dropped since start, per table: rows older than the retention, and rows ClickHouse refused
   * even in an INSERT of their own (the rest of their batch is written). The first drop per table
   * and reason is reported on stderr.
   */
  readonly dropped: Record<RecordTable | 'metric_points', number>;
  /** Internal, unrestricted query (JSON rows). Placeholders are NOT expanded. */
  query(sql: string): Promise<QueryResult>;
  /** The `/query` path: refuses anything but one SELECT, expands the query surface, runs with `readonly=1`. */
  readOnlyQuery(sql: string, range: QueryRange): Promise<QueryResult>;
  /** Writes everything buffered now. */
  flush(): Promise<void>;
  /** Deletes rows older than the retention now. */
  applyRetention(): Promise<void>;
  /** Flushes and closes the session. Idempotent. */
  close(): Promise<void>;
}

/** Fault injection (issue 10): what the collector does to the requests it affects. */
export interface FaultSpec {
  /** Answer with this status instead of handling the request. @example 503 */
  status?: number;
  /** `Retry-After` seconds sent with `status`. @example 2 */
  retryAfter?: number;
  /** Wait this long (ms) before handling/answering. @example 3000 */
  delayMs?: number;
  /** Close the socket without answering. */
  drop?: boolean;
  /** Fraction of requests affected, 0..1; default 1. @example 0.5 */
  rate?: number;
}

/** Options of `startCollector`. */
export interface CollectorOptions {
  /** Port; 0 picks a free one. Default 4318. @example 0 */
  port?: number;
  /** Interface to bind; default 127.0.0.1 (loopback only). @example '0.0.0.0' */
  host?: string;
  /** Data folder for chdb; default `.data/collector`. @example '/tmp/kira-collector' */
  dataDir?: string;
  /** When set, every request needs `Authorization: Bearer <token>`. @example 'secret' */
  token?: string;
  /**
   * Listen on a non-loopback `host` without a `token`. Refused otherwise: the store holds every
   * span, log and Sentry event sent to it, and `/query` reads all of it. CLI: `--allow-unauthenticated`.
   * @example true
   */
  allowUnauthenticated?: boolean;
  /** Retention in days (fractions allowed); default 7. CLI: `--retention 7d|12h|30m`. @example 7 */
  retentionDays?: number;
  /** Largest request body after decompression, bytes; default 16 MiB. @example 1048576 */
  maxBodyBytes?: number;
  /** Fault injection, as a spec string (`status=503,retry-after=2`) or object. */
  fault?: string | FaultSpec;
  /** Write buffer: at most one INSERT per this many ms while busy, at once when idle; default 50. */
  flushIntervalMs?: number;
  /** Flush as soon as this many rows are buffered; default 5000. */
  flushRows?: number;
  /** How often the retention delete runs (ms); default 10 minutes. */
  retentionCheckIntervalMs?: number;
  /** Rows waiting to be written beyond which OTLP requests get 503 + Retry-After; default 500 000. */
  maxPendingRows?: number;
}

/** Options after defaults. */
export interface ResolvedCollectorOptions {
  port: number;
  host: string;
  dataDir: string;
  token: string | undefined;
  allowUnauthenticated: boolean;
  retentionDays: number;
  maxBodyBytes: number;
  fault: FaultSpec | undefined;
  flushIntervalMs: number;
  flushRows: number;
  retentionCheckIntervalMs: number;
  maxPendingRows: number;
}

/** A running collector. */
export interface Collector {
  /** `http://host:port` */
  url: string;
  port: number;
  store: Store;
  options: ResolvedCollectorOptions;
  /** Replaces the fault spec at runtime (`undefined` clears it). */
  setFault(fault: string | FaultSpec | undefined): void;
  /** Stops accepting, finishes in-flight requests, flushes and closes the store. */
  close(): Promise<void>;
}
