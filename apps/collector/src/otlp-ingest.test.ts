import { context, SeverityNumber, trace } from '@opentelemetry/api';
import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import { OTLPTraceExporter as OTLPTraceJsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchLogRecordProcessor, LoggerProvider } from '@opentelemetry/sdk-logs';
import { AggregationTemporality, MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { BatchSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { describe, expect, it } from 'vitest';
import { waitUntil } from '@kira/test-utils';
import { collectorForFile } from './testing/collector-for-file';

const collector = collectorForFile('kira-collector-ingest-');

async function query(sql: string, extra: Record<string, unknown> = {}): Promise<{ status: number; body: any }> {
  const response = await fetch(`${collector.current.url}/query`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: sql, start: new Date(Date.now() - 3_600_000).toISOString(), end: new Date(Date.now() + 60_000).toISOString(), ...extra }),
  });
  return { status: response.status, body: await response.json() };
}

/** POSTs an OTLP/JSON request body, as an http/json exporter sends it. */
async function postJson(path: '/v1/traces' | '/v1/logs' | '/v1/metrics', request: unknown): Promise<Response> {
  return fetch(`${collector.current.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(request) });
}

/** An OTLP/JSON time (fixed64 nanoseconds, as a decimal string) from milliseconds. */
const nanos = (millis: number) => `${millis}000000`;

const resource = resourceFromAttributes({ 'service.name': 'kira-be', 'deployment.environment.name': 'test' });

describe('OTLP ingestion from the real exporters', () => {
  it('stores spans sent as gzip protobuf and as JSON, queryable with the query surface', async () => {
    const protoProvider = new TracerProvider({
      resource,
      spanProcessors: [new BatchSpanProcessor({ exporter: new OTLPTraceExporter({ url: `${collector.current.url}/v1/traces`, compression: 'gzip' as never }) })],
    });
    const jsonProvider = new TracerProvider({
      resource: resourceFromAttributes({ 'service.name': 'kira-web' }),
      spanProcessors: [new BatchSpanProcessor({ exporter: new OTLPTraceJsonExporter({ url: `${collector.current.url}/v1/traces` }) })],
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
    const stored = await collector.current.store.query(`SELECT raw FROM spans WHERE name = 'byteplus seedream_edit'`);
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
      processors: [new BatchLogRecordProcessor({ exporter: new OTLPLogExporter({ url: `${collector.current.url}/v1/logs` }) })],
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
    const exporter = new OTLPMetricExporter({ url: `${collector.current.url}/v1/metrics`, temporalityPreference: AggregationTemporality.CUMULATIVE });
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
    const response = await postJson('/v1/metrics', {
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

// The OTLP spec has senders write enums as integers, but the protobuf JSON mapping lets parsers
// take their proto names too, and the OpenTelemetry Collector does (see resolveOtlpJsonEnums in
// @kira/telemetry-wire): a name used to be stored as 0 (UNSPECIFIED / cumulative).
describe('OTLP/JSON enums given by their proto names', () => {
  it('stores span kinds and status codes sent by name (or as integer strings) as their numbers', async () => {
    const traceId = 'e1'.repeat(16);
    const now = Date.now();
    const sent: Array<[kind: unknown, code: unknown]> = [
      ['SPAN_KIND_UNSPECIFIED', 'STATUS_CODE_UNSET'],
      ['SPAN_KIND_INTERNAL', 'STATUS_CODE_OK'],
      ['SPAN_KIND_SERVER', 'STATUS_CODE_ERROR'],
      ['SPAN_KIND_CLIENT', 2],
      ['SPAN_KIND_PRODUCER', '1'],
      ['SPAN_KIND_CONSUMER', 'STATUS_CODE_ERROR'],
      ['2', 'STATUS_CODE_OK'],
    ];
    const spans = sent.map(([kind, code], index) => ({
      traceId,
      spanId: String(index + 1).padStart(16, '0'),
      name: `span ${index}`,
      kind,
      status: { code },
      startTimeUnixNano: nanos(now),
      endTimeUnixNano: nanos(now + 5),
    }));
    const response = await postJson('/v1/traces', { resourceSpans: [{ scopeSpans: [{ spans }] }] });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({});
    const stored = await collector.current.store.query(
      `SELECT kind, status_code, JSONExtractRaw(raw, 'kind') AS raw_kind, JSONExtractRaw(raw, 'status', 'code') AS raw_code FROM spans WHERE trace_id = '${traceId}' ORDER BY span_id`,
    );
    expect(stored.rows.map((row) => [row.kind, row.status_code, row.raw_kind, row.raw_code])).toEqual([
      [0, 0, '0', '0'],
      [1, 1, '1', '1'],
      [2, 2, '2', '2'],
      [3, 2, '3', '2'],
      [4, 1, '4', '1'],
      [5, 2, '5', '2'],
      [2, 1, '2', '1'],
    ]);
  });

  it('stores log severities sent by name (or as an integer string) as their numbers', async () => {
    const now = Date.now();
    const sent = ['SEVERITY_NUMBER_TRACE', 'SEVERITY_NUMBER_WARN', 'SEVERITY_NUMBER_ERROR3', 'SEVERITY_NUMBER_FATAL4', '9'];
    const logRecords = sent.map((severityNumber) => ({ timeUnixNano: nanos(now), severityNumber, body: { stringValue: `severity by name: ${severityNumber}` } }));
    const response = await postJson('/v1/logs', { resourceLogs: [{ scopeLogs: [{ logRecords }] }] });
    expect(response.status).toBe(200);
    const stored = await collector.current.store.query(
      "SELECT JSONExtractString(raw, 'body') AS body, severity_number, JSONExtractRaw(raw, 'severityNumber') AS raw_severity FROM logs WHERE raw LIKE '%severity by name: %' ORDER BY severity_number",
    );
    expect(stored.rows).toEqual([
      { body: 'severity by name: SEVERITY_NUMBER_TRACE', severity_number: 1, raw_severity: '1' },
      { body: 'severity by name: 9', severity_number: 9, raw_severity: '9' },
      { body: 'severity by name: SEVERITY_NUMBER_WARN', severity_number: 13, raw_severity: '13' },
      { body: 'severity by name: SEVERITY_NUMBER_ERROR3', severity_number: 19, raw_severity: '19' },
      { body: 'severity by name: SEVERITY_NUMBER_FATAL4', severity_number: 24, raw_severity: '24' },
    ]);
  });

  it('reads sums and histograms whose aggregation temporality is given by name as delta or cumulative', async () => {
    // Two points 10 s apart per series. Delta points are each window's own increase; cumulative
    // ones are running totals, stored as the increase over the series' previous point.
    const start = Math.floor(Date.now() / 1000) * 1000 - 60_000;
    const window = (index: number) => ({ startTimeUnixNano: nanos(start + index * 10_000), timeUnixNano: nanos(start + (index + 1) * 10_000) });
    const sum = (name: string, aggregationTemporality: string, values: number[], cumulative: boolean) => ({
      name,
      sum: {
        aggregationTemporality,
        isMonotonic: true,
        dataPoints: values.map((asDouble, index) => ({ ...window(index), ...(cumulative ? { startTimeUnixNano: nanos(start) } : {}), asDouble })),
      },
    });
    const histogram = (name: string, aggregationTemporality: string) => ({
      name,
      histogram: { aggregationTemporality, dataPoints: [0, 1].map((index) => ({ ...window(index), explicitBounds: [10], bucketCounts: ['1', '1'], count: '2' })) },
    });
    const response = await postJson('/v1/metrics', {
      resourceMetrics: [
        {
          scopeMetrics: [
            {
              metrics: [
                sum('enum_delta_sum', 'AGGREGATION_TEMPORALITY_DELTA', [10, 10], false),
                sum('enum_cumulative_sum', 'AGGREGATION_TEMPORALITY_CUMULATIVE', [10, 30], true),
                histogram('enum_delta_histogram', 'AGGREGATION_TEMPORALITY_DELTA'),
                histogram('enum_cumulative_histogram', 'AGGREGATION_TEMPORALITY_CUMULATIVE'),
              ],
            },
          ],
        },
      ],
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({});
    const rates = await collector.current.store.query(
      "SELECT name, avgMerge(rate_avg) AS rate FROM metrics WHERE name IN ('enum_delta_sum', 'enum_cumulative_sum') GROUP BY name, dt ORDER BY name, dt",
    );
    expect(rates.rows).toEqual([
      // 10 over the first 10 s, then 30 − 10 = 20 over the next 10 s
      { name: 'enum_cumulative_sum', rate: 1 },
      { name: 'enum_cumulative_sum', rate: 2 },
      // 10 in each 10-s window; read as cumulative, the second point would be no increase (rate 0)
      { name: 'enum_delta_sum', rate: 1 },
      { name: 'enum_delta_sum', rate: 1 },
    ]);
    const buckets = await collector.current.store.query(
      "SELECT name, sumForEachMerge(bucket_counts) AS counts FROM metrics WHERE name IN ('enum_delta_histogram', 'enum_cumulative_histogram') GROUP BY name ORDER BY name",
    );
    expect(buckets.rows).toEqual([
      // the same running total twice: no new observations in the second window
      { name: 'enum_cumulative_histogram', counts: [1, 1] },
      { name: 'enum_delta_histogram', counts: [2, 2] },
    ]);
  });

  it('answers an enum name the protos do not define with 400 naming the field and the value, and stores nothing of the request', async () => {
    const now = nanos(Date.now());
    const span = (name: string, fields: Record<string, unknown>) => ({ traceId: 'e2'.repeat(16), spanId: 'e2'.repeat(8), name, startTimeUnixNano: now, endTimeUnixNano: now, ...fields });
    const cases: Array<{ path: '/v1/traces' | '/v1/logs' | '/v1/metrics'; request: unknown; message: string }> = [
      {
        path: '/v1/traces',
        request: { resourceSpans: [{ scopeSpans: [{ spans: [span('refused request: valid span', { kind: 2 }), span('refused request: short kind name', { kind: 'SERVER' })] }] }] },
        message: 'resourceSpans[0].scopeSpans[0].spans[1].kind: "SERVER" is no SpanKind: give a number or one of SPAN_KIND_UNSPECIFIED, SPAN_KIND_INTERNAL, SPAN_KIND_SERVER',
      },
      {
        path: '/v1/traces',
        request: { resourceSpans: [{ scopeSpans: [{ spans: [span('refused request: lower-case status', { status: { code: 'status_code_error' } })] }] }] },
        message: 'resourceSpans[0].scopeSpans[0].spans[0].status.code: "status_code_error" is no StatusCode',
      },
      {
        path: '/v1/traces',
        request: { resourceSpans: [{ scopeSpans: [{ spans: [span('refused request: boolean kind', { kind: true })] }] }] },
        message: 'resourceSpans[0].scopeSpans[0].spans[0].kind: true is no SpanKind',
      },
      {
        path: '/v1/logs',
        request: { resourceLogs: [{ scopeLogs: [{ logRecords: [{ timeUnixNano: now, severityNumber: 'WARN', body: { stringValue: 'refused request: short severity name' } }] }] }] },
        message: 'resourceLogs[0].scopeLogs[0].logRecords[0].severityNumber: "WARN" is no SeverityNumber',
      },
      {
        path: '/v1/metrics',
        request: { resourceMetrics: [{ scopeMetrics: [{ metrics: [{ name: 'refused_request_sum', sum: { aggregationTemporality: 'DELTA', isMonotonic: true, dataPoints: [{ timeUnixNano: now, asDouble: 1 }] } }] }] }] },
        message: 'resourceMetrics[0].scopeMetrics[0].metrics[0].sum.aggregationTemporality: "DELTA" is no AggregationTemporality',
      },
    ];
    for (const { path, request, message } of cases) {
      const response = await postJson(path, request);
      expect(response.status, message).toBe(400);
      const status = (await response.json()) as { code: number; message: string };
      expect(status.code, message).toBe(3); // google.rpc.Code INVALID_ARGUMENT
      expect(status.message).toContain(message);
    }
    const stored = await collector.current.store.query(
      "SELECT (SELECT count() FROM spans WHERE name LIKE 'refused request:%') AS spans, (SELECT count() FROM logs WHERE raw LIKE '%refused request:%') AS logs, (SELECT count() FROM metrics WHERE name = 'refused_request_sum') AS metrics",
    );
    expect(stored.rows).toEqual([{ spans: 0, logs: 0, metrics: 0 }]);
  });
});

// The protobuf JSON mapping has parsers accept the proto field names as well as the lowerCamelCase
// ones, and the OpenTelemetry Collector does (see withOtlpJsonFieldNames in @kira/telemetry-wire).
// Such a body used to be answered 200 with nothing of it stored.
describe('OTLP/JSON written with the proto field names', () => {
  it('stores the spans, log records and metric points of snake_case bodies, keeping values that look like field names', async () => {
    const traceId = 'f5'.repeat(16);
    const [parentId, childId] = ['a1'.repeat(8), 'a2'.repeat(8)];
    const now = Date.now();
    const resource = { attributes: [{ key: 'service.name', value: { string_value: 'proto-names' } }] };
    const scope = { name: 'proto-names-scope', version: '2.0.0' };
    const answers = await Promise.all([
      postJson('/v1/traces', {
        resource_spans: [
          {
            resource,
            scope_spans: [
              {
                scope,
                spans: [
                  {
                    trace_id: traceId,
                    span_id: parentId,
                    name: 'GET /users/:user_id',
                    kind: 'SPAN_KIND_SERVER',
                    start_time_unix_nano: nanos(now),
                    end_time_unix_nano: nanos(now + 25),
                    attributes: [
                      { key: 'user_id', value: { int_value: '42' } },
                      { key: 'http.route', value: { string_value: 'span_id' } },
                    ],
                    status: { code: 'STATUS_CODE_OK' },
                  },
                  {
                    trace_id: traceId,
                    span_id: childId,
                    parent_span_id: parentId,
                    trace_state: 'vendor=1',
                    name: 'SELECT users',
                    kind: 3,
                    start_time_unix_nano: nanos(now + 5),
                    end_time_unix_nano: nanos(now + 15),
                    dropped_attributes_count: 2,
                    events: [{ time_unix_nano: nanos(now + 10), name: 'retry', attributes: [{ key: 'attempt_no', value: { int_value: 2 } }] }],
                    links: [{ trace_id: 'f6'.repeat(16), span_id: 'b1'.repeat(8), attributes: [{ key: 'link_kind', value: { string_value: 'follows_from' } }] }],
                    status: { code: 2, message: 'time_unix_nano' },
                  },
                ],
              },
            ],
          },
        ],
      }),
      postJson('/v1/logs', {
        resource_logs: [
          {
            resource,
            scope_logs: [
              {
                scope,
                log_records: [
                  {
                    observed_time_unix_nano: nanos(now),
                    severity_number: 'SEVERITY_NUMBER_ERROR',
                    severity_text: 'error',
                    event_name: 'user_lookup.failed',
                    body: { kvlist_value: { values: [{ key: 'user_id', value: { array_value: { values: [{ string_value: 'log_records' }, { double_value: 1.5 }] } } }] } },
                    attributes: [{ key: 'retry_count', value: { bool_value: true } }],
                    trace_id: traceId,
                    span_id: childId,
                  },
                ],
              },
            ],
          },
        ],
      }),
      postJson('/v1/metrics', {
        resource_metrics: [
          {
            resource,
            scope_metrics: [
              {
                scope,
                metrics: [
                  { name: 'proto_names_gauge', gauge: { data_points: [{ time_unix_nano: nanos(now), as_double: 0.5, attributes: [{ key: 'pool_name', value: { string_value: 'data_points' } }] }] } },
                  {
                    name: 'proto_names_sum',
                    sum: { aggregation_temporality: 'AGGREGATION_TEMPORALITY_DELTA', is_monotonic: true, data_points: [{ start_time_unix_nano: nanos(now - 10_000), time_unix_nano: nanos(now), as_int: '20' }] },
                  },
                  {
                    name: 'proto_names_histogram',
                    histogram: {
                      aggregation_temporality: 1,
                      data_points: [{ start_time_unix_nano: nanos(now - 10_000), time_unix_nano: nanos(now), count: '3', sum: 30, bucket_counts: ['1', '2'], explicit_bounds: [10] }],
                    },
                  },
                ],
              },
            ],
          },
        ],
      }),
    ]);
    for (const answer of answers) {
      expect(answer.status).toBe(200);
      expect(await answer.json()).toEqual({});
    }

    const spans = await collector.current.store.query(
      `SELECT span_id, parent_span_id, name, kind, service, duration_ms, status_code, raw FROM spans WHERE trace_id = '${traceId}' ORDER BY span_id`,
    );
    expect(spans.rows.map(({ raw: _raw, ...row }) => row)).toEqual([
      { span_id: parentId, parent_span_id: '', name: 'GET /users/:user_id', kind: 2, service: 'proto-names', duration_ms: 25, status_code: 1 },
      { span_id: childId, parent_span_id: parentId, name: 'SELECT users', kind: 3, service: 'proto-names', duration_ms: 10, status_code: 2 },
    ]);
    const [parentRaw, childRaw] = spans.rows.map((row) => JSON.parse(String(row.raw)));
    expect(parentRaw).toMatchObject({ traceId, startTimeUnixNano: nanos(now), attributes: { user_id: 42, 'http.route': 'span_id' }, resource: { 'service.name': 'proto-names' }, scope });
    expect(childRaw).toMatchObject({
      traceState: 'vendor=1',
      droppedAttributesCount: 2,
      events: [{ timeUnixNano: nanos(now + 10), name: 'retry', attributes: { attempt_no: 2 } }],
      links: [{ traceId: 'f6'.repeat(16), spanId: 'b1'.repeat(8), attributes: { link_kind: 'follows_from' } }],
      status: { code: 2, message: 'time_unix_nano' },
    });

    const logs = await collector.current.store.query(
      `SELECT toString(toUnixTimestamp64Nano(dt)) AS dt, span_id, service, severity_number, severity_text, JSONExtractRaw(raw, 'body') AS body, JSONExtractRaw(raw, 'attributes') AS attributes, JSONExtractString(raw, 'eventName') AS event FROM logs WHERE trace_id = '${traceId}'`,
    );
    expect(logs.rows).toEqual([
      { dt: nanos(now), span_id: childId, service: 'proto-names', severity_number: 17, severity_text: 'error', body: '{"user_id":["log_records",1.5]}', attributes: '{"retry_count":true}', event: 'user_lookup.failed' },
    ]);

    const points = await collector.current.store.query(
      "SELECT name, anyLast(tags)['pool_name'] AS pool, avgMerge(value_avg) AS value, avgMerge(rate_avg) AS rate, sumForEachMerge(bucket_counts) AS buckets, sumMerge(bucket_count) AS observations FROM metrics WHERE name LIKE 'proto_names_%' GROUP BY name ORDER BY name",
    );
    expect(points.rows).toMatchObject([
      { name: 'proto_names_gauge', pool: 'data_points', value: 0.5 },
      { name: 'proto_names_histogram', buckets: [1, 2], observations: 3 },
      // 20 over the 10-s window: read as cumulative (the temporality lost), it would be no rate at all
      { name: 'proto_names_sum', rate: 2 },
    ]);
  });
});
