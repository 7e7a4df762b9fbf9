import { describe, expect, it } from 'vitest';
import { collectorForFile } from './testing/collector-for-file';

// A retention of 5 seconds, so that a part written under it expires within the test.
const SECONDS = 5;
const collector = collectorForFile('kira-collector-retention-change-', { retentionDays: SECONDS / 86_400 });

async function postSpan(name: string): Promise<unknown> {
  const now = `${Date.now()}000000`;
  const body = { resourceSpans: [{ scopeSpans: [{ spans: [{ traceId: 'a1'.repeat(16), spanId: Date.now().toString(16).padStart(16, '0'), name, startTimeUnixNano: now, endTimeUnixNano: now }] }] }] };
  const response = await fetch(`${collector.current.url}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  expect(response.status).toBe(200);
  return response.json();
}

async function column(sql: string): Promise<unknown[]> {
  return (await collector.current.store.query(sql)).rows.map((row) => Object.values(row)[0]);
}

describe('a lengthened --retention reaches the parts already written', () => {
  it('a span written under a 5 s retention outlives a TTL merge 5 s later once the collector restarted with 7d (each part follows the new TTL, not the one it was written under)', async () => {
    const sentAt = Date.now();
    expect(await postSpan('written under 5 s')).toEqual({});
    await collector.restart({ retentionDays: 7 });
    // Every active part's TTL info was recalculated for 7 days (without it, merges go by the 5 s TTL the part was written under).
    const [earliestTtl] = await column("SELECT toUnixTimestamp(min(delete_ttl_info_min)) FROM system.parts WHERE database = currentDatabase() AND table = 'spans' AND active");
    expect(Number(earliestTtl) * 1000).toBeGreaterThan(sentAt + 6 * 86_400_000);
    // Past the old TTL, a merge (which deletes what the TTL says has expired) keeps the span.
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, sentAt + (SECONDS + 1) * 1000 - Date.now())));
    await collector.current.store.query('OPTIMIZE TABLE spans FINAL');
    expect(await column("SELECT name FROM spans WHERE name = 'written under 5 s'")).toEqual(['written under 5 s']);
  });
});

describe('a table whose TTL cannot be changed', () => {
  // Last in the file: the data folder cannot be opened again afterwards.
  it('stops the collector from starting, with an error naming the table, both retentions and what to do', async () => {
    // A table the collector did not create, of an engine that has no TTL: no ALTER can give it one.
    await collector.current.store.query('DROP TABLE sentry_events');
    await collector.current.store.query("CREATE TABLE sentry_events (dt DateTime64(6, 'UTC'), raw String) ENGINE = Log");
    await expect(collector.restart({ retentionDays: 30 })).rejects.toThrow(
      /^could not change the TTL of table sentry_events to --retention 30d \(it has no TTL the collector knows\); start with a new --data-dir\. ClickHouse said: .*not supported by storage Log/,
    );
  });
});
