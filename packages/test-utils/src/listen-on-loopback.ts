import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';

/** PEM key and certificate for an HTTPS test server (see `selfSignedCertificate`). */
export interface LoopbackTls {
  key: string;
  cert: string;
}

/**
 * An HTTP server on 127.0.0.1 (port 0 = any free one) whose handler, sync or async, may throw: a
 * failure answers 500 with the message instead of leaving the request hanging. With `tls`, an
 * HTTPS server and an `https://` URL.
 */
export async function listenOnLoopback(
  handle: (request: http.IncomingMessage, response: http.ServerResponse) => void | Promise<void>,
  port = 0,
  tls?: LoopbackTls,
): Promise<{ server: http.Server | https.Server; port: number; url: string }> {
  const listener = (request: http.IncomingMessage, response: http.ServerResponse): void => {
    new Promise<void>((resolve) => resolve(handle(request, response))).catch((error: unknown) => {
      if (!response.headersSent) response.writeHead(500);
      response.end(String(error));
    });
  };
  const server = tls === undefined ? http.createServer(listener) : https.createServer({ key: tls.key, cert: tls.cert }, listener);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const { port: bound } = server.address() as AddressInfo;
  return { server, port: bound, url: `${tls === undefined ? 'http' : 'https'}://127.0.0.1:${bound}` };
}
