// Test-only (not exported, not bundled): a real HTTP server on 127.0.0.1:0 playing an AI provider.
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { listenOnLoopback } from '@kira/test-utils';
import { afterAll, beforeAll } from 'vitest';

export interface ReceivedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  rawHeaders: string[];
}

export interface LocalTestServer {
  url: string;
  port: number;
  requests: ReceivedRequest[];
  close(): Promise<void>;
}

export const STREAM_CHUNKS = ['data: {"delta":"Hel"}\n\n', 'data: {"delta":"lo"}\n\n', 'data: [DONE]\n\n'];

/**
 * Routes: `/ok` (200 JSON), `/status/<code>`, `/slow` (answers after 5 s), `/stream` (three chunks
 * 60 ms apart), `/broken-stream` (one chunk, then the socket is destroyed), `/headers`
 * (x-request-id, retry-after, set-cookie).
 */
export async function startLocalTestServer(): Promise<LocalTestServer> {
  const requests: ReceivedRequest[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const later = (ms: number, run: () => void) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      run();
    }, ms);
    timers.add(timer);
  };

  const { server, port, url } = await listenOnLoopback((request: IncomingMessage, response: ServerResponse) => {
    requests.push({
      method: request.method ?? '',
      url: request.url ?? '',
      headers: request.headers,
      rawHeaders: request.rawHeaders,
    });
    request.resume();
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    const status = /^\/status\/(\d{3})$/.exec(path);
    if (path === '/ok') {
      response.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    } else if (status) {
      response.writeHead(Number(status[1]), { 'content-type': 'application/json' }).end('{"error":"status"}');
    } else if (path === '/slow') {
      later(5_000, () => response.writeHead(200).end('late'));
    } else if (path === '/stream') {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      STREAM_CHUNKS.forEach((chunk, index) =>
        later(60 * (index + 1), () => (index === STREAM_CHUNKS.length - 1 ? response.end(chunk) : response.write(chunk))),
      );
    } else if (path === '/broken-stream') {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.write(STREAM_CHUNKS[0]);
      later(60, () => response.socket?.destroy());
    } else if (path === '/headers') {
      response
        .writeHead(200, { 'x-request-id': 'req-123', 'retry-after': '7', 'set-cookie': 'session=abc' })
        .end('headers');
    } else {
      response.writeHead(404).end('not found');
    }
  });
  return {
    url,
    port,
    requests,
    close: async () => {
      for (const timer of timers) clearTimeout(timer);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * One server for all tests of a file: started before them, closed after them. The returned object
 * reads through to the running server.
 */
export function useLocalTestServer(): LocalTestServer {
  let running: LocalTestServer | undefined;
  beforeAll(async () => {
    running = await startLocalTestServer();
  });
  afterAll(async () => {
    await running?.close();
  });
  const current = (): LocalTestServer => {
    if (running === undefined) throw new Error('the local test server is not running (use it inside tests)');
    return running;
  };
  return {
    get url() {
      return current().url;
    },
    get port() {
      return current().port;
    },
    get requests() {
      return current().requests;
    },
    close: () => current().close(),
  };
}
