import { promisify } from 'node:util';
import zlib from 'node:zlib';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startSentrySink } from './start-sentry-sink';
import type { SentrySink } from './types';

const eventId = 'c0ffee00c0ffee00c0ffee00c0ffee00';
const event = JSON.stringify({ event_id: eventId, level: 'error', exception: { values: [{ type: 'Error', value: 'boom' }] }, user: { id: 'u1' } });
const binary = Buffer.from([0x00, 0x0a, 0xfe, 0x0a]);

function envelope(): Buffer {
  return Buffer.concat([
    Buffer.from(`{"event_id":"${eventId}","sent_at":"2026-01-01T00:00:00Z"}\n`),
    Buffer.from(`{"type":"event","length":${Buffer.byteLength(event)}}\n${event}\n`),
    Buffer.from(`{"type":"attachment","length":${binary.length},"filename":"dump.bin"}\n`),
    binary,
    Buffer.from('\n{"type":"transaction"}\n{"type":"transaction","transaction":"GET /users/:id"}\n'),
  ]);
}

let sink: SentrySink;
beforeAll(async () => {
  sink = await startSentrySink();
});
afterAll(async () => {
  await sink.close();
});
afterEach(() => sink.reset());

describe('startSentrySink', () => {
  it.each([
    ['identity', (body: Buffer) => body],
    ['gzip', promisify(zlib.gzip)],
    ['deflate', promisify(zlib.deflate)],
    ['br', promisify(zlib.brotliCompress)],
  ] as const)('accepts %s bodies with auth in the X-Sentry-Auth header', async (encoding, compress) => {
    const response = await fetch(`${sink.url}/api/42/envelope/`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-sentry-envelope',
        'x-sentry-auth': 'Sentry sentry_version=7, sentry_client=test/1.0, sentry_key=abc123',
        ...(encoding === 'identity' ? {} : { 'content-encoding': encoding }),
      },
      body: await compress(envelope()),
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ id: eventId });
    expect(sink.envelopes).toHaveLength(1);
    expect(sink.envelopes[0]).toMatchObject({ projectId: '42', publicKey: 'abc123' });
    expect(sink.events()).toEqual([JSON.parse(event)]);
    expect(sink.transactions()).toEqual([{ type: 'transaction', transaction: 'GET /users/:id' }]);
    const [attachment] = sink.items('attachment');
    expect(Buffer.compare(attachment!.payload, binary)).toBe(0);
    expect(sink.items()).toHaveLength(3);
  });

  it('takes the key from the sentry_key query parameter and builds DSNs that point at itself', async () => {
    expect(sink.dsn()).toBe(`http://public@127.0.0.1:${sink.port}/1`);
    expect(sink.dsn('7', 'k')).toBe(`http://k@127.0.0.1:${sink.port}/7`);
    const waiting = sink.waitFor((item) => item.headers.type === 'event');
    const response = await fetch(`${sink.url}/api/7/envelope/?sentry_key=fromquery&sentry_version=7`, { method: 'POST', body: envelope() });
    expect(response.status).toBe(200);
    expect((await waiting).payload.user).toEqual({ id: 'u1' });
    expect(sink.envelopes[0]?.publicKey).toBe('fromquery');
  });

  it('answers 400 for a malformed envelope and 404 elsewhere, recording nothing', async () => {
    const bad = await fetch(`${sink.url}/api/1/envelope/`, { method: 'POST', body: '{}\n{"type":"event","length":999}\n{}' });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { detail: string }).detail).toMatch(/length 999/);
    expect((await fetch(`${sink.url}/api/1/store/`, { method: 'POST', body: '{}' })).status).toBe(404);
    expect(sink.envelopes).toEqual([]);
    await expect(sink.waitFor(() => true, 50)).rejects.toThrow(/within 50 ms/);
  });
});
