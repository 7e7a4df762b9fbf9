// The demo service process. Started as `node --import @kira/otel-core/register dist/service.js`
// (otel-core reads its OTEL_* / KIRA_TELEMETRY settings from the environment before this runs).
import { readdir, readFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { serve } from '@hono/node-server';
import { initSentry } from '@kira/sentry';
import { createDemoApp } from './app';
import { createCache } from './cache';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

async function loadWebAssets(dir: string | undefined) {
  const assets = new Map<string, { body: Buffer; type: string }>();
  if (!dir) return assets;
  const walk = async (relative: string): Promise<void> => {
    for (const entry of await readdir(join(dir, relative), { withFileTypes: true }).catch(() => [])) {
      const path = `${relative}/${entry.name}`;
      if (entry.isDirectory()) await walk(path);
      else assets.set(path, { body: await readFile(join(dir, path)), type: CONTENT_TYPES[extname(entry.name)] ?? 'application/octet-stream' });
    }
  };
  await walk('');
  return assets;
}

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`demo service: ${name} is not set`);
  return value;
}

initSentry();
const cache = createCache(process.env.REDIS_URL);
const app = createDemoApp({
  providerBaseUrl: required('PROVIDER_BASE_URL'),
  providerApiKey: required('PROVIDER_API_KEY'),
  jwtSecret: required('JWT_SECRET'),
  cache,
  webAssets: await loadWebAssets(process.env.WEB_DIR),
  browserSentryDsn: process.env.BROWSER_SENTRY_DSN,
});

const server = serve({ fetch: app.fetch, port: Number(process.env.PORT ?? 0), hostname: '127.0.0.1' }, (info) => {
  console.log(JSON.stringify({ event: 'ready', port: info.port, cache: cache.kind }));
});

// otel-core flushes telemetry on SIGTERM by itself; the service only stops taking requests.
process.once('SIGTERM', () => {
  server.close(() => void cache.close());
});
