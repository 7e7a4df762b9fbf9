import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { decodeOtlpRequest, encodeOtlpResponse, encodeOtlpStatus, OtlpDecodeError, otlpContentKind } from '@kira/telemetry-wire';
import type { CollectorContext } from './context';
import { faultApplies, formatFault, parseFault } from './fault';
import { logsToRows, metricsToPoints, spansToRows } from './otlp-records';
import { BodyError, decodeBody, readRawBody } from './read-body';
import { reportCollectorProblem } from './report-problem';
import { handleSentryEnvelope } from './sentry-receiver';
import { QueryFailedError, QueryRefusedError, StoreBusyError } from './store';
import type { FaultSpec } from './types';
import { handleWebRequest } from './web-ui';

type Signal = 'traces' | 'metrics' | 'logs';

const OTLP_PATHS: Record<string, Signal> = { '/v1/traces': 'traces', '/v1/metrics': 'metrics', '/v1/logs': 'logs' };
const ENVELOPE_PATH = /^\/api\/[^/]+\/envelope\/?$/;
/** google.rpc.Code values used in Status bodies. */
const RPC_CODE = { INVALID_ARGUMENT: 3, UNAUTHENTICATED: 16, RESOURCE_EXHAUSTED: 8, UNAVAILABLE: 14, INTERNAL: 13, UNIMPLEMENTED: 12 } as const;

/** Mutable server state the admin endpoint changes at runtime. */
export interface ServerState {
  fault: FaultSpec | undefined;
}

/** The HTTP server of the collector: OTLP, Sentry envelopes, `/query`, admin and the web page. */
export function createCollectorServer(ctx: CollectorContext, state: ServerState): Server {
  const server = createServer((request, response) => {
    handle(ctx, state, request, response).catch((error: unknown) => {
      reportCollectorProblem('request-failed', 'request failed:', error);
      if (!response.headersSent) sendJson(response, 500, { error: 'internal error' });
      else response.destroy();
    });
  });
  // Exporters keep connections alive between batches; a bounded idle time lets close() finish.
  server.keepAliveTimeout = 5_000;
  server.requestTimeout = 60_000;
  return server;
}

async function handle(ctx: CollectorContext, state: ServerState, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const url = new URL(request.url ?? '/', 'http://collector.invalid');
  const path = url.pathname;

  if (path === '/admin/fault') return handleAdminFault(ctx, state, request, response);
  if (path === '/health' || path === '/healthz') return sendJson(response, 200, { status: 'ok' });

  const signal = OTLP_PATHS[path];
  const isEnvelope = ENVELOPE_PATH.test(path);
  if ((signal || isEnvelope) && faultApplies(state.fault)) {
    const fault = state.fault;
    if (fault.delayMs) await new Promise((resolve) => setTimeout(resolve, fault.delayMs));
    if (fault.drop) {
      request.socket.destroy();
      return;
    }
    if (fault.status !== undefined) {
      request.resume();
      const headers: Record<string, string> = fault.retryAfter !== undefined ? { 'retry-after': String(fault.retryAfter) } : {};
      if (signal) return sendStatus(response, fault.status, RPC_CODE.UNAVAILABLE, 'fault injected', request.headers['content-type'], headers);
      return sendJson(response, fault.status, { detail: 'fault injected' }, headers);
    }
  }

  if (signal) return handleOtlp(ctx, signal, request, response);
  if (isEnvelope) return handleEnvelope(ctx, request, response);
  if (path === '/query') return handleQuery(ctx, request, response);
  if (await handleWebRequest(ctx, request, response)) return;
  if (!response.headersSent) sendJson(response, 404, { error: `not found: ${path}` });
}

function authorized(ctx: CollectorContext, request: IncomingMessage): boolean {
  const token = ctx.options.token;
  if (!token) return true;
  const header = request.headers.authorization ?? '';
  const match = /^bearer\s+(.+)$/i.exec(header.trim());
  return match !== null && match[1]?.trim() === token;
}

function isLoopback(request: IncomingMessage): boolean {
  const address = request.socket.remoteAddress ?? '';
  return address === '127.0.0.1' || address === '::1' || address === '::ffff:127.0.0.1' || address.startsWith('127.');
}

// ------------------------------------------------------------------------------------ OTLP

async function handleOtlp(ctx: CollectorContext, signal: Signal, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const contentType = request.headers['content-type'];
  if (request.method !== 'POST') {
    request.resume();
    return sendStatus(response, 405, RPC_CODE.UNIMPLEMENTED, `method ${request.method ?? ''} not allowed: OTLP/HTTP uses POST`, contentType, { allow: 'POST' });
  }
  if (!authorized(ctx, request)) {
    request.resume();
    return sendStatus(response, 401, RPC_CODE.UNAUTHENTICATED, 'missing or wrong bearer token', contentType, { 'www-authenticate': 'Bearer' });
  }
  if (otlpContentKind(contentType) === undefined) {
    request.resume();
    return sendStatus(response, 415, RPC_CODE.INVALID_ARGUMENT, `unsupported content type "${contentType ?? ''}": use application/x-protobuf or application/json`, undefined);
  }
  let decoded: Record<string, unknown>;
  try {
    const raw = await readRawBody(request, ctx.options.maxBodyBytes);
    const body = await decodeBody(raw, request.headers['content-encoding'], ctx.options.maxBodyBytes);
    decoded = body.length === 0 ? {} : decodeOtlpRequest(signal, body, contentType ?? '');
  } catch (error) {
    if (error instanceof BodyError) {
      const code = error.status === 413 ? RPC_CODE.RESOURCE_EXHAUSTED : RPC_CODE.INVALID_ARGUMENT;
      return sendStatus(response, error.status, code, error.message, contentType, error.status === 413 ? { connection: 'close' } : {});
    }
    if (error instanceof OtlpDecodeError) {
      const status = error.reason === 'unsupported-content-type' ? 415 : 400;
      return sendStatus(response, status, RPC_CODE.INVALID_ARGUMENT, error.message, contentType);
    }
    throw error;
  }

  let rejected: number;
  let errors: string[];
  try {
    if (signal === 'metrics') {
      const converted = metricsToPoints(decoded);
      const stored = converted.items.length > 0 ? await ctx.store.insertMetricPoints(converted.items) : { rejected: 0, errors: [] };
      rejected = converted.rejected + stored.rejected;
      errors = [...converted.errors, ...stored.errors];
    } else {
      const converted = signal === 'traces' ? spansToRows(decoded) : logsToRows(decoded);
      const dropped = converted.items.length > 0 ? await ctx.store.insertRows(signal === 'traces' ? 'spans' : 'logs', converted.items) : undefined;
      // Rows ClickHouse refused even alone were dropped: the sender learns it as a partial success.
      rejected = converted.rejected + (dropped?.rows ?? 0);
      errors = dropped === undefined ? converted.errors : [...converted.errors, dropped.reason];
    }
  } catch (error) {
    // 503 is retryable in OTLP/HTTP: exporters back off and send again.
    if (error instanceof StoreBusyError) return sendStatus(response, 503, RPC_CODE.UNAVAILABLE, error.message, contentType, { 'retry-after': '1' });
    throw error;
  }
  const result = rejected > 0 || errors.length > 0 ? { rejected, errorMessage: errors.join('; ') } : {};
  const kind = otlpContentKind(contentType) ?? 'protobuf';
  response.writeHead(200, { 'content-type': kind === 'json' ? 'application/json' : 'application/x-protobuf' });
  response.end(encodeOtlpResponse(signal, result, contentType));
}

function sendStatus(
  response: ServerResponse,
  status: number,
  code: number,
  message: string,
  contentType: string | undefined,
  headers: Record<string, string> = {},
): void {
  const kind = otlpContentKind(contentType) ?? 'protobuf';
  const body = encodeOtlpStatus(code, message, kind === 'json' ? 'application/json' : 'application/x-protobuf');
  response.writeHead(status, { 'content-type': kind === 'json' ? 'application/json' : 'application/x-protobuf', ...headers });
  response.end(body);
}

// --------------------------------------------------------------------------------- Sentry

async function handleEnvelope(ctx: CollectorContext, request: IncomingMessage, response: ServerResponse): Promise<void> {
  let body: Buffer;
  try {
    body = request.method === 'POST' ? await readRawBody(request, ctx.options.maxBodyBytes) : Buffer.alloc(0);
  } catch (error) {
    if (error instanceof BodyError) return sendJson(response, error.status, { detail: error.message }, { connection: 'close' });
    throw error;
  }
  const result = await handleSentryEnvelope(ctx, request, body);
  response.writeHead(result.status, result.headers ?? { 'content-type': 'application/json' });
  response.end(result.body);
}

// ---------------------------------------------------------------------------------- /query

const MAX_QUERY_BODY = 1024 * 1024;

async function handleQuery(ctx: CollectorContext, request: IncomingMessage, response: ServerResponse): Promise<void> {
  if (request.method !== 'POST') {
    request.resume();
    return sendJson(response, 405, { error: 'use POST /query with {"query", "start", "end"}' }, { allow: 'POST' });
  }
  if (!authorized(ctx, request)) {
    request.resume();
    return sendJson(response, 401, { error: 'missing or wrong bearer token' }, { 'www-authenticate': 'Bearer' });
  }
  let input: Record<string, unknown>;
  try {
    const raw = await readRawBody(request, MAX_QUERY_BODY);
    const parsed: unknown = JSON.parse(raw.toString('utf8'));
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('body must be a JSON object');
    input = parsed as Record<string, unknown>;
  } catch (error) {
    const status = error instanceof BodyError ? error.status : 400;
    return sendJson(response, status, { error: `invalid request: ${(error as Error).message}` });
  }
  if (typeof input.query !== 'string') return sendJson(response, 400, { error: 'invalid request: "query" must be a string' });
  // Anything but an ISO date string is an invalid date, answered with the 400 below.
  const isoDate = (value: unknown) => new Date(typeof value === 'string' ? value : Number.NaN);
  const endTime = input.end === undefined ? new Date() : isoDate(input.end);
  const startTime = input.start === undefined ? new Date(endTime.getTime() - 3_600_000) : isoDate(input.start);
  if (Number.isNaN(startTime.getTime()) || Number.isNaN(endTime.getTime())) {
    return sendJson(response, 400, { error: 'invalid request: "start" and "end" must be ISO dates' });
  }
  const interval = input.intervalSeconds ?? input.interval;
  const range = {
    startTime,
    endTime,
    ...(interval !== undefined ? { intervalSeconds: Number(interval) } : {}),
    ...(typeof input.source === 'string' ? { source: input.source } : {}),
  };
  const started = performance.now();
  try {
    const result = await ctx.store.readOnlyQuery(input.query, range);
    sendJson(response, 200, { ...result, elapsedMs: Math.round((performance.now() - started) * 10) / 10 });
  } catch (error) {
    if (error instanceof QueryRefusedError) return sendJson(response, 400, { error: `query refused: ${error.message}` });
    if (error instanceof QueryFailedError) return sendJson(response, 400, { error: `query failed: ${error.message}` });
    throw error;
  }
}

// ---------------------------------------------------------------------------------- admin

async function handleAdminFault(ctx: CollectorContext, state: ServerState, request: IncomingMessage, response: ServerResponse): Promise<void> {
  if (!isLoopback(request)) {
    request.resume();
    return sendJson(response, 403, { error: 'admin endpoints answer loopback clients only' });
  }
  if (!authorized(ctx, request)) {
    request.resume();
    return sendJson(response, 401, { error: 'missing or wrong bearer token' });
  }
  if (request.method === 'GET') return sendJson(response, 200, { fault: formatFault(state.fault) });
  if (request.method === 'DELETE') {
    request.resume();
    state.fault = undefined;
    return sendJson(response, 200, { fault: 'off' });
  }
  if (request.method !== 'POST') {
    request.resume();
    return sendJson(response, 405, { error: 'use GET, POST or DELETE' }, { allow: 'GET, POST, DELETE' });
  }
  try {
    const text = (await readRawBody(request, 64 * 1024)).toString('utf8').trim();
    let spec: unknown = text;
    if (text.startsWith('{')) spec = (JSON.parse(text) as { fault?: unknown }).fault ?? '';
    if (typeof spec !== 'string' && (spec === null || typeof spec !== 'object')) throw new Error('"fault" must be a spec string or object');
    state.fault = parseFault(spec);
  } catch (error) {
    return sendJson(response, 400, { error: (error as Error).message });
  }
  sendJson(response, 200, { fault: formatFault(state.fault) });
}

function sendJson(response: ServerResponse, status: number, payload: unknown, headers: Record<string, string> = {}): void {
  const body = JSON.stringify(payload);
  response.writeHead(status, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), ...headers });
  response.end(body);
}
