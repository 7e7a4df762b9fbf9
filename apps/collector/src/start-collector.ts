import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { DEFAULT_RETENTION_DAYS, retentionTtlSeconds } from '@kira/dashboards/schema';
import type { CollectorContext } from './context';
import { parseFault } from './fault';
import { createCollectorServer, type ServerState } from './server';
import { createStore } from './store';
import type { Collector, CollectorOptions, ResolvedCollectorOptions } from './types';

/** Applies defaults (and `KIRA_COLLECTOR_FAULT` when no fault option is given). */
export function resolveCollectorOptions(options: CollectorOptions = {}, env: NodeJS.ProcessEnv = process.env): ResolvedCollectorOptions {
  const retentionDays = options.retentionDays ?? DEFAULT_RETENTION_DAYS;
  try {
    // The one rule for a retention (positive, at most MAX_RETENTION_DAYS), the TTL's own.
    retentionTtlSeconds(retentionDays);
  } catch (error) {
    throw new Error(`invalid retention (--retention, option retentionDays): ${(error as Error).message}`, { cause: error });
  }
  const maxBodyBytes = options.maxBodyBytes ?? 16 * 1024 * 1024;
  if (!(maxBodyBytes > 0)) throw new Error(`max body must be positive, got ${String(maxBodyBytes)}`);
  const host = options.host ?? '127.0.0.1';
  const token = options.token || undefined;
  const allowUnauthenticated = options.allowUnauthenticated === true;
  if (token === undefined && !allowUnauthenticated && !isLoopbackHost(host)) {
    throw new Error(
      `refusing to listen on ${host} without a token: anyone who can reach it could read every stored span, log and Sentry event. ` +
        'Pass --token <secret> (option `token`), or --allow-unauthenticated (option `allowUnauthenticated`) if that is really what you want',
    );
  }
  return {
    port: options.port ?? 4318,
    host,
    dataDir: resolve(options.dataDir ?? '.data/collector'),
    token,
    allowUnauthenticated,
    retentionDays,
    maxBodyBytes,
    fault: parseFault(options.fault ?? env.KIRA_COLLECTOR_FAULT),
    flushIntervalMs: options.flushIntervalMs ?? 50,
    flushRows: options.flushRows ?? 5_000,
    retentionCheckIntervalMs: options.retentionCheckIntervalMs ?? 10 * 60_000,
    maxPendingRows: options.maxPendingRows ?? 500_000,
  };
}

/** Whether `host` binds to this machine only: `localhost`, 127.0.0.0/8 or `::1`. */
export function isLoopbackHost(host: string): boolean {
  const bare = host.trim().toLowerCase().replace(/^\[(.*)\]$/, '$1');
  return bare === 'localhost' || bare === '::1' || /^127(?:\.\d{1,3}){3}$/.test(bare) || /^::ffff:127(?:\.\d{1,3}){3}$/.test(bare);
}

/**
 * Starts the collector: opens the chdb store in `dataDir` (one per process), applies the schema
 * and retention, and listens. Resolves once it accepts connections.
 *
 * @example const collector = await startCollector({ port: 0, dataDir: tmp }); … await collector.close();
 */
export async function startCollector(options: CollectorOptions = {}): Promise<Collector> {
  const resolved = resolveCollectorOptions(options);
  const store = await createStore({
    dataDir: resolved.dataDir,
    retentionDays: resolved.retentionDays,
    flushIntervalMs: resolved.flushIntervalMs,
    flushRows: resolved.flushRows,
    maxPendingRows: resolved.maxPendingRows,
  });
  const ctx: CollectorContext = { store, options: resolved };
  const state: ServerState = { fault: resolved.fault };
  const server = createCollectorServer(ctx, state);
  try {
    await new Promise<void>((resolveListen, rejectListen) => {
      server.once('error', rejectListen);
      server.listen(resolved.port, resolved.host, () => {
        server.off('error', rejectListen);
        resolveListen();
      });
    });
  } catch (error) {
    await store.close();
    throw error;
  }
  const port = (server.address() as AddressInfo).port;
  const host = resolved.host.includes(':') ? `[${resolved.host}]` : resolved.host === '0.0.0.0' ? '127.0.0.1' : resolved.host;

  const retentionFailed = (error: unknown) => console.error('kira-collector: retention check failed:', (error as Error).message);
  void store.applyRetention().catch(retentionFailed);
  const retentionTimer = setInterval(() => void store.applyRetention().catch(retentionFailed), resolved.retentionCheckIntervalMs);
  retentionTimer.unref();

  let closing: Promise<void> | undefined;
  return {
    url: `http://${host}:${port}`,
    port,
    store,
    options: resolved,
    setFault(fault) {
      state.fault = parseFault(fault);
    },
    close() {
      closing ??= (async () => {
        clearInterval(retentionTimer);
        await new Promise<void>((resolveClose) => {
          // In-flight requests finish; idle keep-alive sockets close now, stragglers after 5 s.
          const force = setTimeout(() => server.closeAllConnections(), 5_000);
          force.unref();
          server.close(() => {
            clearTimeout(force);
            resolveClose();
          });
          server.closeIdleConnections();
        });
        await store.close();
      })();
      return closing;
    },
  };
}
