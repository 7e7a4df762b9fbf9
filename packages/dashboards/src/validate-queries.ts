import { METRIC_ATTRIBUTES as A, METRIC_NAMES as M } from '@kira/conventions';
import { builtInAlerts } from './built-in-alerts';
import { builtInDashboards } from './built-in-dashboards';
import { LEGACY_METRICS_TABLE, legacyColumns, type LegacySample } from './legacy-table';
import { UnsupportedDialectError } from './model-validation-error';
import type { QuerySession } from './query-session';
import { renderAlertSql, renderPanelSql } from './render-sql';
import { expandQuery, type MetricPointInput } from './schema';
import type { Alert, Dashboard } from './types';

const MINUTE_MS = 60_000;
const MIB = 1048576;
/** Table name the legacy queries' `{{source}}` stands for during validation (the collector's too). */
export const LEGACY_TABLE = LEGACY_METRICS_TABLE;

/** What the legacy table receives from these points: one sample per point that feeds a legacy column. */
function legacySamplesOf(points: readonly MetricPointInput[]): LegacySample[] {
  const columns = legacyColumns();
  return points.flatMap((point) => {
    const values: Record<string, number> = {};
    for (const { column, sourceMetric, divideBy } of columns) {
      if (point.name === sourceMetric && point.value !== undefined) values[column] = point.value / (divideBy ?? 1);
    }
    return Object.keys(values).length === 0 ? [] : [{ time: new Date(point.time), values }];
  });
}

/**
 * Ten minutes of every built-in metric, starting at `start` (cumulative counters/histograms, two
 * imgproxy instances). `legacy` is what the legacy table receives from the same points (the
 * session's view fills it; it is returned for callers that seed another legacy-shaped table).
 */
export function validationSeed(start: number): { points: MetricPointInput[]; legacy: LegacySample[] } {
  // A non-number would be concatenated into every timestamp (a long string, hundreds of times).
  if (typeof start !== 'number' || !Number.isFinite(start)) {
    throw new TypeError(`validationSeed: start must be epoch milliseconds (a finite number), got ${start === null ? 'null' : typeof start}`);
  }
  const points: MetricPointInput[] = [];
  const counters = new Map<string, number>();
  const histograms = new Map<string, number[]>();
  const bump = (key: string, by: number): number => {
    const value = (counters.get(key) ?? 0) + by;
    counters.set(key, value);
    return value;
  };
  const bumpBuckets = (key: string, by: number[]): number[] => {
    const current = histograms.get(key) ?? by.map(() => 0);
    const next = current.map((count, index) => count + (by[index] ?? 0));
    histograms.set(key, next);
    return next;
  };
  const startTime = start - MINUTE_MS;
  for (let second = 0; second < 600; second += 30) {
    const time = start + second * 1000;
    const minute = Math.floor(second / 60);
    for (const instance of ['imgproxy-a', 'imgproxy-b']) {
      const tags = { 'service.instance.id': instance };
      const load = instance === 'imgproxy-a' ? 1 : 0.5;
      points.push(
        { name: 'workers_utilization', kind: 'gauge', tags, time, value: 0.4 * load + minute * 0.02 },
        { name: 'requests_in_progress', kind: 'gauge', tags, time, value: 20 * load + minute },
        { name: 'images_in_progress', kind: 'gauge', tags, time, value: 15 * load + minute },
        { name: 'vips_memory_bytes', kind: 'gauge', tags, time, value: (800 + minute * 10) * load * MIB },
        { name: 'process_resident_memory_bytes', kind: 'gauge', tags, time, value: (3000 + minute * 50) * load * MIB },
        { name: 'go_goroutines', kind: 'gauge', tags, time, value: 30 + minute },
        { name: 'go_memstats_heap_inuse_bytes', kind: 'gauge', tags, time, value: (90 + minute) * load * MIB },
      );
    }
    for (const tool of ['generateImageWithAI', 'editImage']) {
      for (const success of ['true', 'false']) {
        const key = `${tool}/${success}`;
        points.push({ name: M.aiToolExecutions, kind: 'sum', tags: { [A.toolName]: tool, [A.success]: success }, startTime, time, value: bump(key, success === 'true' ? 9 : 1) });
      }
      points.push({
        name: M.aiToolDuration,
        kind: 'histogram',
        tags: { [A.toolName]: tool },
        startTime,
        time,
        bounds: [1000, 10000, 60000],
        bucketCounts: bumpBuckets(`ai/${tool}`, [1, 6, 2, 1]),
      });
    }
    for (const [route, status] of [
      ['/users/:id', '200'],
      ['/images', '200'],
      ['/images', '502'],
    ] as const) {
      points.push({
        name: M.httpRequestDuration,
        kind: 'histogram',
        tags: { [A.httpMethod]: 'GET', [A.httpRoute]: route, [A.httpStatusCode]: status },
        startTime,
        time,
        bounds: [10, 100, 1000],
        bucketCounts: bumpBuckets(`http/${route}/${status}`, status === '502' ? [0, 0, 1, 0] : [4, 10, 5, 1]),
      });
    }
    for (const [service, outcome] of [
      ['byteplus', 'ok'],
      ['byteplus', 'http_error'],
      ['openai', 'ok'],
    ] as const) {
      points.push({
        name: M.externalRequestDuration,
        kind: 'histogram',
        tags: { [A.externalService]: service, [A.externalOperation]: 'generate', [A.outcome]: outcome },
        startTime,
        time,
        bounds: [100, 1000, 10000],
        bucketCounts: bumpBuckets(`ext/${service}/${outcome}`, outcome === 'ok' ? [1, 5, 3, 1] : [1, 1, 0, 0]),
      });
    }
  }
  return { points, legacy: legacySamplesOf(points) };
}

export interface QueryCheck {
  /** `dashboard/panel` or `alert/id`. */
  readonly target: string;
  readonly dialect: 'unified' | 'legacy';
  readonly ok: boolean;
  readonly rows: number;
  readonly columns: readonly { readonly name: string; readonly type: string }[];
  /** Problem found (empty when ok). */
  readonly message: string;
  readonly sql: string;
}

/** Options of {@link validateQueries}. */
export interface ValidateQueriesOptions {
  readonly dashboards?: readonly Dashboard[];
  readonly alerts?: readonly Alert[];
  /** Seed ten minutes of data first (default true; false when the caller seeded its own). */
  readonly seed?: boolean;
  /** Start of the seeded data (default: 30 minutes ago, on a minute boundary). */
  readonly start?: Date;
}

function checkColumns(actual: readonly { name: string; type: string }[], expected: readonly [string, RegExp][]): string {
  const shown = actual.map((column) => `${column.name} ${column.type}`).join(', ');
  if (actual.length !== expected.length) return `expected columns ${expected.map(([name]) => name).join(', ')}, got ${shown}`;
  for (const [index, [name, type]] of expected.entries()) {
    const column = actual[index];
    if (column?.name !== name || !type.test(column.type)) return `expected column ${index + 1} to be ${name} ${type.source}, got ${shown}`;
  }
  return '';
}

/**
 * Runs every panel (unified, and legacy where the panel has a legacy form) and every alert query
 * against the session after seeding it, and checks each returns rows of the documented shape:
 * panels `time` DateTime, `series` String, `value` Float64; alerts `time`, `value`; legacy panels
 * `time` + one Float64 column per metric.
 */
export function validateQueries(session: QuerySession, options: ValidateQueriesOptions = {}): QueryCheck[] {
  const dashboards = options.dashboards ?? builtInDashboards;
  const alerts = options.alerts ?? builtInAlerts;
  const start = options.start?.getTime() ?? Math.floor(Date.now() / MINUTE_MS) * MINUTE_MS - 30 * MINUTE_MS;
  // The session's legacy table fills from the same points through its view.
  if (options.seed !== false) session.insertPoints(validationSeed(start).points);
  const range = { startTime: new Date(start - MINUTE_MS), endTime: new Date(start + 11 * MINUTE_MS), intervalSeconds: 60 };
  const checks: QueryCheck[] = [];
  const run = (target: string, dialect: 'unified' | 'legacy', sql: string, expected: readonly [string, RegExp][]): void => {
    try {
      const result = session.query(expandQuery(sql, { ...range, ...(dialect === 'legacy' ? { source: LEGACY_TABLE } : {}) }));
      let message = checkColumns(result.columns, expected);
      if (message === '' && result.rows.length === 0) message = 'returned no rows for seeded data';
      checks.push({ target, dialect, ok: message === '', rows: result.rows.length, columns: result.columns, message, sql });
    } catch (error) {
      checks.push({ target, dialect, ok: false, rows: 0, columns: [], message: error instanceof Error ? error.message : String(error), sql });
    }
  };
  const time: [string, RegExp] = ['time', /^DateTime/];
  for (const dashboard of dashboards) {
    for (const panel of dashboard.panels) {
      const target = `${dashboard.id}/${panel.id}`;
      run(target, 'unified', renderPanelSql(panel), [time, ['series', /^String$/], ['value', /^Float64$/]]);
      let legacy: string | undefined;
      try {
        legacy = renderPanelSql(panel, { dialect: 'legacy' });
      } catch (error) {
        if (!(error instanceof UnsupportedDialectError)) throw error;
      }
      if (legacy !== undefined) {
        run(target, 'legacy', legacy, [time, ...panel.queries.map((query): [string, RegExp] => [query.legacyAlias ?? query.series ?? query.metric, /^Float64$/])]);
      }
    }
  }
  for (const alert of alerts) {
    const target = `alert/${alert.id}`;
    run(target, 'unified', renderAlertSql(alert), [time, ['value', /^Float64$/]]);
    let legacy: string | undefined;
    try {
      legacy = renderAlertSql(alert, { dialect: 'legacy' });
    } catch (error) {
      if (!(error instanceof UnsupportedDialectError)) throw error;
    }
    if (legacy !== undefined) run(target, 'legacy', legacy, [time, ['value', /^Float64$/]]);
  }
  return checks;
}
