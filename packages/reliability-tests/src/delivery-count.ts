import type { CollectorProcess } from './collector-process';

export interface Delivery {
  /** SERVER span rows of the phase, and distinct span ids among them. */
  spans: number;
  uniqueSpans: number;
  /** Log rows of the phase, and distinct `request.id`s among them. */
  logs: number;
  uniqueLogs: number;
  /** Request numbers (`?id=` of the traffic) whose log record is stored. */
  logIds: Set<number>;
}

/**
 * What of one traffic phase is in the collector's store, counted by span id and by the request
 * number each log record carries, so a body delivered twice (at least once) shows up as a duplicate.
 */
export async function countDelivery(collector: CollectorProcess, phase: string): Promise<Delivery> {
  const [spans] = await collector.query<{ n: string; u: string }>(
    `SELECT count() AS n, uniqExact(span_id) AS u FROM spans WHERE kind = 2 AND JSONExtractString(raw, 'attributes', 'url.path') = '/work/${phase}'`,
  );
  const ids = await collector.query<{ id: string; n: string }>(
    `SELECT JSONExtractString(raw, 'attributes', 'request.id') AS id, count() AS n FROM logs WHERE JSONExtractString(raw, 'attributes', 'phase') = '${phase}' GROUP BY id`,
  );
  return {
    spans: Number(spans?.n ?? 0),
    uniqueSpans: Number(spans?.u ?? 0),
    logs: ids.reduce((sum, row) => sum + Number(row.n), 0),
    uniqueLogs: ids.length,
    logIds: new Set(ids.map((row) => Number(row.id))),
  };
}

export function formatDelivery(label: string, delivery: Delivery, sent: number): string {
  return (
    `${label}: ${delivery.uniqueSpans}/${sent} SERVER spans (${delivery.spans - delivery.uniqueSpans} duplicates), ` +
    `${delivery.uniqueLogs}/${sent} log records (${delivery.logs - delivery.uniqueLogs} duplicates)`
  );
}
