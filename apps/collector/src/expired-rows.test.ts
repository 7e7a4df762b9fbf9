import { describe, expect, it, vi } from 'vitest';
import { collectorForFile } from './testing/collector-for-file';

// The default retention (7d), until the last tests restart the collector on the same folder with a longer one and back.
const collector = collectorForFile('kira-collector-expired-');

const DAY = 86_400_000;
/** A time: `daysAgo` days before now (after, when negative), or an exact instant (unix ms). */
type When = number | { at: number };
/** OTLP/JSON nanoseconds of a time. */
const nanosAgo = (when: When): string => `${typeof when === 'number' ? Date.now() - Math.round(when * DAY) : when.at}000000`;
/** The first second ClickHouse's DateTime cannot hold, 2106-02-07T06:28:16Z. */
const DATETIME_END_MS = 2 ** 32 * 1000;
/** The first instant whose TTL under the default 7d retention passes it: 2106-01-31T06:28:16Z. */
const LIMIT_7D_MS = DATETIME_END_MS - 7 * DAY;
/** The reason the default retention gives for `tooLate` of `total` rows dated too far ahead. */
const tooLateReason = (tooLate: number, total: number): string =>
  `${tooLate} of ${total} dated at or after 2106-01-31T06:28:16Z: their TTL (dt + the retention of 7d) would pass 2106-02-07T06:28:15Z, where ClickHouse's DateTime ends, so ClickHouse deletes them at once`;
const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** The reason the default retention gives for `expired` of `total` rows. */
const tooOld = (expired: number, total: number): RegExp =>
  new RegExp(`^${expired} of ${total} dated before \\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ: older than the collector's retention of 7d, which ClickHouse deletes at once; a longer --retention keeps such data$`);

async function postOtlp(signal: 'traces' | 'logs' | 'metrics', body: unknown): Promise<unknown> {
  const response = await fetch(`${collector.current.url}/v1/${signal}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  expect(response.status).toBe(200);
  return response.json();
}

let spanCount = 0;
/** A request of one span per name, dated `daysAgo` days before now (or at an instant). */
function spansRequest(spans: Array<[name: string, daysAgo: When]>): unknown {
  return {
    resourceSpans: [
      {
        scopeSpans: [
          {
            spans: spans.map(([name, daysAgo]) => {
              spanCount += 1;
              const start = nanosAgo(daysAgo);
              return { traceId: 'e7'.repeat(16), spanId: spanCount.toString(16).padStart(16, '0'), name, startTimeUnixNano: start, endTimeUnixNano: start };
            }),
          },
        ],
      },
    ],
  };
}

function logsRequest(records: Array<Record<string, unknown>>): unknown {
  return { resourceLogs: [{ scopeLogs: [{ logRecords: records }] }] };
}

/** Gauges of one data point each, dated `daysAgo` days before now (or at an instant). */
function gaugesRequest(gauges: Array<[name: string, daysAgo: When]>): unknown {
  const metrics = gauges.map(([name, daysAgo]) => ({ name, gauge: { dataPoints: [{ timeUnixNano: nanosAgo(daysAgo), asDouble: 1 }] } }));
  return { resourceMetrics: [{ scopeMetrics: [{ metrics }] }] };
}

async function column(sql: string): Promise<unknown[]> {
  return (await collector.current.store.query(sql)).rows.map((row) => Object.values(row)[0]);
}

describe('rows already older than the retention when they arrive (ClickHouse would delete them at once)', () => {
  it('a span dated 30 days ago is not stored, the answer says so as a partial success naming --retention, and the other spans of the request are stored', async () => {
    const droppedBefore = collector.current.store.dropped.spans;
    const answer = await postOtlp('traces', spansRequest([['span from 30 days ago', 30], ['fresh span', 0], ['span from 6 days ago', 6]]));
    expect(answer).toEqual({ partialSuccess: { rejectedSpans: '1', errorMessage: expect.stringMatching(tooOld(1, 3)) as unknown } });
    expect(await column("SELECT name FROM spans WHERE trace_id = 'e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7' ORDER BY dt")).toEqual(['span from 6 days ago', 'fresh span']);
    expect(collector.current.store.dropped.spans - droppedBefore).toBe(1);
  });

  it('log records dated (or, without a time, observed) 30 days ago are not stored; a record without any time is stored as received now', async () => {
    const answer = await postOtlp(
      'logs',
      logsRequest([
        { timeUnixNano: nanosAgo(30), body: { stringValue: 'expired: time 30 days ago' } },
        { timeUnixNano: '0', observedTimeUnixNano: nanosAgo(30), body: { stringValue: 'expired: observed 30 days ago' } },
        { timeUnixNano: nanosAgo(0), body: { stringValue: 'kept: fresh' } },
        { body: { stringValue: 'kept: no time at all' } },
      ]),
    );
    expect(answer).toEqual({ partialSuccess: { rejectedLogRecords: '2', errorMessage: expect.stringMatching(tooOld(2, 4)) as unknown } });
    expect(await column("SELECT JSONExtractString(raw, 'body') AS body FROM logs WHERE body LIKE 'expired:%' OR body LIKE 'kept:%' ORDER BY body")).toEqual([
      'kept: fresh',
      'kept: no time at all',
    ]);
  });

  it('a metric data point dated 30 days ago is not stored, and the points of the request inside the retention are', async () => {
    const answer = await postOtlp('metrics', gaugesRequest([['expired_gauge', 30], ['fresh_gauge', 0], ['six_days_old_gauge', 6]]));
    expect(answer).toEqual({ partialSuccess: { rejectedDataPoints: '1', errorMessage: expect.stringMatching(tooOld(1, 3)) as unknown } });
    expect(await column("SELECT DISTINCT name FROM metrics WHERE name LIKE '%_gauge' ORDER BY name")).toEqual(['fresh_gauge', 'six_days_old_gauge']);
  });

  it('rows inside the retention, or dated in the future, are stored as before and the answer is a plain success', async () => {
    const dropped = { ...collector.current.store.dropped };
    expect(await postOtlp('traces', spansRequest([['6.9 days old', 6.9], ['dated 2100', { at: Date.UTC(2100, 0, 1) }]]))).toEqual({});
    expect(await postOtlp('logs', logsRequest([{ timeUnixNano: nanosAgo(6.9), body: { stringValue: 'log 6.9 days old' } }]))).toEqual({});
    expect(await postOtlp('metrics', gaugesRequest([['gauge_6_9_days_old', 6.9]]))).toEqual({});
    expect(await column("SELECT name FROM spans WHERE name IN ('6.9 days old', 'dated 2100') ORDER BY dt")).toEqual(['6.9 days old', 'dated 2100']);
    expect(await column("SELECT toUInt32(count()) FROM logs WHERE JSONExtractString(raw, 'body') = 'log 6.9 days old'")).toEqual([1]);
    expect(await column("SELECT toUInt32(count()) FROM metrics WHERE name = 'gauge_6_9_days_old'")).toEqual([1]);
    expect(collector.current.store.dropped).toEqual(dropped);
  });

  it('Sentry envelopes (no partial success): an event older than the retention is not stored, counted and reported once; the envelope is answered as before', async () => {
    const errors = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      const send = (events: Array<[message: string, daysAgo?: number]>) => {
        const lines = events.flatMap(([message, daysAgo]) => [
          JSON.stringify({ type: 'event' }),
          JSON.stringify(daysAgo === undefined ? { message } : { message, timestamp: (Date.now() - daysAgo * DAY) / 1000 }),
        ]);
        return fetch(`${collector.current.url}/api/1/envelope/?sentry_key=key`, { method: 'POST', body: `{}\n${lines.join('\n')}\n` });
      };
      const droppedBefore = collector.current.store.dropped.sentry_events;
      // An event without a timestamp is stored as received now, as before.
      const response = await send([['event from 30 days ago', 30], ['fresh event', 0], ['event without a timestamp']]);
      expect(response.status).toBe(200);
      expect(response.headers.get('x-kira-stored-rows')).toBe('2');
      expect((await send([['another event from 30 days ago', 30]])).headers.get('x-kira-stored-rows')).toBe('0');
      expect(await column("SELECT JSONExtractString(raw, 'message') AS message FROM sentry_events WHERE message LIKE '%event%' ORDER BY message")).toEqual(['event without a timestamp', 'fresh event']);
      expect(collector.current.store.dropped.sentry_events - droppedBefore).toBe(2);
      const reports = errors.mock.calls.map((call) => call.join(' ')).filter((line) => line.includes('sentry_events'));
      expect(reports).toHaveLength(1);
      expect(reports[0]).toMatch(/^kira-collector: rows of table sentry_events not stored .*: 1 of 3 dated before .*--retention/);
    } finally {
      errors.mockRestore();
    }
  });
});

describe('rows dated so far ahead that their TTL passes 2106, where ClickHouse\'s DateTime ends (ClickHouse would delete them at once)', () => {
  it('spans dated from 2106-01-31T06:28:16Z on (7d before the end), or clamped to 2262, are not stored and the answer says why; the last second before is stored and outlives a TTL merge', async () => {
    const droppedBefore = collector.current.store.dropped.spans;
    const answer = await postOtlp(
      'traces',
      spansRequest([
        ['far future: at the limit', { at: LIMIT_7D_MS }],
        ['far future: 2200', { at: Date.UTC(2200, 0, 1) }],
        ['far future: last second before the limit', { at: LIMIT_7D_MS - 1000 }],
        ['far future: fresh', 0],
      ]),
    );
    expect(answer).toEqual({ partialSuccess: { rejectedSpans: '2', errorMessage: tooLateReason(2, 4) } });
    // Year 5138 is clamped to DateTime64(9)'s last instant, 2262-04-11: refused all the same.
    const year5138 = { traceId: 'e7'.repeat(16), spanId: 'f'.repeat(16), name: 'far future: 5138', startTimeUnixNano: '99999999999000000000', endTimeUnixNano: '99999999999000000000' };
    expect(await postOtlp('traces', { resourceSpans: [{ scopeSpans: [{ spans: [year5138] }] }] })).toEqual({ partialSuccess: { rejectedSpans: '1', errorMessage: tooLateReason(1, 1) } });
    expect(collector.current.store.dropped.spans - droppedBefore).toBe(3);
    // A merge applies the TTL: what was stored is kept.
    await collector.current.store.query('OPTIMIZE TABLE spans FINAL');
    expect(await column("SELECT name FROM spans WHERE name LIKE 'far future:%' ORDER BY dt")).toEqual(['far future: fresh', 'far future: last second before the limit']);
  });

  it('a log record and a data point dated past the limit are refused alongside ones older than the retention, both reasons given', async () => {
    const answer = await postOtlp(
      'logs',
      logsRequest([
        { timeUnixNano: nanosAgo(30), body: { stringValue: 'ahead: 30 days old' } },
        { timeUnixNano: `${Date.UTC(2106, 1, 1)}000000`, body: { stringValue: 'ahead: 2106-02-01' } },
        { timeUnixNano: nanosAgo(-365), body: { stringValue: 'ahead: a year ahead' } },
      ]),
    );
    const bothReasons = new RegExp(`${tooOld(1, 3).source.slice(0, -1)}; ${escapeRegExp(tooLateReason(1, 3))}$`);
    expect(answer).toEqual({ partialSuccess: { rejectedLogRecords: '2', errorMessage: expect.stringMatching(bothReasons) as unknown } });
    expect(await column("SELECT JSONExtractString(raw, 'body') AS body FROM logs WHERE body LIKE 'ahead:%'")).toEqual(['ahead: a year ahead']);

    const points = await postOtlp('metrics', gaugesRequest([['gauge_at_the_limit', { at: LIMIT_7D_MS }], ['gauge_2200', { at: Date.UTC(2200, 0, 1) }], ['gauge_before_the_limit', { at: LIMIT_7D_MS - 1000 }]]));
    expect(points).toEqual({ partialSuccess: { rejectedDataPoints: '2', errorMessage: tooLateReason(2, 3) } });
    await collector.current.store.query('OPTIMIZE TABLE metrics FINAL');
    expect(await column("SELECT DISTINCT name FROM metrics WHERE name IN ('gauge_at_the_limit', 'gauge_2200', 'gauge_before_the_limit')")).toEqual(['gauge_before_the_limit']);
  });

  it('Sentry: an event dated past the limit is not stored, counted and reported once; the envelope is answered as before', async () => {
    const errors = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      const lines = [
        JSON.stringify({ type: 'event' }),
        JSON.stringify({ message: 'event from 2300', timestamp: Date.UTC(2300, 0, 1) / 1000 }),
        JSON.stringify({ type: 'event' }),
        JSON.stringify({ message: 'event of now', timestamp: Date.now() / 1000 }),
      ];
      const droppedBefore = collector.current.store.dropped.sentry_events;
      const response = await fetch(`${collector.current.url}/api/1/envelope/?sentry_key=key`, { method: 'POST', body: `{}\n${lines.join('\n')}\n` });
      expect(response.status).toBe(200);
      expect(response.headers.get('x-kira-stored-rows')).toBe('1');
      expect(collector.current.store.dropped.sentry_events - droppedBefore).toBe(1);
      expect(await column("SELECT JSONExtractString(raw, 'message') AS message FROM sentry_events WHERE message IN ('event from 2300', 'event of now')")).toEqual(['event of now']);
      const reports = errors.mock.calls.map((call) => call.join(' ')).filter((line) => line.includes('sentry_events'));
      expect(reports).toEqual([`kira-collector: rows of table sentry_events not stored (reported once; later ones are only counted, in store.dropped): ${tooLateReason(1, 2)}`]);
    } finally {
      errors.mockRestore();
    }
  });
});

describe('a changed --retention on the same data folder changes the tables\' TTL', () => {
  /** Each table's TTL as ClickHouse reports it. */
  const tableTtls = async () =>
    Object.fromEntries(
      (await collector.current.store.query("SELECT name, extract(engine_full, 'TTL (.+?) SETTINGS') AS ttl FROM system.tables WHERE database = currentDatabase() AND engine_full LIKE '%TTL%' ORDER BY name")).rows.map(
        (row) => [row.name, row.ttl],
      ),
    );
  const ttlOf = (seconds: number) => `toDateTime(dt) + toIntervalSecond(${seconds})`;

  it('after a restart with a longer --retention (7d → 30d), a row dated 10 days ago is stored and queryable', async () => {
    await collector.restart({ retentionDays: 30 });
    expect(await tableTtls()).toEqual(Object.fromEntries(['legacy_metrics', 'logs', 'metrics', 'metrics_1m', 'sentry_events', 'spans'].map((table) => [table, ttlOf(30 * 86_400)])));
    const answer = await postOtlp('traces', spansRequest([['10 days old, past the 7d the tables were created with', 10], ['fresh after the restart', 0]]));
    expect(answer).toEqual({});
    const points = await postOtlp('metrics', gaugesRequest([['gauge_10_days_old', 10]]));
    expect(points).toEqual({});
    // A merge applies the TTL: the rows are kept by the table's new one.
    await collector.current.store.query('OPTIMIZE TABLE spans FINAL');
    await collector.current.store.query('OPTIMIZE TABLE metrics FINAL');
    expect(await column("SELECT name FROM spans WHERE name IN ('10 days old, past the 7d the tables were created with', 'fresh after the restart') ORDER BY dt")).toEqual([
      '10 days old, past the 7d the tables were created with',
      'fresh after the restart',
    ]);
    expect(await column("SELECT toUInt32(count()) FROM metrics WHERE name = 'gauge_10_days_old'")).toEqual([1]);
  });

  it('after a restart with a shorter one (30d → 7d), the 10-day-old rows are deleted at start and new ones are refused naming 7d', async () => {
    await collector.restart({ retentionDays: 7 });
    expect(await tableTtls()).toEqual(Object.fromEntries(['legacy_metrics', 'logs', 'metrics', 'metrics_1m', 'sentry_events', 'spans'].map((table) => [table, ttlOf(7 * 86_400)])));
    // The periodic delete ran at start (the store runs its work in order, so it is done by now).
    expect(await column("SELECT name FROM spans WHERE name IN ('10 days old, past the 7d the tables were created with', 'fresh after the restart') ORDER BY dt")).toEqual(['fresh after the restart']);
    expect(await column("SELECT toUInt32(count()) FROM metrics WHERE name = 'gauge_10_days_old'")).toEqual([0]);
    const answer = await postOtlp('traces', spansRequest([['10 days old after going back to 7d', 10], ['fresh after going back', 0]]));
    expect(answer).toEqual({ partialSuccess: { rejectedSpans: '1', errorMessage: expect.stringMatching(tooOld(1, 2)) as unknown } });
  });
});
