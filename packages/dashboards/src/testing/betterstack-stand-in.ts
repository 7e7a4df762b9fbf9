import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local stand-in of the BetterStack Telemetry API (node:http on 127.0.0.1): it checks the
 * Bearer token, records requests and answers like the documented endpoints.
 */
export interface BetterStackStandIn {
  url: string;

  requests: { method: string; path: string; authorization: string | undefined; body: any }[];
  failPath?: string;
  close(): Promise<void>;
}

export async function startBetterStackStandIn(token: string): Promise<BetterStackStandIn> {
  let nextId = 100;
  const standIn: BetterStackStandIn = { url: '', requests: [], close: async () => {} };
  const readBody = async (request: IncomingMessage) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  };
  const server: Server = createServer((request, response) => {
    void readBody(request).then((text) => {
      const path = request.url ?? '';
      standIn.requests.push({ method: request.method ?? '', path, authorization: request.headers.authorization, body: text === '' ? undefined : JSON.parse(text) });
      const reply = (status: number, body: unknown) => {
        response.writeHead(status, { 'content-type': 'application/json' });
        response.end(JSON.stringify(body));
      };
      if (request.headers.authorization !== `Bearer ${token}`) return reply(401, { errors: 'Invalid Team API token' });
      if (path === standIn.failPath) return reply(422, { errors: 'Sorry, some values are incorrect' });
      const id = String(nextId++);
      if (request.method === 'POST' && path === '/api/v2/dashboards/import') return reply(201, { data: { id, type: 'dashboard', attributes: { name: JSON.parse(text).name } } });
      if (request.method === 'POST' && path === '/api/v2/explorations') return reply(201, { data: { id, type: 'exploration' } });
      if (request.method === 'POST' && /^\/api\/v2\/explorations\/\d+\/alerts$/.test(path)) return reply(201, { data: { id, type: 'alert' } });
      return reply(404, { errors: 'Not found' });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  standIn.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  standIn.close = () => new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
  return standIn;
}
