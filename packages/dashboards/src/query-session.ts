import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLegacySchemaStatements } from './legacy-table';
import { createSchemaStatements, insertMetricPointsSql, SeriesMemory, type MetricPointInput } from './schema';

// The chdb range this package is tested with, from its own package.json (one directory up from
// both src/ and dist/), so the install hint follows every upgrade. Undefined if unreadable.
function chdbRange(): string | undefined {
  try {
    const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { peerDependencies?: Record<string, unknown> };
    const range = manifest.peerDependencies?.chdb;
    return typeof range === 'string' && range !== '' ? range : undefined;
  } catch {
    return undefined;
  }
}

/** chdb is an optional peer dependency: thrown when it can't be loaded, saying how to install it. */
export class ChdbMissingError extends Error {
  override readonly name = 'ChdbMissingError';
  constructor(cause: unknown) {
    const range = chdbRange();
    const spec = range === undefined ? 'chdb' : `'chdb@${range}'`;
    super(
      `chdb (embedded ClickHouse) is not installed; it is an optional peer dependency of @kira/dashboards, needed only by \`kira-dashboards validate\` and openQuerySession(). Install it next to @kira/dashboards with \`pnpm add -D ${spec}\` (or \`npm i -D ${spec}\`), then run \`kira-dashboards validate\` again.`,
      { cause },
    );
  }
}

interface ChdbSession {
  query(sql: string, format?: string): string;
  close(): void;
}

type ChdbModule = { Session: new (path?: string) => ChdbSession };

/** Loads chdb at run time, so @kira/dashboards keeps no runtime dependency on it. */
export async function loadChdb(): Promise<ChdbModule> {
  const specifier = 'chdb';
  try {
    const loaded = (await import(/* @vite-ignore */ specifier)) as Partial<ChdbModule> & { default?: Partial<ChdbModule> };
    const Session = loaded.Session ?? loaded.default?.Session;
    if (typeof Session !== 'function') throw new TypeError('chdb has no Session export');
    return { Session };
  } catch (error) {
    throw new ChdbMissingError(error);
  }
}

export interface QueryResult {
  readonly columns: readonly { readonly name: string; readonly type: string }[];
  readonly rows: readonly Record<string, unknown>[];
}

/** An embedded ClickHouse in a temporary directory with the unified schema and the live legacy table (`legacy_metrics`) created. */
export interface QuerySession {
  readonly path: string;
  /** Runs a statement that returns nothing (DDL, INSERT). */
  exec(sql: string): void;
  query(sql: string): QueryResult;
  /** Seeds metric points through schema.ts' insert helper (one SeriesMemory per session); legacy columns fill from them too. */
  insertPoints(points: readonly MetricPointInput[]): void;
  /** Closes chdb and deletes the directory. */
  close(): void;
}

/**
 * Opens chdb on a fresh temporary directory and creates the unified schema, plus the legacy
 * per-metric-column table the collector keeps (fed from the same points). Retention is long
 * (10 years) so seeded points are never dropped by TTL while a test or `validate` runs.
 *
 * @example const session = await openQuerySession(); try { session.query('SELECT 1') } finally { session.close() }
 */
export async function openQuerySession(): Promise<QuerySession> {
  const { Session } = await loadChdb();
  const path = mkdtempSync(join(tmpdir(), 'kira-dashboards-'));
  let session: ChdbSession;
  try {
    session = new Session(path);
    for (const statement of [...createSchemaStatements({ retentionDays: 3650 }), ...createLegacySchemaStatements()]) session.query(statement);
  } catch (error) {
    rmSync(path, { recursive: true, force: true });
    throw error;
  }
  const memory = new SeriesMemory();
  return {
    path,
    exec(sql) {
      session.query(sql);
    },
    query(sql) {
      const parsed = JSON.parse(session.query(sql, 'JSON') || '{"meta":[],"data":[]}') as { meta: { name: string; type: string }[]; data: Record<string, unknown>[] };
      return { columns: parsed.meta, rows: parsed.data };
    },
    insertPoints(points) {
      const sql = insertMetricPointsSql(points, memory);
      if (sql !== '') session.query(sql);
    },
    close() {
      try {
        session.close();
      } finally {
        rmSync(path, { recursive: true, force: true });
      }
    },
  };
}
