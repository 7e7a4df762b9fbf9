import { describe, expect, it } from 'vitest';
import { EnvelopeParseError } from './envelope-parse-error';
import { parseEnvelope } from './parse-envelope';

const event = JSON.stringify({ event_id: '9ec79c33ec9942ab8353589fcb2e04dc', message: 'hello\\nworld' });
// Bytes 0x0a and 0xff inside: only `length` can delimit this payload.
const attachment = Buffer.from([0x89, 0x50, 0x0a, 0x0a, 0xff, 0x00, 0x0a, 0x41]);

describe('parseEnvelope', () => {
  it('parses items with length headers, including a binary attachment with newlines', () => {
    const body = Buffer.concat([
      Buffer.from(`{"event_id":"9ec79c33ec9942ab8353589fcb2e04dc","dsn":"http://public@127.0.0.1:1/1"}\n`),
      Buffer.from(`{"type":"event","length":${Buffer.byteLength(event)}}\n${event}\n`),
      Buffer.from(`{"type":"attachment","length":${attachment.length},"filename":"image.png","content_type":"image/png"}\n`),
      attachment,
      Buffer.from('\n'),
    ]);
    const envelope = parseEnvelope(body);
    expect(envelope.headers.event_id).toBe('9ec79c33ec9942ab8353589fcb2e04dc');
    expect(envelope.items.map((item) => item.headers.type)).toEqual(['event', 'attachment']);
    expect(JSON.parse(envelope.items[0]!.payload.toString())).toMatchObject({ message: 'hello\\nworld' });
    expect(Buffer.compare(envelope.items[1]!.payload, attachment)).toBe(0);
  });

  it('parses items without length up to the next newline, and a last item without trailing newline', () => {
    const body = Buffer.from(`{}\n{"type":"event"}\n${event}\n{"type":"session"}\n{"sid":"abc","status":"ok"}`);
    const envelope = parseEnvelope(body);
    expect(envelope.headers).toEqual({});
    expect(envelope.items).toHaveLength(2);
    expect(JSON.parse(envelope.items[1]!.payload.toString())).toEqual({ sid: 'abc', status: 'ok' });
  });

  it('accepts an empty payload with length 0 and a header-only envelope', () => {
    expect(parseEnvelope(Buffer.from('{"type":"x"}\n{"type":"client_report","length":0}\n\n')).items[0]!.payload.length).toBe(0);
    expect(parseEnvelope(Buffer.from('{"event_id":"a"}\n')).items).toEqual([]);
  });

  it.each([
    ['empty body', ''],
    ['header is not JSON', 'not json\n'],
    ['header is an array', '[1]\n'],
    ['item header not JSON', '{}\n{type:event}\n{}\n'],
    ['item without type', '{}\n{"length":2}\n{}\n'],
    ['length beyond the end', '{}\n{"type":"event","length":100}\n{}\n'],
    ['negative length', '{}\n{"type":"event","length":-1}\n{}\n'],
    ['payload longer than length', '{}\n{"type":"event","length":1}\n{}\n'],
  ])('throws EnvelopeParseError for %s', (_name, text) => {
    expect(() => parseEnvelope(Buffer.from(text))).toThrow(EnvelopeParseError);
  });
});
