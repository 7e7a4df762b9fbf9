// Child process: the loopback "external API" for the fetch benchmarks, kept out of the measured
// process so its work is not counted there.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { serveParent } from './child-process.ts';

const body = JSON.stringify({ ok: true });
const server = http.createServer((request, response) => {
  request.resume();
  response.writeHead(200, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
    // Lets the micro worker check that its untraced path really goes without a trace header.
    'x-traceparent-seen': request.headers.traceparent === undefined ? 'no' : 'yes',
  });
  response.end(body);
});
server.keepAliveTimeout = 60_000;
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));

serveParent({}, { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
