import { timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CollectorContext } from './context';
import { sentryReceiverStats } from './sentry-receiver';
import { alertsPayload, dashboardsPayload } from './web/dashboard-data';
import { logsPayload, sentryPayload, tracesPayload } from './web/telemetry-data';
import { parseUiRange } from './web/ui-range';

/** Static files of the page, served as they are (no build step). */
const ASSETS: Record<string, { file: string; type: string }> = {
  '/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/index.html': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/ui/app.js': { file: 'app.js', type: 'text/javascript; charset=utf-8' },
  '/ui/styles.css': { file: 'styles.css', type: 'text/css; charset=utf-8' },
};

// Everything on the page is built with DOM APIs from untrusted telemetry; the policy makes sure
// that even a missed escape can't run script or send data anywhere but back here.
const SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

const assetCache = new Map<string, Buffer>();
const COOKIE = 'kira_collector_token';

function sameSecret(offered: string, expected: string): boolean {
  const a = Buffer.from(offered);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** With `--token`, the page's data needs the Bearer header or the cookie `/?token=` set. */
function hasToken(request: IncomingMessage, token: string): boolean {
  const bearer = /^bearer\s+(.+)$/i.exec((request.headers.authorization ?? '').trim())?.[1]?.trim();
  if (bearer !== undefined && sameSecret(bearer, token)) return true;
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name !== COOKIE) continue;
    try {
      if (sameSecret(decodeURIComponent(value.join('=')), token)) return true;
    } catch {
      // A malformed cookie is just not the token.
    }
  }
  return false;
}

/**
 * The sources live in `src/web`; from a tsup bundle in `dist/` they are found one level up, so
 * the page works from the sources (tests, `tsx`) and from the built CLI without a copy step.
 */
function readAsset(file: string): Buffer {
  const cached = assetCache.get(file);
  if (cached) return cached;
  const candidates = [new URL(`./web/${file}`, import.meta.url), new URL(`../src/web/${file}`, import.meta.url)];
  let lastError: unknown;
  for (const candidate of candidates) {
    try {
      const content = readFileSync(candidate);
      assetCache.set(file, content);
      return content;
    } catch (error) {
      lastError = error;
    }
  }
  throw lastError;
}

/**
 * Serves the page at `/`, its script and styles under `/ui/`, and the JSON it polls every 5 s:
 * - `/api/ui/dashboards?range=15m|1h|6h` — every panel of `builtInDashboards`, per-minute series
 * - `/api/ui/alerts` — `builtInAlerts` evaluated on their own queries over the last 30 minutes
 * - `/api/ui/traces?range=…&trace_id=…` — recent traces as trees (OTel and Sentry spans together)
 * - `/api/ui/logs?range=…`, `/api/ui/sentry?range=…` — recent log records and Sentry events
 * - `/api/ui/status` — Sentry receiver counters (envelopes, encodings, skipped item types)
 * With `--token`, the data needs `Authorization: Bearer <token>` or the cookie that opening
 * `/?token=<token>` once sets. Returns false for any other path (the caller answers 404).
 */
export async function handleWebRequest(
  ctx: CollectorContext,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<boolean> {
  const url = new URL(request.url ?? '/', 'http://collector.invalid');
  const path = url.pathname;
  const asset = ASSETS[path];
  const isApi = path.startsWith('/api/ui/');
  if (!asset && !isApi) return false;
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    send(response, 405, 'application/json', JSON.stringify({ error: 'method not allowed' }), { allow: 'GET, HEAD' }, request);
    return true;
  }
  const token = ctx.options.token;
  if (asset) {
    const offered = url.searchParams.get('token');
    if (token && offered !== null) {
      // Browsers can't send a Bearer header when loading a page: `/?token=…` trades the token for
      // a same-site, script-invisible cookie once, and the address bar forgets it.
      if (!sameSecret(offered, token)) {
        send(response, 403, 'text/plain; charset=utf-8', 'wrong token', {}, request);
        return true;
      }
      send(response, 303, 'text/plain; charset=utf-8', '', {
        location: '/',
        'set-cookie': `${COOKIE}=${encodeURIComponent(token)}; Path=/; HttpOnly; SameSite=Strict`,
      }, request);
      return true;
    }
    send(response, 200, asset.type, readAsset(asset.file), { 'cache-control': 'no-cache' }, request);
    return true;
  }
  if (token && !hasToken(request, token)) {
    send(response, 401, 'application/json', JSON.stringify({ error: 'unauthorized: open /?token=<collector token> once, or send Authorization: Bearer <token>' }), { 'www-authenticate': 'Bearer' }, request);
    return true;
  }

  const range = parseUiRange(url.searchParams.get('range'));
  let payload: unknown;
  try {
    switch (path) {
      case '/api/ui/dashboards':
        payload = await dashboardsPayload(ctx, range);
        break;
      case '/api/ui/alerts':
        payload = await alertsPayload(ctx);
        break;
      case '/api/ui/traces':
        payload = await tracesPayload(ctx, range, url.searchParams.get('trace_id') ?? undefined);
        break;
      case '/api/ui/logs':
        payload = await logsPayload(ctx, range);
        break;
      case '/api/ui/sentry':
        payload = await sentryPayload(ctx, range);
        break;
      case '/api/ui/status':
        payload = { sentry: sentryReceiverStats(ctx), time: new Date().toISOString() };
        break;
      default:
        send(response, 404, 'application/json', JSON.stringify({ error: `unknown endpoint ${path}` }), {}, request);
        return true;
    }
  } catch (error) {
    send(response, 500, 'application/json', JSON.stringify({ error: (error as Error).message }), {}, request);
    return true;
  }
  send(response, 200, 'application/json', JSON.stringify(payload), { 'cache-control': 'no-store' }, request);
  return true;
}

function send(
  response: ServerResponse,
  status: number,
  type: string,
  body: string | Buffer,
  headers: Record<string, string>,
  request: IncomingMessage,
): void {
  const content = typeof body === 'string' ? Buffer.from(body) : body;
  response.writeHead(status, { 'content-type': type, 'content-length': String(content.length), ...SECURITY_HEADERS, ...headers });
  response.end(request.method === 'HEAD' ? undefined : content);
}
