import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { context, SeverityNumber, trace } from '@opentelemetry/api';
import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import { OTLPTraceExporter as OTLPTraceJsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchLogRecordProcessor, LoggerProvider } from '@opentelemetry/sdk-logs';
import { AggregationTemporality, MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { BatchSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitUntil } from '@kira/test-utils';
import { startCollector } from './start-collector';
import type { Collector } from './types';

let collector: Collector;
let dataDir: string;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'kira-collector-ingest-'));
  collector = await startCollector({ port: 0, dataDir });
});

afterAll(async () => {
  await collector?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

async function query(sql: string, extra: Record<string, unknown> = {}): Promise<{ status: number; body: any }> {
  const response = await fetch(`${collector.url}/query`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: sql, start: new Date(Date.now() - 3_600_000).toISOString(), end: new Date(Date.now() + 60_000).toISOString(), ...extra }),
  });
  return { status: response.status, body: await response.json() };
}

const resource = resourceFromAttributes({ 'service.name': 'kira-be', 'deployment.environment.name': 'test' });

describe('OTLP ingestion from the real exporters', () => {
  it('stores spans sent as gzip protobuf and as JSON, queryable with the query surface', async () => {
    const protoProvider = new TracerProvider({
      resource,
      spanProcessors: [new BatchSpanProcessor({ exporter: new OTLPTraceExporter({ url: `${collector.url}/v1/traces`, compression: 'gzip' as never }) })],
    });
    const jsonProvider = new TracerProvider({
      resource: resourceFromAttributes({ 'service.name': 'kira-web' }),
      spanProcessors: [new BatchSpanProcessor({ exporter: new OTLPTraceJsonExporter({ url: `${collector.url}/v1/traces` }) })],
    });
    const tracer = protoProvider.getTracer('ingest-test');
    const parent = tracer.startSpan('GET /users/:id', { kind: 1, attributes: { 'http.route': '/users/:id', 'http.response.status_code': 200 } });
    const traceId = parent.spanContext().traceId;
    // No global context manager here, so the parent is passed explicitly.
    const child = tracer.startSpan('byteplus seedream_edit', { kind: 2, attributes: { 'external.service': 'byteplus' } }, trace.setSpan(context.active(), parent));
    child.addEvent('retry', { attempt: 1 });
    child.setStatus({ code: 2, message: 'boom' });
    child.end();
    parent.end();
    jsonProvider.getTracer('web').startSpan('page load').end();
    await Promise.all([protoProvider.forceFlush(), jsonProvider.forceFlush()]);

    const { status, body } = await query(
      `SELECT name, service, kind, status_code, JSONExtractString(raw, 'attributes', 'http.route') AS route, JSONExtractString(raw, 'scope', 'name') AS scope FROM {{source:spans}} WHERE dt BETWEEN {{start_time}} AND {{end_time}} AND trace_id = '${traceId}' ORDER BY name`,
    );
    expect(status).toBe(200);
    expect(body.rows).toEqual([
      { name: 'GET /users/:id', service: 'kira-be', kind: 2, status_code: 0, route: '/users/:id', scope: 'ingest-test' },
      { name: 'byteplus seedream_edit', service: 'kira-be', kind: 3, status_code: 2, route: '', scope: 'ingest-test' },
    ]);
    const stored = await collector.store.query(`SELECT raw FROM spans WHERE name = 'byteplus seedream_edit'`);
    const raw = JSON.parse(String(stored.rows[0]?.raw));
    expect(raw).toMatchObject({ traceId, status: { code: 2, message: 'boom' }, events: [{ name: 'retry', attributes: { attempt: 1 } }], resource: { 'service.name': 'kira-be' } });
    expect(raw.parentSpanId).toMatch(/^[0-9a-f]{16}$/);

    const web = await query(`SELECT count() AS n FROM {{source:spans}} WHERE service = 'kira-web'`);
    expect(Number(web.body.rows[0].n)).toBe(1);
    await Promise.all([protoProvider.shutdown(), jsonProvider.shutdown()]);
  });

  it('stores log records with severity, body and trace context', async () => {
    const provider = new LoggerProvider({
      resource,
      processors: [new BatchLogRecordProcessor({ exporter: new OTLPLogExporter({ url: `${collector.url}/v1/logs` }) })],
    });
    const logger = provider.getLogger('ingest-test');
    logger.emit({ severityNumber: SeverityNumber.WARN, severityText: 'warn', body: 'AI tool executed: seedream', attributes: { 'ai.tool.name': 'seedream', 'duration.ms': 1234 } });
    logger.emit({ severityNumber: SeverityNumber.ERROR, severityText: 'error', body: { structured: true } });
    await provider.forceFlush();

    const { body } = await query(
      "SELECT severity_number, severity_text, service, JSONExtractString(raw, 'body') AS text, JSONExtractFloat(raw, 'attributes', 'duration.ms') AS duration FROM {{source:logs}} WHERE dt BETWEEN {{start_time}} AND {{end_time}} ORDER BY severity_number",
    );
    expect(body.rows).toEqual([
      { severity_number: 13, severity_text: 'warn', service: 'kira-be', text: 'AI tool executed: seedream', duration: 1234 },
      { severity_number: 17, severity_text: 'error', service: 'kira-be', text: '{"structured":true}', duration: 0 },
    ]);
    await provider.shutdown();
  });

  it('stores gauges, cumulative counters and histograms as aggregate states', async () => {
    const exporter = new OTLPMetricExporter({ url: `${collector.url}/v1/metrics`, temporalityPreference: AggregationTemporality.CUMULATIVE });
    const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 600_000 });
    const provider = new MeterProvider({ resource: resourceFromAttributes({ 'service.name': 'kira-imgproxy' }), readers: [reader] });
    const meter = provider.getMeter('ingest-test');
    let utilization = 0.25;
    meter.createObservableGauge('workers_utilization').addCallback((result) => result.observe(utilization));
    const executions = meter.createCounter('ai_tool_executions');
    const duration = meter.createHistogram('ai_tool_duration_ms', { advice: { explicitBucketBoundaries: [100, 1000, 10000] } });

    executions.add(10, { tool_name: 'seedream', success: 'true' });
    for (let i = 0; i < 50; i++) duration.record(50, { tool_name: 'seedream' });
    for (let i = 0; i < 50; i++) duration.record(500, { tool_name: 'seedream' });
    await provider.forceFlush();
    // Cumulative values become increases by their timestamps (ms): the second export must be
    // stamped after the first one, so wait until the clock has passed it.
    const firstExportDone = Date.now();
    await waitUntil(() => Date.now() > firstExportDone, 5_000, 'the clock to pass the first export');
    utilization = 0.75;
    executions.add(30, { tool_name: 'seedream', success: 'true' });
    for (let i = 0; i < 100; i++) duration.record(5000, { tool_name: 'seedream' });
    const flushedAt = Date.now();
    await provider.forceFlush();

    const gauge = await query(
      "SELECT avgMerge(value_avg) AS avg, maxMerge(value_max) AS max, minMerge(value_min) AS min, countMerge(events_count) AS n FROM {{source}} WHERE dt BETWEEN {{start_time}} AND {{end_time}} AND name = 'workers_utilization' AND label('service.name') = 'kira-imgproxy'",
    );
    expect(gauge.status).toBe(200);
    expect(gauge.body.rows[0]).toMatchObject({ avg: 0.5, max: 0.75, min: 0.25 });
    expect(Number(gauge.body.rows[0].n)).toBe(2);

    const counter = await query(
      "SELECT label('tool_name') AS tool, maxMerge(value_max) AS total, avgMerge(rate_avg) AS rate FROM {{source}} WHERE dt BETWEEN {{start_time}} AND {{end_time}} AND name = 'ai_tool_executions' AND label('success') = 'true' GROUP BY tool",
    );
    expect(counter.body.rows).toHaveLength(1);
    expect(counter.body.rows[0].tool).toBe('seedream');
    expect(counter.body.rows[0].total).toBe(40);
    // two rates averaged: 10 over the first window and 30 over the time between the exports
    expect(counter.body.rows[0].rate).toBeGreaterThan(0);

    const histogram = await query(
      "SELECT histogramQuantile(0.5) AS p50, histogramQuantile(0.95) AS p95, sumMerge(bucket_count) AS n, sumForEachMerge(bucket_counts) AS buckets FROM {{source}} WHERE dt BETWEEN {{start_time}} AND {{end_time}} AND name = 'ai_tool_duration_ms'",
    );
    // 200 observations, as deltas: 50 ≤ 100, 50 in (100, 1000], 100 in (1000, 10000]
    expect(histogram.body.rows[0].buckets).toEqual([50, 50, 100, 0]);
    expect(Number(histogram.body.rows[0].n)).toBe(200);
    expect(histogram.body.rows[0].p50).toBeCloseTo(1000, 6);
    expect(histogram.body.rows[0].p95).toBeCloseTo(1000 + 9000 * (90 / 100), 6);

    const series = await query("SELECT {{time}} AS time, avgMerge(value_avg) AS value FROM {{source}} WHERE time BETWEEN {{start_time}} AND {{end_time}} AND name = 'workers_utilization' GROUP BY time ORDER BY time", {
      start: new Date(flushedAt - 600_000).toISOString(),
      end: new Date(flushedAt + 60_000).toISOString(),
      intervalSeconds: 60,
    });
    expect(series.body.rows.length).toBeGreaterThanOrEqual(1);
    for (const row of series.body.rows) expect(String(row.time)).toMatch(/:00$/);
    expect(series.body.rows.at(-1).value).toBeGreaterThan(0.25);
    await provider.shutdown();
  });

  it('reports unsupported metric types in partial success instead of dropping them silently', async () => {
    const now = `${Date.now()}000000`;
    const response = await fetch(`${collector.url}/v1/metrics`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        resourceMetrics: [
          {
            scopeMetrics: [
              {
                metrics: [
                  { name: 'ok_gauge', gauge: { dataPoints: [{ asInt: '7', timeUnixNano: now }] } },
                  { name: 'latency', exponentialHistogram: { dataPoints: [{ timeUnixNano: now, count: '1' }, { timeUnixNano: now, count: '2' }] } },
                  { name: 'rpc', summary: { dataPoints: [{ timeUnixNano: now }] } },
                ],
              },
            ],
          },
        ],
      }),
    });
    expect(response.status).toBe(200);
    const body = await response.json();
    expect(body.partialSuccess.rejectedDataPoints).toBe('3');
    expect(body.partialSuccess.errorMessage).toMatch(/exponential histogram.*latency/);
    expect(body.partialSuccess.errorMessage).toMatch(/summary.*rpc/);
    const stored = await query("SELECT avgMerge(value_avg) AS v FROM {{source}} WHERE name = 'ok_gauge'");
    expect(stored.body.rows[0].v).toBe(7);
  });
});
