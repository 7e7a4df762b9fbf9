import type { IncomingMessage, ServerResponse } from 'node:http';
import { closeServer } from './close-server';
import { decodeOtlpRequest, encodeOtlpResponse, encodeOtlpStatus, otlpContentKind, readRequestBody, type OtlpSignal } from '@kira/telemetry-wire';
import { flattenLogs, flattenMetrics, flattenSpans } from './flatten-otlp';
import type { CapturedRequest, OtlpCaptureServer, OtlpCaptureServerOptions } from './types';
import { Waitable } from './waitable';
import { listenOnLoopback } from './listen-on-loopback';

// Browser exporters (chromium tests) send cross-origin requests with a preflight.
const corsHeaders = {
  'access-control-allow-origin': '*',
  'access-control-allow-methods': 'POST, OPTIONS',
  'access-control-allow-headers': '*',
};

const signalByPathEnding: Array<[string, OtlpSignal]> = [
  ['/v1/traces', 'traces'],
  ['/v1/metrics', 'metrics'],
  ['/v1/logs', 'logs'],
];

/**
 * An OTLP/HTTP receiver on 127.0.0.1 that records and decodes every request (protobuf or JSON,
 * gzip) and answers 200 with an empty Export*ServiceResponse unless `respond` says otherwise.
 * With `tls` it listens for HTTPS (for the exporters' certificate settings).
 * Example: `const otlp = await startOtlpCaptureServer(); new OTLPTraceExporter({ url: `${otlp.url}/v1/traces` })`
 */
export async function startOtlpCaptureServer(options: OtlpCaptureServerOptions = {}): Promise<OtlpCaptureServer> {
  const captured = new Waitable<CapturedRequest>();

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    if (request.method === 'OPTIONS') {
      response.writeHead(204, corsHeaders).end();
      return;
    }
    const path = (request.url ?? '/').split('?', 1)[0]!;
    const signal = signalByPathEnding.find(([ending]) => path.endsWith(ending))?.[1];
    const contentType = request.headers['content-type'] ?? '';
    let rawBody: Buffer;
    let body: any;
    let decodeError: string | undefined;
    try {
      rawBody = await readRequestBody(request);
    } catch (error) {
      rawBody = Buffer.alloc(0);
      decodeError = `could not decompress body: ${(error as Error).message}`;
    }
    body = rawBody;
    if (signal && decodeError === undefined) {
      try {
        body = decodeOtlpRequest(signal, rawBody, contentType);
      } catch (error) {
        decodeError = (error as Error).message;
      }
    }
    const record: CapturedRequest = { method: request.method ?? 'GET', path, headers: request.headers, contentType, signal, body, rawBody };
    if (decodeError !== undefined) record.decodeError = decodeError;
    captured.push(record);

    const override = options.respond?.(record);
    if (override) {
      response.writeHead(override.status, { ...corsHeaders, ...override.headers });
      response.end(override.body);
      return;
    }
    const answerType = otlpContentKind(contentType) === 'json' ? 'application/json' : 'application/x-protobuf';
    if (!signal) {
      response.writeHead(404, { ...corsHeaders, 'content-type': answerType });
      response.end(encodeOtlpStatus(5, `no OTLP signal at ${path}`, answerType));
    } else if (decodeError !== undefined) {
      response.writeHead(400, { ...corsHeaders, 'content-type': answerType });
      response.end(encodeOtlpStatus(3, decodeError, answerType));
    } else {
      response.writeHead(200, { ...corsHeaders, 'content-type': answerType });
      response.end(encodeOtlpResponse(signal, {}, answerType));
    }
  };

  const { server, port, url } = await listenOnLoopback(handle, options.port ?? 0, options.tls);

  const ofSignal = (signal: OtlpSignal) => captured.list.filter((request) => request.signal === signal && request.decodeError === undefined);

  return {
    url,
    port,
    requests: captured.list,
    waitFor: (predicate, timeoutMs = 10_000) => captured.waitFor(predicate, timeoutMs, 'OTLP request'),
    spans: () => ofSignal('traces').flatMap((request) => flattenSpans(request.body)),
    logs: () => ofSignal('logs').flatMap((request) => flattenLogs(request.body)),
    metrics: () => ofSignal('metrics').flatMap((request) => flattenMetrics(request.body)),
    reset: () => captured.clear(),
    close: () => closeServer(server),
  };
}
