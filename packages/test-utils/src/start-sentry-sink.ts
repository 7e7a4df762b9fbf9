import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { closeServer } from './close-server';
import { parseEnvelope, readRequestBody, type EnvelopeItem } from '@kira/telemetry-wire';
import type { SentryEnvelopeRecord, SentryItem, SentrySink } from './types';
import { Waitable } from './waitable';
import { listenOnLoopback } from './listen-on-loopback';

const envelopeRoute = /^\/api\/([^/]+)\/envelope\/?$/;
const binaryItemTypes = new Set(['attachment', 'replay_recording', 'replay_video']);

const corsHeaders = {
  'access-control-allow-origin': '*',
  'access-control-allow-methods': 'POST, OPTIONS',
  'access-control-allow-headers': '*',
};

/**
 * A Sentry ingest endpoint on 127.0.0.1 (`POST /api/:project/envelope/`) that records every
 * envelope; point a real Sentry SDK at `sink.dsn()`.
 * Example: `Sentry.init({ dsn: sink.dsn() }); await sink.waitFor((item) => item.headers.type === 'event')`
 */
export async function startSentrySink(): Promise<SentrySink> {
  const envelopes: SentryEnvelopeRecord[] = [];
  const items = new Waitable<SentryItem>();

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    if (request.method === 'OPTIONS') {
      response.writeHead(200, corsHeaders).end();
      return;
    }
    const route = envelopeRoute.exec(url.pathname);
    if (!route || request.method !== 'POST') {
      response.writeHead(404, { ...corsHeaders, 'content-type': 'application/json' }).end(JSON.stringify({ detail: 'not found' }));
      return;
    }
    let record: SentryEnvelopeRecord;
    try {
      const envelope = parseEnvelope(await readRequestBody(request));
      const auth = headerValue(request.headers['x-sentry-auth']);
      record = {
        ...envelope,
        projectId: decodeURIComponent(route[1]!),
        publicKey: sentryKeyFromAuth(auth) ?? url.searchParams.get('sentry_key') ?? undefined,
        auth,
        path: url.pathname,
      };
    } catch (error) {
      response.writeHead(400, { ...corsHeaders, 'content-type': 'application/json' }).end(JSON.stringify({ detail: (error as Error).message }));
      return;
    }
    envelopes.push(record);
    for (const item of record.items) items.push(toSentryItem(item));
    const id = typeof record.headers.event_id === 'string' ? record.headers.event_id : randomUUID().replaceAll('-', '');
    response.writeHead(200, { ...corsHeaders, 'content-type': 'application/json' }).end(JSON.stringify({ id }));
  };

  const { server, port } = await listenOnLoopback(handle);
  const itemsOfType = (type?: string) => (type === undefined ? items.list.slice() : items.list.filter((item) => item.headers.type === type));

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    dsn: (projectId = '1', publicKey = 'public') => `http://${publicKey}@127.0.0.1:${port}/${projectId}`,
    envelopes,
    items: itemsOfType,
    events: () => itemsOfType('event').map((item) => item.payload),
    transactions: () => itemsOfType('transaction').map((item) => item.payload),
    waitFor: (predicate, timeoutMs = 10_000) => items.waitFor(predicate, timeoutMs, 'Sentry envelope item'),
    reset: () => {
      envelopes.length = 0;
      items.clear();
    },
    close: () => closeServer(server),
  };
}

function toSentryItem(item: EnvelopeItem): SentryItem {
  const type = String(item.headers.type);
  const contentType = typeof item.headers.content_type === 'string' ? item.headers.content_type : undefined;
  if (binaryItemTypes.has(type) || (contentType !== undefined && !contentType.includes('json'))) {
    return { headers: item.headers, payload: item.payload };
  }
  try {
    return { headers: item.headers, payload: JSON.parse(item.payload.toString('utf8')) };
  } catch {
    return { headers: item.headers, payload: item.payload };
  }
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function sentryKeyFromAuth(auth: string | undefined): string | undefined {
  return auth ? /sentry_key=([^,\s]+)/.exec(auth)?.[1] : undefined;
}
