import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { type Child, startChild } from '@kira/test-utils';

const require = createRequire(import.meta.url);
const collectorCli = join(dirname(require.resolve('@kira/collector/package.json')), 'dist', 'cli.js');

export interface CollectorProcess {
  url: string;
  child: Child;
  token: string | undefined;
  /** `POST /query` (one read-only SELECT); rows as JSON objects. */
  query<T = Record<string, unknown>>(sql: string): Promise<T[]>;
  /** `POST /admin/fault`; `'off'` clears it. */
  setFault(spec: string): Promise<void>;
  stop(): Promise<void>;
}

/** The real collector (`apps/collector/dist/cli.js`) as a child process. */
export async function startCollectorProcess(options: { port: number; dataDir: string; token?: string; fault?: string }): Promise<CollectorProcess> {
  const args = [collectorCli, '--port', String(options.port), '--data-dir', options.dataDir];
  if (options.token) args.push('--token', options.token);
  if (options.fault) args.push('--fault', options.fault);
  const child = startChild('collector', process.execPath, args);
  const [, url] = (await child.waitForLine(/listening on (http:\/\/\S+)/, 45_000)) as unknown as [string, string];
  const auth: Record<string, string> = options.token ? { authorization: `Bearer ${options.token}` } : {};
  return {
    url,
    child,
    token: options.token,
    async query<T>(sql: string) {
      const response = await fetch(`${url}/query`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...auth },
        body: JSON.stringify({ query: sql, start: '2000-01-01T00:00:00Z', end: '2100-01-01T00:00:00Z' }),
      });
      const body = (await response.json()) as { rows?: T[]; error?: string };
      if (!response.ok || !body.rows) throw new Error(`collector /query answered ${response.status}: ${body.error ?? ''}`);
      return body.rows;
    },
    async setFault(spec: string) {
      const response = await fetch(`${url}/admin/fault`, { method: 'POST', headers: auth, body: spec });
      if (!response.ok) throw new Error(`collector /admin/fault answered ${response.status}: ${await response.text()}`);
    },
    async stop() {
      await child.stop();
    },
  };
}
