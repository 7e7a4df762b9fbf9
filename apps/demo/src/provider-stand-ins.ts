// STAND-INS — the real AI providers (BytePlus, fal, OpenAI …) cannot be reached from here. This is
// a local HTTP server on 127.0.0.1 that answers on provider-like paths with provider-like bodies,
// configurable latency and failures, and a streamed (server-sent events) chat completion. It also
// demands an API key the way providers do, so the demo really carries secrets that the telemetry
// must redact.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface StandInBehaviour {
  /** Added latency per provider, milliseconds. */
  latencyMs?: Partial<Record<string, number>>;
  /** Fraction (0–1) of calls per provider answered with 503. */
  errorRate?: Partial<Record<string, number>>;
}

export interface ProviderStandIns {
  url: string;
  /** Requests seen per provider, for the scenario summary. */
  calls: Record<string, number>;
  setBehaviour(behaviour: StandInBehaviour): void;
  close(): Promise<void>;
}

const PNG_1X1_BASE64 =
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=';

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function json(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  response.writeHead(status, { 'content-type': 'application/json', ...headers });
  response.end(JSON.stringify(body));
}

function hasApiKey(request: IncomingMessage, url: URL): boolean {
  return Boolean(request.headers.authorization || request.headers['x-api-key'] || url.searchParams.get('key'));
}

export async function startProviderStandIns(initial: StandInBehaviour = {}): Promise<ProviderStandIns> {
  let behaviour: StandInBehaviour = initial;
  const calls: Record<string, number> = {};

  const answer = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const url = new URL(request.url ?? '/', 'http://stand-in');
    const provider = url.pathname.split('/')[1] ?? '';
    calls[provider] = (calls[provider] ?? 0) + 1;
    // Drain the request body; the stand-ins answer the same whatever the prompt.
    for await (const _chunk of request) void _chunk;

    await sleep(behaviour.latencyMs?.[provider] ?? 20);
    // A test can force an outcome per call: `x-stand-in-status: 500|429`.
    const forced = Number(request.headers['x-stand-in-status']);
    if (forced >= 400) return json(response, forced, { error: { message: `stand-in forced ${forced}` } }, forced === 429 ? { 'retry-after': '1' } : {});
    if (Math.random() < (behaviour.errorRate?.[provider] ?? 0)) return json(response, 503, { error: { message: 'stand-in overloaded' } });
    if (!hasApiKey(request, url)) return json(response, 401, { error: { message: 'missing API key' } });

    switch (url.pathname) {
      case '/byteplus/api/v3/images/generations':
        return json(response, 200, { model: 'seedream-4-0', data: [{ b64_json: PNG_1X1_BASE64, size: '1x1' }] });
      case '/fal/fal-ai/flux/dev':
        return json(response, 200, { images: [{ url: 'https://stand-in.invalid/image.png', width: 1024, height: 1024 }], seed: 42 });
      case '/openai/v1/chat/completions': {
        response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
        for (const word of ['A ', 'cat ', 'in ', 'a ', 'hat.']) {
          response.write(`data: ${JSON.stringify({ choices: [{ delta: { content: word } }] })}\n\n`);
          await sleep(5);
        }
        response.end('data: [DONE]\n\n');
        return;
      }
      default:
        return json(response, 404, { error: { message: `stand-in has no ${url.pathname}` } });
    }
  };
  // A stand-in that fails ends that one request, never the demo.
  const server = createServer((request, response) => {
    answer(request, response).catch((error: unknown) => response.destroy(error instanceof Error ? error : undefined));
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    setBehaviour(next) {
      behaviour = next;
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
