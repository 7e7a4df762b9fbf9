import { randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { decodeOtlpRequest } from '@kira/telemetry-wire';
import { beforeAll, describe, expect, it } from 'vitest';
import { collectorForFile } from './testing/collector-for-file';

const TOKEN = 'local-secret-token';
const MAX_BODY = 1024 * 1024;
const collector = collectorForFile('kira-collector-bad-', { token: TOKEN, maxBodyBytes: MAX_BODY });
const auth = { authorization: `Bearer ${TOKEN}` };

function spanRequest(name: string): string {
  const now = `${Date.now()}000000`;
  return JSON.stringify({
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'bad-input-test' } }] },
        scopeSpans: [{ scope: { name: 't' }, spans: [{ traceId: randomBytes(16).toString('hex'), spanId: randomBytes(8).toString('hex'), name, kind: 1, startTimeUnixNano: now, endTimeUnixNano: now }] }],
      },
    ],
  });
}

async function post(path: string, body: Buffer | string, headers: Record<string, string>): Promise<Response> {
  return fetch(`${collector.current.url}${path}`, { method: 'POST', headers, body: typeof body === 'string' ? body : new Uint8Array(body) });
}

async function spanNames(): Promise<string[]> {
  const result = await collector.current.store.query('SELECT name FROM spans ORDER BY name');
  return result.rows.map((row) => String(row.name));
}

/** The decoded google.rpc.Status of an OTLP error answer. */
async function status(response: Response): Promise<{ code?: number; message?: string }> {
  const body = Buffer.from(await response.arrayBuffer());
  if ((response.headers.get('content-type') ?? '').includes('json')) return JSON.parse(body.toString());
  // A Status message shares field numbers 1 (code) and 2 (message) with nothing else we decode; read it by hand.
  let offset = 0;
  const result: { code?: number; message?: string } = {};
  while (offset < body.length) {
    const tag = body[offset++] as number;
    if (tag === 0x08) {
      let value = 0;
      let shift = 0;
      let byte: number;
      do {
        byte = body[offset++] as number;
        value |= (byte & 0x7f) << shift;
        shift += 7;
      } while (byte & 0x80);
      result.code = value;
    } else if (tag === 0x12) {
      const length = body[offset++] as number;
      result.message = body.subarray(offset, offset + length).toString();
      offset += length;
    } else break;
  }
  return result;
}

beforeAll(async () => {
  const seeded = await post('/v1/traces', spanRequest('seed span'), { 'content-type': 'application/json', ...auth });
  expect(seeded.status).toBe(200);
});

describe('bad input: the right status, the server still serving, earlier data intact', () => {
  const cases: Array<{ name: string; send: () => Promise<Response>; status: number; message?: RegExp }> = [
    {
      name: 'random bytes as protobuf',
      send: () => post('/v1/traces', randomBytes(512), { 'content-type': 'application/x-protobuf', ...auth }),
      status: 400,
      message: /invalid protobuf/,
    },
    {
      name: 'truncated gzip',
      send: () => post('/v1/traces', gzipSync(Buffer.from(spanRequest('never stored'))).subarray(0, 40), { 'content-type': 'application/json', 'content-encoding': 'gzip', ...auth }),
      status: 400,
      message: /not valid gzip/,
    },
    {
      name: 'a gzip bomb (64 MiB of zeros in ~64 KiB)',
      send: () => post('/v1/traces', gzipSync(Buffer.alloc(64 * 1024 * 1024)), { 'content-type': 'application/x-protobuf', 'content-encoding': 'gzip', ...auth }),
      status: 413,
      message: /after gzip decompression/,
    },
    {
      name: 'an oversized body',
      send: () => post('/v1/logs', Buffer.alloc(MAX_BODY + 1, 0x20), { 'content-type': 'application/json', ...auth }),
      status: 413,
      message: /over the limit/,
    },
    {
      name: 'a wrong content type',
      send: () => post('/v1/metrics', 'hello', { 'content-type': 'text/plain', ...auth }),
      status: 415,
      message: /unsupported content type/,
    },
    {
      name: 'an unknown content encoding',
      send: () => post('/v1/traces', spanRequest('never stored'), { 'content-type': 'application/json', 'content-encoding': 'zstd', ...auth }),
      status: 415,
    },
    {
      name: 'a wrong token',
      send: () => post('/v1/traces', spanRequest('never stored'), { 'content-type': 'application/json', authorization: 'Bearer nope' }),
      status: 401,
    },
    {
      name: 'no token',
      send: () => post('/v1/traces', spanRequest('never stored'), { 'content-type': 'application/json' }),
      status: 401,
    },
    {
      name: 'GET on an OTLP path',
      send: () => fetch(`${collector.current.url}/v1/traces`, { headers: auth }),
      status: 405,
    },
    {
      name: 'invalid JSON',
      send: () => post('/v1/logs', '{"resourceLogs": [', { 'content-type': 'application/json', ...auth }),
      status: 400,
      message: /invalid JSON/,
    },
    {
      name: 'a malformed Sentry envelope',
      send: () => post(`/api/1/envelope/?sentry_key=${TOKEN}`, 'this is not an envelope\n{{{', { 'content-type': 'application/x-sentry-envelope' }),
      status: 400,
    },
  ];

  for (const testCase of cases) {
    it(`${testCase.name} → ${testCase.status}`, async () => {
      const response = await testCase.send();
      expect(response.status).toBe(testCase.status);
      if (testCase.message) expect((await status(response)).message).toMatch(testCase.message);
      else await response.arrayBuffer();
      // still serving, and what was stored before is still there
      const healthy = await post('/v1/traces', spanRequest(`after ${testCase.name}`), { 'content-type': 'application/json', ...auth });
      expect(healthy.status).toBe(200);
      const names = await spanNames();
      expect(names).toContain('seed span');
      expect(names).toContain(`after ${testCase.name}`);
      expect(names).not.toContain('never stored');
    });
  }

  it('answers an empty request with 200 and an empty response', async () => {
    const response = await post('/v1/traces', Buffer.alloc(0), { 'content-type': 'application/x-protobuf', ...auth });
    expect(response.status).toBe(200);
    expect(Buffer.from(await response.arrayBuffer()).length).toBe(0);
    const json = await post('/v1/metrics', '{}', { 'content-type': 'application/json', ...auth });
    expect(await json.json()).toEqual({});
  });

  it('reports invalid spans in partial success and stores the valid ones', async () => {
    const now = `${Date.now()}000000`;
    const body = JSON.stringify({
      resourceSpans: [{ scopeSpans: [{ spans: [
        { traceId: randomBytes(16).toString('hex'), spanId: randomBytes(8).toString('hex'), name: 'valid one', startTimeUnixNano: now, endTimeUnixNano: now },
        { traceId: 'zz', spanId: randomBytes(8).toString('hex'), name: 'never stored', startTimeUnixNano: now },
        { traceId: randomBytes(16).toString('hex'), spanId: randomBytes(8).toString('hex'), name: 'never stored' },
      ] }] }],
    });
    const response = await post('/v1/traces', body, { 'content-type': 'application/json', ...auth });
    expect(response.status).toBe(200);
    const result = await response.json();
    expect(result.partialSuccess.rejectedSpans).toBe('2');
    expect(result.partialSuccess.errorMessage).toMatch(/invalid trace or span id/);
    expect(await spanNames()).toContain('valid one');
  });

  it('answers protobuf requests with protobuf partial success', async () => {
    const response = await post('/v1/traces', Buffer.alloc(0), { 'content-type': 'application/x-protobuf', ...auth });
    expect(response.headers.get('content-type')).toBe('application/x-protobuf');
    // A body the real decoder accepts as an ExportTraceServiceResponse (empty = full success).
    expect(decodeOtlpRequest('traces', Buffer.from(await response.arrayBuffer()), 'application/x-protobuf')).toEqual({});
  });
});

describe('POST /query refuses anything but one read-only SELECT', () => {
  const query = (sql: string, headers: Record<string, string> = auth) =>
    post('/query', JSON.stringify({ query: sql }), { 'content-type': 'application/json', ...headers });

  const refused: Array<[string, RegExp]> = [
    ["INSERT INTO spans (dt, raw) VALUES (now(), '{}')", /INSERT/],
    ['DROP TABLE spans', /DROP/],
    ['ALTER TABLE spans DELETE WHERE 1', /ALTER/],
    ['CREATE TABLE x (a UInt8) ENGINE = Memory', /CREATE/],
    ['SYSTEM DROP MARK CACHE', /SYSTEM/],
    ['TRUNCATE TABLE logs', /TRUNCATE/],
    ['SELECT 1; DROP TABLE spans', /single statement/],
    ["SELECT file('/etc/passwd')", /file\(\) is not allowed/],
    ["SELECT * FROM file('/etc/passwd', 'LineAsString')", /file\(\) is not allowed/],
    ["SELECT * FROM `file`('/etc/passwd', 'LineAsString')", /file\(\) is not allowed/],
    ["SELECT * FROM url('http://127.0.0.1:1/', 'LineAsString')", /url\(\) is not allowed/],
    ["SELECT * FROM s3('http://127.0.0.1:1/bucket/x.csv')", /s3\(\) is not allowed/],
    ["SELECT * FROM remote('127.0.0.1:9000', system.one)", /remote\(\) is not allowed/],
    ["SELECT * FROM executable('ls', 'TSV', 'x String')", /executable\(\) is not allowed/],
    ['SELECT * FROM numbers(10)', /table function numbers\(\)/],
    ["SELECT 1 INTO OUTFILE '/tmp/x'", /INTO/],
    ['SELECT 1 SETTINGS readonly = 0', /SETTINGS/],
    ['SELECT 1 FORMAT CSV', /FORMAT/],
    ["SELECT 'unterminated", /unterminated/],
    ['SELECT {{nope}}', /unknown placeholder/],
  ];

  for (const [sql, reason] of refused) {
    it(`refuses ${sql}`, async () => {
      const response = await query(sql);
      expect(response.status).toBe(400);
      expect((await response.json()).error).toMatch(reason);
    });
  }

  it('still has every table and row after the refusals', async () => {
    const response = await query('SELECT count() AS n FROM spans');
    expect(response.status).toBe(200);
    expect(Number((await response.json()).rows[0].n)).toBeGreaterThan(10);
    const tables = await collector.current.store.query("SELECT name FROM system.tables WHERE database = currentDatabase() ORDER BY name");
    expect(tables.rows.map((row) => row.name)).toEqual(expect.arrayContaining(['logs', 'metrics', 'metric_points', 'sentry_events', 'spans']));
  });

  it('answers ClickHouse errors as 400 with the reason, and needs the token', async () => {
    const failed = await query('SELECT no_such_column FROM spans');
    expect(failed.status).toBe(400);
    expect((await failed.json()).error).toMatch(/no_such_column/);
    expect((await query('SELECT 1', {})).status).toBe(401);
    expect((await fetch(`${collector.current.url}/query`, { headers: auth })).status).toBe(405);
    expect((await post('/query', 'not json', { 'content-type': 'application/json', ...auth })).status).toBe(400);
  });

  it('allows comments, strings and WITH queries that only read', async () => {
    const response = await query("WITH recent AS (SELECT name FROM {{source:spans}} WHERE name != 'drop table') -- a comment with DROP\nSELECT count() AS n FROM recent /* INSERT */");
    expect(response.status).toBe(200);
    expect(Number((await response.json()).rows[0].n)).toBeGreaterThan(0);
  });
});
