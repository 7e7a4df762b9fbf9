// One keep-alive loopback connection to a Hono app served by @hono/node-server, for the micro
// worker's over-loopback cases (docs/hono-request-cost.md, "User time, not system time"). Each
// call writes one GET and resolves when its response has been read back, with one request in
// flight. The client is a bare socket, not node:http's client, so that the part of each call that
// is not the server stays small. Import it after telemetry has started: it loads node:http.
import type { ServerOptions } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { serve } from '@hono/node-server';
import { BENCH_PATH } from './hono-app.ts';

/**
 * The loopback servers' Node options. Their connections are opened when the worker starts and
 * first used when their case comes round, minutes later on a slow VM. Node's server answers a
 * connection that has sent no request within `headersTimeout` (60 s by default, checked every
 * 30 s) with `408 Request Timeout` and closes it: the full run of 2026-12-07 15:38 UTC failed on
 * that, the first time a run reached those cases that late. With both timeouts 0 Node checks
 * nothing, as a connection that idles between cases needs.
 */
export const LOOPBACK_SERVER_OPTIONS: Readonly<ServerOptions> = Object.freeze({ requestTimeout: 0, headersTimeout: 0 });

const LOOPBACK_REQUEST = Buffer.from(`GET ${BENCH_PATH} HTTP/1.1\r\nHost: localhost\r\n\r\n`);

export interface LoopbackCaller {
  /** One request over the connection, resolved when its whole response has been read. */
  call: () => Promise<void>;
  /** Whether the connection is still open (the server may close it, as Node's 408 does). */
  isOpen: () => boolean;
  /** Closes the connection and the server. */
  close: () => Promise<void>;
}

export async function loopbackCaller(
  app: { fetch: (request: Request, env?: unknown) => Response | Promise<Response> },
  serverOptions: Readonly<ServerOptions> = LOOPBACK_SERVER_OPTIONS,
): Promise<LoopbackCaller> {
  const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1', serverOptions: { ...serverOptions } });
  // The connection idles while the other cases run, far longer than the default 5 s keep-alive.
  (server as { keepAliveTimeout?: number }).keepAliveTimeout = 0;
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const { port } = server.address() as AddressInfo;
  const socket = await new Promise<Socket>((resolve, reject) => {
    const opened = connect(port, '127.0.0.1', () => resolve(opened));
    opened.once('error', reject);
  });
  socket.setNoDelay(true);
  let received = '';
  let answered: ((error?: Error) => void) | undefined;
  // Only the call in flight hears how it ended; anything the server sends between calls (a 408
  // while idle) stays in `received` and fails the next call with its status line.
  const settle = (error?: Error) => {
    const settleCall = answered;
    answered = undefined;
    settleCall?.(error);
  };
  socket.on('data', (chunk: Buffer) => {
    received += chunk.toString('latin1');
    const headerEnd = received.indexOf('\r\n\r\n');
    if (headerEnd < 0) return;
    const length = /\r\ncontent-length: *(\d+)/i.exec(received.slice(0, headerEnd));
    // One request in flight: a response without a length could not be told from the next one.
    if (length === null) return settle(new Error(`loopback response without Content-Length: "${firstLine(received)}"`));
    const end = headerEnd + 4 + Number(length[1]);
    if (received.length < end) return;
    received = received.slice(end);
    settle();
  });
  socket.on('error', (error) => settle(error));
  const closedError = () => new Error(`the loopback connection closed${received === '' ? '' : ` after "${firstLine(received)}"`}`);
  socket.on('close', () => settle(closedError()));
  return {
    call: () =>
      new Promise<void>((resolve, reject) => {
        if (socket.destroyed) {
          reject(closedError());
          return;
        }
        answered = (error) => (error ? reject(error) : resolve());
        socket.write(LOOPBACK_REQUEST);
      }),
    isOpen: () => !socket.destroyed,
    close: async () => {
      socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function firstLine(text: string): string {
  const end = text.indexOf('\r\n');
  return end < 0 ? text : text.slice(0, end);
}
