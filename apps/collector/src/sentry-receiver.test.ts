import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import * as Sentry from '@sentry/node';
import { waitUntil } from '@kira/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handleSentryEnvelope, type SentryReceiverStats } from './sentry-receiver';
import { collectorForFile } from './testing/collector-for-file';

const collector = collectorForFile('kira-collector-sentry-', { flushIntervalMs: 20 });

beforeAll(() => {
  Sentry.init({
    dsn: `http://key@127.0.0.1:${collector.current.port}/1`,
    tracesSampleRate: 1,
    // One transaction envelope per local root span (the default "stream" sends span containers,
    // covered below with the SDK's exact wire format).
    traceLifecycle: 'static',
    // The HTTP integration would trace the collector's own server in this process and send those
    // spans back to it, forever.
    defaultIntegrations: false,
    environment: 'test',
    release: 'kira-collector-test@1.0.0',
  });
});

// Registered after the harness's, so it runs first (afterAll hooks run in reverse): the SDK
// flushes to a collector that still runs.
afterAll(async () => {
  await Sentry.close(2_000);
});

async function rows(sql: string): Promise<Record<string, unknown>[]> {
  return (await collector.current.store.query(sql)).rows;
}

/** `SELECT count() AS n …` as a number (ClickHouse may quote 64-bit integers in JSON). */
async function count(sql: string): Promise<number> {
  return Number((await rows(sql))[0]?.n);
}

/** The receiver's counters, as the page reads them. */
async function receiverStatus(): Promise<SentryReceiverStats> {
  return ((await (await fetch(`${collector.current.url}/api/ui/status`)).json()) as { sentry: SentryReceiverStats }).sentry;
}

function envelope(headers: object, ...items: Array<[object, string | Buffer]>): Buffer {
  const parts: Buffer[] = [Buffer.from(`${JSON.stringify(headers)}\n`)];
  for (const [itemHeaders, payload] of items) {
    parts.push(Buffer.from(`${JSON.stringify(itemHeaders)}\n`), Buffer.from(payload), Buffer.from('\n'));
  }
  return Buffer.concat(parts);
}

function post(body: Buffer, headers: Record<string, string> = {}, path = '/api/1/envelope/?sentry_key=key'): Promise<Response> {
  return fetch(`${collector.current.url}${path}`, {
    method: 'POST',
    body: new Uint8Array(body),
    headers: { 'content-type': 'application/x-sentry-envelope', ...headers },
  });
}

const hex = (bytes: number): string => randomBytes(bytes).toString('hex');

describe('the real @sentry/node SDK', () => {
  let eventId = '';
  let traceId = '';

  beforeAll(async () => {
    Sentry.setUser({ id: 'user-42', email: 'ada@example.com' });
    Sentry.startSpan({ name: 'POST /checkout', op: 'http.server' }, () => {
      Sentry.startSpan({ name: 'charge card', op: 'payment' }, () => {
        Sentry.logger.info('payment declined', { order_id: 7 });
        eventId = Sentry.captureException(new Error('card declined'), { tags: { toolName: 'checkout' } });
        traceId = Sentry.getActiveSpan()?.spanContext().traceId ?? '';
      });
    });
    expect(await Sentry.flush(5_000)).toBe(true);
    await waitUntil(
      async () => (await count(`SELECT count() AS n FROM sentry_events WHERE trace_id = '${traceId}'`)) === 4,
      10_000,
      'event, transaction, span and log rows',
    ).catch(async (error: Error) => {
      throw new Error(`${error.message}: ${JSON.stringify(await rows(`SELECT type, trace_id FROM sentry_events`))}`);
    });
  });

  it('stores the error event with its id, user, level and trace id', async () => {
    expect(eventId).toMatch(/^[0-9a-f]{32}$/);
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);
    const [event] = await rows(`SELECT event_id, trace_id, user, level, project, raw FROM sentry_events WHERE type = 'event' AND event_id = '${eventId}'`);
    expect(event).toMatchObject({ event_id: eventId, trace_id: traceId, user: 'user-42', level: 'error', project: '1' });
    const raw = JSON.parse(String(event?.raw));
    expect(raw.exception.values.at(-1)).toMatchObject({ type: 'Error', value: 'card declined' });
    expect(raw.user).toMatchObject({ id: 'user-42', email: 'ada@example.com' });
    expect(raw.tags).toMatchObject({ toolName: 'checkout' });
  });

  it('stores the transaction and its child span as rows of their own type', async () => {
    const stored = await rows(`SELECT type, span_id, JSONExtractString(raw, 'transaction') AS tx, JSONExtractString(raw, 'description') AS description,
      JSONExtractString(raw, 'parent_span_id') AS parent, JSONHas(raw, 'spans') AS has_spans
      FROM sentry_events WHERE trace_id = '${traceId}' AND type IN ('transaction', 'span') ORDER BY type`);
    const transaction = stored.find((row) => row.type === 'transaction');
    const span = stored.find((row) => row.type === 'span');
    expect(transaction).toMatchObject({ tx: 'POST /checkout', has_spans: 0 });
    expect(span).toMatchObject({ description: 'charge card', parent: transaction?.span_id });
    // Sentry spans never leak into the OTel spans table.
    expect(await count(`SELECT count() AS n FROM spans WHERE trace_id = '${traceId}'`)).toBe(0);
  });

  it('stores the log with its level, body, attributes and trace id', async () => {
    const [log] = await rows(`SELECT level, raw FROM sentry_events WHERE type = 'log' AND trace_id = '${traceId}'`);
    expect(log?.level).toBe('info');
    const raw = JSON.parse(String(log?.raw));
    expect(raw.body).toBe('payment declined');
    expect(raw.attributes.order_id).toEqual({ value: 7, type: 'integer' });
  });

  it('delivers a large event gzip-compressed (the SDK compresses bodies over 32 KiB)', async () => {
    const gzipBefore = (await receiverStatus()).encodings.gzip ?? 0;
    // A trace of its own: outside a span the SDK reuses the scope's trace id.
    const big = Sentry.startNewTrace(() => Sentry.captureMessage('large context', { extra: { blob: 'x'.repeat(64 * 1024) } }));
    expect(await Sentry.flush(5_000)).toBe(true);
    await waitUntil(async () => (await count(`SELECT count() AS n FROM sentry_events WHERE event_id = '${big}'`)) === 1, 5_000, 'the large event');
    const [row] = await rows(`SELECT length(raw) AS size, JSONExtractString(raw, 'message') AS message FROM sentry_events WHERE event_id = '${big}'`);
    expect(Number(row?.size)).toBeGreaterThan(64 * 1024);
    expect((await receiverStatus()).encodings.gzip).toBe(gzipBefore + 1);
  });

  it('joins a Sentry event and an OTel span on the same trace id', async () => {
    const now = BigInt(Date.now()) * 1_000_000n;
    const spanId = hex(8);
    const response = await fetch(`${collector.current.url}/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        resourceSpans: [
          {
            resource: { attributes: [{ key: 'service.name', value: { stringValue: 'kira-be' } }] },
            scopeSpans: [
              {
                scope: { name: 'test' },
                spans: [
                  {
                    traceId,
                    spanId,
                    name: 'GET /users/:id',
                    kind: 2,
                    startTimeUnixNano: String(now - 5_000_000n),
                    endTimeUnixNano: String(now),
                    status: { code: 2 },
                  },
                ],
              },
            ],
          },
        ],
      }),
    });
    expect(response.status).toBe(200);
    await collector.current.store.flush();
    const joined = await rows(`SELECT s.name AS span_name, s.service AS service, e.event_id AS event_id, e.user AS user
      FROM spans AS s INNER JOIN sentry_events AS e ON s.trace_id = e.trace_id
      WHERE e.type = 'event' AND s.trace_id = '${traceId}'`);
    expect(joined).toEqual([{ span_name: 'GET /users/:id', service: 'kira-be', event_id: eventId, user: 'user-42' }]);

    // The page's trace view shows both sources in one tree.
    const trace = await (await fetch(`${collector.current.url}/api/ui/traces?trace_id=${traceId}`)).json();
    const tree = trace.traces.find((entry: { traceId: string }) => entry.traceId === traceId);
    expect(new Set(tree.spans.map((span: { source: string }) => span.source))).toEqual(new Set(['otel', 'sentry']));
    expect(tree.spans.find((span: { name: string }) => span.name === 'charge card').depth).toBe(1);
  });
});

describe('envelopes on the wire', () => {
  it('accepts gzip, deflate and br bodies and answers {"id"}', async () => {
    for (const [encoding, encode] of [
      ['gzip', gzipSync],
      ['deflate', deflateSync],
      ['br', brotliCompressSync],
    ] as const) {
      const id = hex(16);
      const body = envelope({ event_id: id }, [{ type: 'event' }, JSON.stringify({ event_id: id, message: `via ${encoding}`, timestamp: Date.now() / 1000 })]);
      const response = await post(encode(body), { 'content-encoding': encoding });
      expect(response.status, encoding).toBe(200);
      expect(await response.json()).toEqual({ id });
      expect(await rows(`SELECT JSONExtractString(raw, 'message') AS m FROM sentry_events WHERE event_id = '${id}'`)).toEqual([{ m: `via ${encoding}` }]);
    }
  });

  it('honours `length` item headers (payloads with newlines) and skips unknown item types, counting them', async () => {
    const id = hex(16);
    const attachment = Buffer.from('line one\nline two\n\x00binary');
    const event = JSON.stringify({ event_id: id, message: 'with attachment', timestamp: Date.now() / 1000 });
    const body = envelope(
      { event_id: id, sent_at: new Date().toISOString() },
      [{ type: 'attachment', length: attachment.length, filename: 'a.txt' }, attachment],
      [{ type: 'client_report' }, JSON.stringify({ discarded_events: [] })],
      [{ type: 'event', length: Buffer.byteLength(event) }, event],
      [{ type: 'session' }, JSON.stringify({ sid: hex(16), status: 'ok' })],
    );
    const response = await post(body);
    expect(response.status).toBe(200);
    expect(response.headers.get('x-kira-skipped-items')).toBe('3');
    expect(await response.json()).toEqual({ id });
    expect(await rows(`SELECT type FROM sentry_events WHERE event_id = '${id}'`)).toEqual([{ type: 'event' }]);
    expect((await receiverStatus()).skippedItems).toMatchObject({ attachment: 1, client_report: 1, session: 1 });
  });

  it('stores streamed span containers (the SDK default lifecycle) as span rows', async () => {
    const traceId = hex(16);
    const [root, child] = [hex(8), hex(8)];
    const now = Date.now() / 1000;
    const attributes = { 'user.id': { value: 'user-7', type: 'string' } };
    const body = envelope(
      { trace: { trace_id: traceId, public_key: 'key' } },
      [
        { type: 'span', item_count: 2, content_type: 'application/vnd.sentry.items.span.v2+json' },
        JSON.stringify({
          version: 2,
          items: [
            { name: 'db query', span_id: child, trace_id: traceId, parent_span_id: root, start_timestamp: now - 0.2, end_timestamp: now - 0.1, is_segment: false, status: 'ok', attributes },
            { name: 'GET /stream', span_id: root, trace_id: traceId, start_timestamp: now - 0.5, end_timestamp: now, is_segment: true, status: 'ok', attributes },
          ],
        }),
      ],
    );
    const response = await post(body);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ id: null });
    expect(await rows(`SELECT span_id, user FROM sentry_events WHERE type = 'span' AND trace_id = '${traceId}' ORDER BY span_id = '${root}' DESC`)).toEqual([
      { span_id: root, user: 'user-7' },
      { span_id: child, user: 'user-7' },
    ]);
  });

  it('refuses malformed envelopes with 400 and a reason, stores none of them, and keeps serving', async () => {
    const countBefore = await count(`SELECT count() AS n FROM sentry_events`);
    const goodEvent = JSON.stringify({ event_id: hex(16), message: 'must not be stored' });
    const cases: Array<[string, Buffer, Record<string, string>, number, RegExp]> = [
      ['random bytes', randomBytes(256), {}, 400, /malformed envelope/],
      ['empty body', Buffer.alloc(0), {}, 400, /empty envelope/],
      ['length past the end', envelope({}, [{ type: 'event', length: 5000 }, goodEvent]), {}, 400, /length 5000/],
      ['event that is not JSON', envelope({}, [{ type: 'event' }, goodEvent], [{ type: 'event' }, '{"oops"']), {}, 400, /item 1 \(event\): payload is not JSON/],
      ['log container without items', envelope({}, [{ type: 'log' }, '{"items": 3}']), {}, 400, /"items" must be an array/],
      ['truncated gzip', gzipSync(envelope({}, [{ type: 'event' }, goodEvent])).subarray(0, 20), { 'content-encoding': 'gzip' }, 400, /not valid gzip/],
      ['gzip bomb', gzipSync(Buffer.alloc(collector.current.options.maxBodyBytes + 1024, 0x20)), { 'content-encoding': 'gzip' }, 413, /over the limit/],
      ['unknown content-encoding', envelope({}, [{ type: 'event' }, goodEvent]), { 'content-encoding': 'compress' }, 415, /unsupported Content-Encoding/],
    ];
    for (const [name, body, headers, status, reason] of cases) {
      const response = await post(body, headers);
      expect(response.status, name).toBe(status);
      const answer = (await response.json()) as { detail: string };
      expect(answer.detail, name).toMatch(reason);
    }
    expect(await count(`SELECT count() AS n FROM sentry_events`)).toBe(countBefore);
    expect(await count(`SELECT count() AS n FROM sentry_events WHERE raw LIKE '%must not be stored%'`)).toBe(0);

    // Still serving, and what was stored before is intact.
    const id = hex(16);
    const response = await post(envelope({ event_id: id }, [{ type: 'event' }, JSON.stringify({ event_id: id, message: 'after' })]));
    expect(response.status).toBe(200);
    expect(await count(`SELECT count() AS n FROM sentry_events`)).toBe(countBefore + 1);
  });

  it('answers 405 to other methods on the envelope path', async () => {
    const response = await fetch(`${collector.current.url}/api/1/envelope/`);
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toContain('POST');
  });
});

describe('with a collector token', () => {
  // The same store behind a second listener whose context has a token: chdb allows one
  // collector (store) per process, and the token is read from the context per request.
  let server: Server;
  let url: string;
  const token = 'tok-3f9a';

  beforeAll(async () => {
    const ctx = { store: collector.current.store, options: { ...collector.current.options, token } };
    server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        void handleSentryEnvelope(ctx, request, Buffer.concat(chunks)).then((result) => {
          response.writeHead(result.status, result.headers);
          response.end(result.body);
        });
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  const body = (): Buffer => {
    const id = hex(16);
    return envelope({ event_id: id }, [{ type: 'event' }, JSON.stringify({ event_id: id, message: 'auth' })]);
  };
  const send = (path: string, headers: Record<string, string> = {}, payload = body()): Promise<Response> =>
    fetch(`${url}${path}`, { method: 'POST', body: new Uint8Array(payload), headers });

  it('accepts the DSN key equal to the token from the query, X-Sentry-Auth, Bearer or the envelope dsn', async () => {
    expect((await send(`/api/1/envelope/?sentry_key=${token}&sentry_version=7`)).status).toBe(200);
    expect((await send('/api/1/envelope/', { 'x-sentry-auth': `Sentry sentry_version=7, sentry_client=test/1.0, sentry_key=${token}` })).status).toBe(200);
    expect((await send('/api/1/envelope/', { authorization: `Bearer ${token}` })).status).toBe(200);
    const id = hex(16);
    const withDsn = envelope({ event_id: id, dsn: `http://${token}@127.0.0.1/1` }, [{ type: 'event' }, JSON.stringify({ event_id: id })]);
    expect((await send('/api/1/envelope/', {}, withDsn)).status).toBe(200);
  });

  it('refuses a missing key (401) and a wrong key (403) without storing', async () => {
    const before = await count(`SELECT count() AS n FROM sentry_events`);
    const missing = await send('/api/1/envelope/');
    expect(missing.status).toBe(401);
    expect(((await missing.json()) as { detail: string }).detail).toMatch(/missing authorization/);
    const wrong = await send('/api/1/envelope/?sentry_key=key', { 'x-sentry-auth': 'Sentry sentry_key=other' });
    expect(wrong.status).toBe(403);
    expect((await send('/api/1/envelope/', { authorization: 'Bearer nope' })).status).toBe(401);
    expect(await count(`SELECT count() AS n FROM sentry_events`)).toBe(before);
  });
});
