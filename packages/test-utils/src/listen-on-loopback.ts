import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * An HTTP server on 127.0.0.1 (port 0 = any free one) whose handler, sync or async, may throw: a
 * failure answers 500 with the message instead of leaving the request hanging.
 */
export async function listenOnLoopback(
  handle: (request: http.IncomingMessage, response: http.ServerResponse) => void | Promise<void>,
  port = 0,
): Promise<{ server: http.Server; port: number; url: string }> {
  const server = http.createServer((request, response) => {
    new Promise<void>((resolve) => resolve(handle(request, response))).catch((error: unknown) => {
      if (!response.headersSent) response.writeHead(500);
      response.end(String(error));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const { port: bound } = server.address() as AddressInfo;
  return { server, port: bound, url: `http://127.0.0.1:${bound}` };
}
