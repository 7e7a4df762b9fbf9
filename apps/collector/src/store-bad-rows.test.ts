import { afterAll, describe, expect, it } from 'vitest';
import { createReportOnce } from '@kira/conventions';
import { MAX_RETENTION_DAYS } from '@kira/dashboards/schema';
import { createStore } from './store';
import { collectorForFile } from './testing/collector-for-file';
import type { Store } from './types';

// One chdb data folder per process: this file's collector, then a store reopened on the same folder.
let store: Store | undefined;
/**
 * The longest retention (50 years): rows dated 2023 are read back. Rows dated before 1976 or from
 * 2056-02-19 on lie outside what the tables keep and are refused (expired-rows.test.ts); how the
 * encoder would clamp their times to DateTime64's range is in tsv-fields.test.ts.
 */
const RETENTION_DAYS = MAX_RETENTION_DAYS;
const collector = collectorForFile('kira-collector-bad-rows-', { retentionDays: RETENTION_DAYS });

// Registered after the harness's, so it runs first (afterAll hooks run in reverse): a store a
// failed test left open is closed before the harness deletes its folder.
afterAll(async () => {
  await store?.close();
});

const TRACE_ID = 'ab'.repeat(16);
let spanCount = 0;

/** An OTLP/JSON span with a fresh span id; `fields` override anything, as a careless client might. */
function span(fields: Record<string, unknown>): Record<string, unknown> {
  spanCount += 1;
  return { traceId: TRACE_ID, spanId: spanCount.toString(16).padStart(16, '0'), name: `span ${spanCount}`, startTimeUnixNano: '1700000000000000000', endTimeUnixNano: '1700000000250000000', ...fields };
}

async function sendSpans(spans: Record<string, unknown>[]): Promise<Response> {
  return fetch(`${collector.current.url}/v1/traces`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'bad-rows' } }] }, scopeSpans: [{ spans }] }] }),
  });
}

/** OTLP/JSON gauges, one data point each, under a resource tagged `test: <test>` (so a test reads back its own). */
async function sendGauges(test: string, gauges: Array<{ name: string; attributes?: Record<string, string>; value?: number }>): Promise<Response> {
  const timeUnixNano = `${Date.now()}000000`;
  const keyValues = (attributes: Record<string, string>) => Object.entries(attributes).map(([key, value]) => ({ key, value: { stringValue: value } }));
  const metrics = gauges.map(({ name, attributes = {}, value = 1 }) => ({ name, gauge: { dataPoints: [{ timeUnixNano, asDouble: value, attributes: keyValues(attributes) }] } }));
  return fetch(`${collector.current.url}/v1/metrics`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ resourceMetrics: [{ resource: { attributes: keyValues({ test }) }, scopeMetrics: [{ metrics }] }] }),
  });
}

async function rows(sql: string): Promise<Record<string, unknown>[]> {
  return (await collector.current.store.query(sql)).rows;
}

describe('values that once failed a whole INSERT are stored', () => {
  it('stores a span batch in which one name reads as a ClickHouse test hint (the batch lost with Code 6 "Could not parse error code in Error: \\.")', async () => {
    const hints = ['retry -- {error \\.}', '# {error \\.}', '/* {clientError \\.} */', 'GET // {serverError 27}', 'x -- {echo}'];
    const response = await sendSpans([
      span({ name: 'before the bad one' }),
      ...hints.map((name) => span({ name })),
      // Inside `raw` the hint hides in a JSON string; an odd number of quotes before it used to expose it.
      span({ name: 'quote in the message', status: { code: 2, message: 'unclosed " quote -- {serverError \\.}' } }),
      span({ name: 'after the bad one' }),
    ]);
    expect(response.status).toBe(200);
    const stored = await rows(`SELECT name, JSONExtractString(raw, 'status', 'message') AS message FROM spans WHERE trace_id = '${TRACE_ID}' ORDER BY span_id`);
    expect(stored.map((row) => row.name)).toEqual(['before the bad one', ...hints, 'quote in the message', 'after the bad one']);
    expect(stored.find((row) => row.name === 'quote in the message')?.message).toBe('unclosed " quote -- {serverError \\.}');
    expect(collector.current.store.dropped.spans).toBe(0);
  });

  it('stores OTLP/JSON spans whose kind, status code and attributes do not fit the columns, converted as each column requires; times outside the retention are refused', async () => {
    const traceId = 'cd'.repeat(16);
    const response = await sendSpans([
      span({ traceId, name: 'negative kind', kind: -1, status: { code: -1 } }),
      span({ traceId, name: 'fractional kind', kind: 2.5, status: { code: 1.9 } }),
      span({ traceId, name: 'huge codes', kind: 300, status: { code: 1e21 } }),
      span({ traceId, name: 'kind as text', kind: '3', status: { code: '2' } }),
      span({ traceId, name: 'five nanoseconds after 1970', startTimeUnixNano: '5', endTimeUnixNano: '5' }),
      span({ traceId, name: 'year 5138', startTimeUnixNano: '99999999999000000000', endTimeUnixNano: '99999999999000000000' }),
      span({
        traceId,
        name: 'status code attribute as text and double',
        attributes: [
          { key: 'http.response.status_code', value: { stringValue: '500' } },
          { key: 'http.status_code', value: { doubleValue: 500.5 } },
          { key: 'flag', value: { boolValue: true } },
          { key: 'list', value: { arrayValue: { values: [{ stringValue: 'a\tb' }, { intValue: '-1' }] } } },
          { key: 'empty', value: { stringValue: '' } },
        ],
      }),
    ]);
    expect(response.status).toBe(200);
    // 1970 is older than 50 years; year 5138 (which DateTime64(9) would clamp to 2262) is past 2106.
    expect(await response.json()).toEqual({
      partialSuccess: {
        rejectedSpans: '2',
        errorMessage: expect.stringMatching(/^1 of 7 dated before \S+: older than the collector's retention of 18250d, .*; 1 of 7 dated at or after 2056-02-19T06:28:16Z: /) as unknown,
      },
    });
    const stored = await rows(
      `SELECT name, kind, status_code, toString(dt) AS dt, JSONExtractRaw(raw, 'attributes') AS attributes FROM spans WHERE trace_id = '${traceId}' ORDER BY span_id`,
    );
    expect(stored.map(({ name, kind, status_code, dt }) => ({ name, kind, status_code, dt }))).toEqual([
      { name: 'negative kind', kind: 0, status_code: 0, dt: '2023-11-14 22:13:20.000000000' },
      { name: 'fractional kind', kind: 2, status_code: 1, dt: '2023-11-14 22:13:20.000000000' },
      { name: 'huge codes', kind: 255, status_code: 255, dt: '2023-11-14 22:13:20.000000000' },
      { name: 'kind as text', kind: 3, status_code: 2, dt: '2023-11-14 22:13:20.000000000' },
      { name: 'status code attribute as text and double', kind: 0, status_code: 0, dt: '2023-11-14 22:13:20.000000000' },
    ]);
    expect(JSON.parse(String(stored[4]?.attributes))).toEqual({ 'http.response.status_code': '500', 'http.status_code': 500.5, flag: true, list: ['a\tb', -1], empty: '' });
  });

  it('stores metric names, attribute keys and values holding comment openers, test hints, quotes, backslashes and newlines byte for byte (points go to chdb as JSONEachRow)', async () => {
    const texts = [
      'retry -- {error \\.}',
      '# {error \\.}',
      '/* {clientError \\.} */',
      'GET // {serverError 27}',
      'x -- {echo}',
      'unclosed " quote -- {serverError \\.}',
      "unclosed ' quote -- {error \\.}",
      'ends with a backslash \\',
      '\\N',
      '\\", "injected": "',
      'line\nbreak\r\nand\ttab',
      'nul\u0000byte',
      'ünïcödé 指标 🚀',
    ];
    const response = await sendGauges('metric-hints', [
      { name: 'before the hints' },
      ...texts.map((text) => ({ name: text, attributes: { hint: text, [text]: 'as a key' } })),
      { name: 'after the hints' },
    ]);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({});
    // Compared as bytes (hex), so no decoding on the way back can hide a change.
    const stored = await rows(
      "SELECT hex(name) AS name_bytes, arraySort(arrayMap((key, value) -> concat(hex(key), '=', hex(value)), mapKeys(tags), mapValues(tags))) AS tag_bytes FROM metrics WHERE tags['test'] = 'metric-hints' ORDER BY name_bytes",
    );
    const hex = (text: string) => Buffer.from(text).toString('hex').toUpperCase();
    const expected = ['before the hints', 'after the hints', ...texts].map((text) => {
      const attributes: Record<string, string> = texts.includes(text) ? { test: 'metric-hints', hint: text, [text]: 'as a key' } : { test: 'metric-hints' };
      return { name_bytes: hex(text), tag_bytes: Object.entries(attributes).map(([key, value]) => `${hex(key)}=${hex(value)}`).sort() };
    });
    expect(stored).toEqual(expected.sort((a, b) => (a.name_bytes < b.name_bytes ? -1 : 1)));
    expect(collector.current.store.dropped.metric_points).toBe(0);
  });

  it('stores a lone UTF-16 surrogate in a metric name or attribute as U+FFFD, as in spans, instead of losing the data point', async () => {
    // JSON.stringify sends the lone surrogate as the escape \ud800, which is valid JSON.
    const response = await sendGauges('lone-surrogate', [
      { name: 'lone \ud800 surrogate' },
      { name: 'lone surrogate in an attribute', attributes: { value: 'x\udc00y', ['key \udbff']: 'v' } },
      { name: 'paired surrogates \ud83d\ude80' },
    ]);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({});
    const stored = await rows("SELECT name, tags FROM metrics WHERE tags['test'] = 'lone-surrogate' ORDER BY name");
    expect(stored).toEqual([
      { name: 'lone surrogate in an attribute', tags: { test: 'lone-surrogate', value: 'x\ufffdy', 'key \ufffd': 'v' } },
      { name: 'lone \ufffd surrogate', tags: { test: 'lone-surrogate' } },
      { name: 'paired surrogates 🚀', tags: { test: 'lone-surrogate' } },
    ]);
    expect(collector.current.store.dropped.metric_points).toBe(0);
  });

  it('stores awkward text, numbers and times given to insertRows in every column type of the schema', async () => {
    const dt = '1700000000.000000000';
    const texts = ['Error: \\.', 'ends with a backslash \\', 'tab\there', 'crlf\r\nline', 'nul\u0000byte', 'lone \ud800 surrogate', '\\N', '', '---', 'a#b', 'a/*b*/ //c'];
    const awkward: Record<string, unknown>[] = [
      ...texts.map((name, index) => ({ dt, raw: {}, trace_id: 'texts', span_id: `t${String(index).padStart(2, '0')}`, name })),
      { dt, raw: { kind: 4 }, trace_id: 'numbers', span_id: 'n0', kind: Number.NaN, duration_ms: Number.NaN },
      { dt, raw: {}, trace_id: 'numbers', span_id: 'n1', kind: 'SERVER', duration_ms: Infinity },
      { dt, raw: {}, trace_id: 'numbers', span_id: 'n2', kind: true, duration_ms: -Infinity },
      { dt, raw: { big: 2n ** 70n }, trace_id: 'numbers', span_id: 'n3', kind: 2n ** 70n, duration_ms: '12.5' },
      { dt, raw: {}, trace_id: 'numbers', span_id: 'n4', kind: -Infinity, duration_ms: 'not a number', status_code: [1] },
      { dt: new Date(Date.UTC(1492, 9, 12)), raw: {}, trace_id: 'times', span_id: 'd0', service: true },
      { dt: '-1.500000000', raw: {}, trace_id: 'times', span_id: 'd1', service: ['a', 1] },
      { dt: 'not a time', raw: {}, trace_id: 'times', span_id: 'd2', service: { name: 'x' } },
      { dt: new Date(Number.NaN), raw: {}, trace_id: 'times', span_id: 'd3', service: 42 },
      { dt: '2024-02-29T12:00:00.123Z', raw: {}, trace_id: 'times', span_id: 'd4', service: null },
    ];
    // The rows dated before 1976 (1492, which DateTime64 would clamp to 1900; -1.5 s; no time at
    // all, the type's zero) are older than the retention: refused, the rest stored.
    await expect(collector.current.store.insertRows('spans', awkward)).resolves.toEqual({
      rows: 4,
      reason: expect.stringMatching(/^4 of 21 dated before \S+: older than the collector's retention of 18250d/) as unknown,
    });

    const stored = await rows(
      `SELECT trace_id, span_id, name, kind, status_code, toString(duration_ms) AS duration, toString(dt) AS dt, service, raw FROM spans WHERE trace_id IN ('texts', 'numbers', 'times') ORDER BY span_id`,
    );
    const bySpan = new Map(stored.map((row) => [row.span_id, row]));
    // A lone surrogate has no UTF-8 form: it is stored as U+FFFD, like any invalid text.
    expect(texts.map((_, index) => bySpan.get(`t${String(index).padStart(2, '0')}`)?.name)).toEqual(texts.map((text) => text.replace('\ud800', '\ufffd')));
    expect(['n0', 'n1', 'n2', 'n3', 'n4'].map((id) => [bySpan.get(id)?.kind, bySpan.get(id)?.status_code, bySpan.get(id)?.duration])).toEqual([
      [4, 0, 'nan'], // NaN is no UInt8: the column default, the kind in raw
      [0, 0, 'inf'],
      [1, 0, '-inf'],
      [255, 0, '12.5'],
      [0, 0, '0'], // a duration that is no number: the default from raw's (missing) times
    ]);
    // JSON has no bigint: its exact digits as a string.
    expect(JSON.parse(String(bySpan.get('n3')?.raw))).toEqual({ big: '1180591620717411303424' });
    expect(['d0', 'd1', 'd2', 'd3', 'd4'].map((id) => [bySpan.get(id)?.dt, bySpan.get(id)?.service])).toEqual([
      [undefined, undefined],
      [undefined, undefined],
      [undefined, undefined],
      [undefined, undefined],
      ['2024-02-29 12:00:00.123000000', ''],
    ]);

    await collector.current.store.insertRows('logs', [
      { dt, raw: {}, trace_id: 'severity', span_id: 'l0', severity_number: 9.7, severity_text: 'INFO -- {error \\.}' },
      { dt, raw: {}, trace_id: 'severity', span_id: 'l1', severity_number: -3 },
    ]);
    // Past 2106 (DateTime64(6) would clamp 2400 to 2299): refused.
    await expect(collector.current.store.insertRows('sentry_events', [{ dt: new Date(Date.UTC(2400, 0, 1)), raw: '{"level":"error"}', event_id: 'far-future' }])).resolves.toMatchObject({ rows: 1 });
    expect(await rows(`SELECT severity_number, severity_text FROM logs WHERE trace_id = 'severity' ORDER BY span_id`)).toEqual([
      { severity_number: 9, severity_text: 'INFO -- {error \\.}' },
      { severity_number: 0, severity_text: '' },
    ]);
    expect(await rows(`SELECT toString(dt) AS dt, level FROM sentry_events WHERE event_id = 'far-future'`)).toEqual([]);
    expect(collector.current.store.dropped).toEqual({ spans: 6, logs: 0, sentry_events: 1, metric_points: 0 });
  });
});

describe('a row ClickHouse refuses even alone', () => {
  it('is, for a metric data point, dropped while the other points of its request are stored, and the OTLP/HTTP answer says so (partial success)', async () => {
    // The metrics analogue of the log records' test below: a column of the ingest table whose
    // DEFAULT cannot be computed for one point makes ClickHouse refuse that point alone.
    await collector.current.store.query("ALTER TABLE metric_points ADD COLUMN client_address IPv4 DEFAULT toIPv4(point_tags['client.address'])");
    try {
      const droppedBefore = collector.current.store.dropped.metric_points;
      const writtenBefore = collector.current.store.written.metric_points;
      const response = await sendGauges('refused-point', [
        { name: 'refusal_gauge', attributes: { 'client.address': '127.0.0.1' }, value: 1 },
        { name: 'refusal_gauge', attributes: { 'client.address': 'not an address' }, value: 2 },
        { name: 'refusal_gauge', attributes: { 'client.address': '10.0.0.3' }, value: 3 },
        { name: 'refusal_other_gauge', attributes: { 'client.address': '10.0.0.4' }, value: 4 },
      ]);
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({
        partialSuccess: { rejectedDataPoints: '1', errorMessage: expect.stringMatching(/^1 of 4 refused by ClickHouse: Cannot parse IPv4 not an address.*\(CANNOT_PARSE_IPV4\)$/) as unknown },
      });
      const stored = await rows("SELECT name, tags['client.address'] AS address, avgMerge(value_avg) AS value FROM metrics WHERE tags['test'] = 'refused-point' GROUP BY name, address ORDER BY value");
      expect(stored).toEqual([
        { name: 'refusal_gauge', address: '127.0.0.1', value: 1 },
        { name: 'refusal_gauge', address: '10.0.0.3', value: 3 },
        { name: 'refusal_other_gauge', address: '10.0.0.4', value: 4 },
      ]);
      expect(collector.current.store.dropped.metric_points - droppedBefore).toBe(1);
      expect(collector.current.store.written.metric_points - writtenBefore).toBe(3);
    } finally {
      await collector.current.store.query('ALTER TABLE metric_points DROP COLUMN client_address');
    }
  });

  it('is dropped, counted and reported once, and every other row of its batch and of the batches written with it is stored', async () => {
    // A column type the encoder has no rule for takes text as it is, so an address that is none
    // is a row no encoding saves: ClickHouse refuses it whatever else the batch holds.
    await collector.current.store.query('ALTER TABLE logs ADD COLUMN client_address IPv4');
    await collector.close();
    const reports: string[] = [];
    store = await createStore({ dataDir: collector.dataDir, retentionDays: RETENTION_DAYS, report: createReportOnce({ write: (message) => reports.push(message), everyOccurrence: () => false }) });

    const log = (body: string, clientAddress = '127.0.0.1') => ({ dt: new Date(), raw: { body }, trace_id: 'salvage', client_address: clientAddress });
    // Two requests' rows in one INSERT (both are enqueued before the write starts).
    const withBadRow = store.insertRows('logs', [log('good 1'), log('good 2'), log('bad 1', 'not an address'), log('good 3'), log('good 4'), log('good 5')]);
    const alongside = store.insertRows('logs', [log('good 6'), log('good 7')]);
    const refused = { rows: 1, reason: expect.stringMatching(/^1 of 6 refused by ClickHouse: Cannot parse IPv4 not an address \(CANNOT_PARSE_IPV4\)$/) as unknown };
    await expect(Promise.all([withBadRow, alongside])).resolves.toEqual([refused, undefined]);
    // A batch of its own, with a bad row at the end.
    await expect(store.insertRows('logs', [log('good 8'), log('bad 2', 'not an address either')])).resolves.toMatchObject({ rows: 1 });

    const stored = await store.query(`SELECT JSONExtractString(raw, 'body') AS body FROM logs WHERE trace_id = 'salvage' ORDER BY body`);
    expect(stored.rows.map((row) => row.body)).toEqual(['good 1', 'good 2', 'good 3', 'good 4', 'good 5', 'good 6', 'good 7', 'good 8']);
    expect(store.dropped.logs).toBe(2);
    expect(store.written.logs).toBe(8);
    expect(reports).toHaveLength(1);
    expect(reports[0]).toMatch(/^dropped 1 of 6 rows of table logs that ClickHouse refused even one by one; the other 5 are stored .*ClickHouse said: Cannot parse IPv4 not an address \(CANNOT_PARSE_IPV4\)$/);

    // A request none of whose rows can be stored is not reported as stored: it fails with
    // ClickHouse's error (its sender keeps the rows), and nothing is counted as dropped.
    await expect(store.insertRows('logs', [log('bad 3', 'nope'), log('bad 4', 'nope either')])).rejects.toThrow(/CANNOT_PARSE_IPV4/);
    expect(store.dropped.logs).toBe(2);
    expect(store.written.logs).toBe(8);
    expect(reports).toHaveLength(1);

    // Over OTLP/HTTP the sender is told, as the spec's partial success: a column whose DEFAULT
    // cannot be computed for one record makes ClickHouse refuse that record alone.
    await store.query('ALTER TABLE logs ADD COLUMN severity_address IPv4 DEFAULT toIPv4(severity_text)');
    await store.close();
    store = undefined;
    await collector.restart({ retentionDays: RETENTION_DAYS });
    const record = (severityText: string, body: string) => ({ timeUnixNano: `${Date.now()}000000`, severityText, body: { stringValue: body } });
    const response = await fetch(`${collector.current.url}/v1/logs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ resourceLogs: [{ resource: { attributes: [] }, scopeLogs: [{ logRecords: [record('127.0.0.1', 'kept over OTLP'), record('not an address', 'refused over OTLP')] }] }] }),
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      partialSuccess: { rejectedLogRecords: '1', errorMessage: expect.stringMatching(/^1 of 2 refused by ClickHouse: .*\(CANNOT_PARSE_IPV4\)$/) as unknown },
    });
    const overOtlp = await rows(`SELECT severity_text FROM logs WHERE raw LIKE '%over OTLP%'`);
    expect(overOtlp).toEqual([{ severity_text: '127.0.0.1' }]);
  });
});
