import { createHash } from 'node:crypto';
import { createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ExportAttempt {
  signal: string;
  /** Same hash = the same batch sent again (a retry). */
  bodyHash: string;
  startedMs: number;
  endedMs: number;
  /** Status the collector answered, or `'aborted'` when the exporter gave up first. */
  status: number | 'aborted';
  retryAfter: string | undefined;
}

export interface CountingProxy {
  url: string;
  attempts: ExportAttempt[];
  close(): Promise<void>;
}

/**
 * A pass-through HTTP proxy between the service and the collector that records every export
 * attempt (signal, body hash, status, timing). The collector does not count requests per status,
 * so the count is taken here, on the wire.
 */
export async function startCountingProxy(target: string): Promise<CountingProxy> {
  const attempts: ExportAttempt[] = [];
  const server = createServer((incoming, outgoing) => {
    const startedMs = performance.now();
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => {
      const body = Buffer.concat(chunks);
      const attempt: ExportAttempt = {
        signal: (incoming.url ?? '').replace(/^\/v1\//, ''),
        bodyHash: createHash('sha1').update(body).digest('hex'),
        startedMs,
        endedMs: Number.NaN,
        status: 'aborted',
        retryAfter: undefined,
      };
      attempts.push(attempt);
      let clientGone = false;
      const upstream = httpRequest(`${target}${incoming.url ?? '/'}`, { method: incoming.method, headers: incoming.headers }, (response) => {
        if (clientGone) {
          response.resume();
          return;
        }
        attempt.status = response.statusCode ?? 0;
        attempt.retryAfter = response.headers['retry-after'];
        attempt.endedMs = performance.now();
        outgoing.writeHead(response.statusCode ?? 502, response.headers);
        response.pipe(outgoing);
      });
      upstream.on('error', () => {
        if (!outgoing.headersSent && !outgoing.destroyed) outgoing.writeHead(502).end();
      });
      upstream.end(body);
      // The exporter closing the socket before the answer = it gave up (its timeout).
      outgoing.on('close', () => {
        if (attempt.status !== 'aborted') return;
        clientGone = true;
        attempt.endedMs = performance.now();
        upstream.destroy();
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    attempts,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
