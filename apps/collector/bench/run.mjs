// pnpm bench: ingestion throughput (spans/s, metric points/s) sustained for BENCH_SECONDS (default
// 30) at several batch sizes, and the p95 latency of every built-in dashboard query over 1,000,000
// metric rows — on an idle store, and while the same collector ingests BENCH_LOAD_SPANS (10,000)
// spans/s — plus ingestion at batch 512 while dashboard queries run. Panels run in the SQL the web
// page uses (kira-imgproxy in the team's legacy form, kira-be unified). The collector runs as its
// own process (like `pnpm collector`); request bodies are produced once by the real OTLP exporters
// and replayed, so the client costs little CPU.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir, cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { AggregationTemporality, MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { BatchSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';

const appDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const SECONDS = Number(process.env.BENCH_SECONDS ?? 30);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 8);
const METRIC_ROWS = Number(process.env.BENCH_METRIC_ROWS ?? 1_000_000);
const QUERY_RUNS = Number(process.env.BENCH_QUERY_RUNS ?? 20);
const SPAN_BATCHES = [64, 512, 2048];
const POINT_BATCHES = [100, 1000, 5000];
const LOAD_SPANS_PER_SECOND = Number(process.env.BENCH_LOAD_SPANS ?? 10_000);
const LOAD_BATCH = 512;
const PHASES = new Set((process.env.BENCH_PHASES ?? 'spans,points,queries,load').split(','));

function log(line) {
  process.stdout.write(`${line}\n`);
}

/** Starts a throwaway HTTP server that keeps the raw body of the first request. */
async function captureBody(send) {
  let body;
  const server = createServer((request, response) => {
    const chunks = [];
    request.on('data', (chunk) => chunks.push(chunk));
    request.on('end', () => {
      body ??= Buffer.concat(chunks);
      response.writeHead(200, { 'content-type': 'application/x-protobuf' });
      response.end();
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${server.address().port}`;
  await send(url);
  await new Promise((resolve) => server.close(resolve));
  if (!body) throw new Error('exporter sent nothing');
  return body;
}

async function spanBody(count) {
  return captureBody(async (url) => {
    const provider = new TracerProvider({
      resource: resourceFromAttributes({ 'service.name': 'kira-be', 'service.version': '1.2.3', 'deployment.environment.name': 'bench' }),
      spanProcessors: [new BatchSpanProcessor({ exporter: new OTLPTraceExporter({ url: `${url}/v1/traces` }), maxExportBatchSize: count, maxQueueSize: count })],
    });
    const tracer = provider.getTracer('bench');
    for (let i = 0; i < count; i++) {
      const span = tracer.startSpan('GET /users/:id', {
        kind: 1,
        attributes: { 'http.request.method': 'GET', 'http.route': '/users/:id', 'url.path': `/users/${i}`, 'http.response.status_code': 200, 'server.address': 'api.kira.local' },
      });
      span.end();
    }
    await provider.forceFlush();
    await provider.shutdown();
  });
}

async function metricBody(points) {
  return captureBody(async (url) => {
    const exporter = new OTLPMetricExporter({ url: `${url}/v1/metrics`, temporalityPreference: AggregationTemporality.CUMULATIVE });
    const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 });
    const provider = new MeterProvider({ resource: resourceFromAttributes({ 'service.name': 'kira-be' }), readers: [reader] });
    const meter = provider.getMeter('bench');
    // a third each: gauge series, counter series, histogram series
    const perKind = Math.max(1, Math.floor(points / 3));
    meter.createObservableGauge('workers_utilization').addCallback((result) => {
      for (let i = 0; i < perKind; i++) result.observe(Math.random(), { worker: String(i) });
    });
    const counter = meter.createCounter('ai_tool_executions');
    const histogram = meter.createHistogram('ai_tool_duration_ms', { advice: { explicitBucketBoundaries: [100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000] } });
    for (let i = 0; i < points - 2 * perKind; i++) counter.add(1 + (i % 5), { tool_name: `tool_${i}`, success: 'true' });
    for (let i = 0; i < perKind; i++) histogram.record(100 + i, { tool_name: `tool_${i}` });
    await provider.forceFlush();
    await provider.shutdown();
  });
}

async function startCollectorProcess(dataDir) {
  const child = spawn(process.execPath, [join(appDir, 'dist/cli.js'), '--port', '0', '--data-dir', dataDir, '--max-body', '64mb'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise((resolve, reject) => {
    let output = '';
    child.stdout.on('data', (chunk) => {
      output += chunk;
      const match = /listening on (http:\/\/\S+)/.exec(output);
      if (match) resolve(match[1]);
    });
    child.once('exit', (code) => reject(new Error(`collector exited with ${code}: ${output}`)));
  });
  return { child, url };
}

async function sql(url, query, range = {}) {
  const response = await fetch(`${url}/query`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, ...range }) });
  const body = await response.json();
  if (response.status !== 200) throw new Error(`${response.status}: ${body.error}`);
  return body;
}

async function count(url, table) {
  const query = table === 'metric_points' ? 'SELECT sum(n) AS n FROM (SELECT countMerge(events_count) AS n FROM metrics)' : `SELECT count() AS n FROM ${table}`;
  return Number((await sql(url, query)).rows[0].n);
}

/** Replays `body` with CONCURRENCY requests in flight for SECONDS; returns items/s accepted. */
async function sustain(url, path, body, itemsPerRequest) {
  const deadline = performance.now() + SECONDS * 1000;
  let accepted = 0;
  let failed = 0;
  const latencies = [];
  async function worker() {
    while (performance.now() < deadline) {
      const started = performance.now();
      const response = await fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/x-protobuf' }, body });
      await response.arrayBuffer();
      latencies.push(performance.now() - started);
      if (response.status === 200) accepted += itemsPerRequest;
      else failed += 1;
    }
  }
  const started = performance.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return { perSecond: accepted / seconds, accepted, failed, p95: latencies[Math.floor(latencies.length * 0.95)] ?? 0 };
}

/** Sends `body` (`itemsPerRequest` items) at `perSecond` items/s until `stop()` is true; returns what was achieved. */
async function paced(url, path, body, itemsPerRequest, perSecond, stop) {
  const interval = (1000 * itemsPerRequest) / perSecond;
  const started = performance.now();
  let sent = 0;
  let accepted = 0;
  let failed = 0;
  const inFlight = new Set();
  while (!stop()) {
    const due = started + sent * interval;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    if (inFlight.size >= CONCURRENCY) {
      await Promise.race(inFlight);
      continue;
    }
    sent += 1;
    const request = fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/x-protobuf' }, body })
      .then(async (response) => {
        await response.arrayBuffer();
        if (response.status === 200) accepted += itemsPerRequest;
        else failed += 1;
      })
      .catch(() => {
        failed += 1;
      })
      .finally(() => inFlight.delete(request));
    inFlight.add(request);
  }
  await Promise.all(inFlight);
  return { perSecond: accepted / ((performance.now() - started) / 1000), accepted, failed };
}

/** Runs each panel's query `runs` times (panels interleaved, as a refreshing page does); p95 and rows per panel. */
async function timePanels(url, panels, range, runs) {
  const timings = panels.map(() => []);
  const rows = panels.map(() => 0);
  for (let run = 0; run < runs; run++) {
    for (const [index, panel] of panels.entries()) {
      const started = performance.now();
      const result = await sql(url, panel.sql, { start: range.start.toISOString(), end: range.end.toISOString() });
      timings[index].push(performance.now() - started);
      rows[index] = result.rows.length;
    }
  }
  return panels.map((panel, index) => ({ ...panel, p95: p95(timings[index]), rows: rows[index] }));
}

function p95(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.95) - 1)];
}

/** Seeds METRIC_ROWS rows over the last 24 h for every metric the built-in dashboards read. */
async function seedDashboardMetrics(url, panels) {
  const kinds = new Map();
  const labels = new Set();
  for (const { unifiedSql: text } of panels) {
    const kind = /histogramQuantile|bucket_/.test(text) ? 'histogram' : /rate_avg/.test(text) ? 'counter' : 'gauge';
    for (const match of text.matchAll(/name = '([^']+)'/g)) if (!kinds.has(match[1])) kinds.set(match[1], kind);
    for (const match of text.matchAll(/label\('([^']+)'\)/g)) labels.add(match[1]);
  }
  const labelNames = [...labels];
  // Whole minutes, as the web page asks, so panels can read the per-minute rollup.
  const end = Math.ceil(Date.now() / 60_000) * 60;
  const step = 10;
  const steps = (24 * 3600) / step;
  const seriesPerMetric = Math.max(1, Math.round(METRIC_ROWS / steps / kinds.size));
  const series = [];
  for (const [name, kind] of kinds) {
    for (let s = 0; s < seriesPerMetric; s++) {
      const attributes = labelNames.map((key, i) => ({ key, value: { stringValue: key === 'success' ? (s % 4 === 0 ? 'false' : 'true') : `${key}_${(s + i) % 4}` } }));
      attributes.push({ key: 'instance', value: { stringValue: `i${s}` } });
      series.push({ name, kind, attributes });
    }
  }
  log(`seeding ${series.length} series × ${steps} timestamps = ${(series.length * steps).toLocaleString('en')} metric rows (${kinds.size} metrics: ${[...kinds.keys()].join(', ')})`);
  const started = performance.now();
  const stepsPerRequest = Math.max(1, Math.floor(20_000 / series.length));
  const bounds = [5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000];
  const requests = [];
  for (let first = 0; first < steps; first += stepsPerRequest) {
    const metrics = new Map();
    for (let t = first; t < Math.min(steps, first + stepsPerRequest); t++) {
      const seconds = end - (steps - t) * step;
      const time = `${seconds}000000000`;
      const start = `${end - steps * step - 60}000000000`;
      for (const [index, one] of series.entries()) {
        let metric = metrics.get(one.name);
        if (!metric) {
          metric = { name: one.name, points: [] };
          metrics.set(one.name, metric);
        }
        if (one.kind === 'histogram') {
          const counts = bounds.map((_, i) => (i + index + t) % 7).concat([t % 2]);
          metric.points.push({ attributes: one.attributes, timeUnixNano: time, startTimeUnixNano: time, count: String(counts.reduce((a, b) => a + b, 0)), sum: 1000, bucketCounts: counts.map(String), explicitBounds: bounds });
        } else if (one.kind === 'counter') {
          metric.points.push({ attributes: one.attributes, timeUnixNano: time, startTimeUnixNano: start, asInt: String((t + 1) * (1 + (index % 5))) });
        } else {
          metric.points.push({ attributes: one.attributes, timeUnixNano: time, asDouble: Math.abs(Math.sin(t / 100 + index)) * 1e9 });
        }
      }
    }
    const list = [...metrics.values()].map((metric) => {
      const kind = series.find((s) => s.name === metric.name).kind;
      if (kind === 'histogram') return { name: metric.name, histogram: { aggregationTemporality: 1, dataPoints: metric.points } };
      if (kind === 'counter') return { name: metric.name, sum: { aggregationTemporality: 2, isMonotonic: true, dataPoints: metric.points } };
      return { name: metric.name, gauge: { dataPoints: metric.points } };
    });
    requests.push(JSON.stringify({ resourceMetrics: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'bench' } }] }, scopeMetrics: [{ metrics: list }] }] }));
  }
  let next = 0;
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      while (next < requests.length) {
        const body = requests[next++];
        const response = await fetch(`${url}/v1/metrics`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
        if (response.status !== 200) throw new Error(`seed failed: ${response.status} ${await response.text()}`);
        await response.arrayBuffer();
      }
    }),
  );
  const rows = Number((await sql(url, 'SELECT count() AS n FROM metrics')).rows[0].n);
  log(`seeded in ${((performance.now() - started) / 1000).toFixed(1)} s; metrics table holds ${rows.toLocaleString('en')} rows`);
  return { start: new Date((end - steps * step) * 1000), end: new Date(end * 1000) };
}

async function main() {
  log(`kira-collector bench — ${cpus().length} CPUs, ${SECONDS} s per run, ${CONCURRENCY} concurrent requests, Node ${process.version}`);
  const dataDir = mkdtempSync(join(tmpdir(), 'kira-collector-bench-'));
  const { child, url } = await startCollectorProcess(dataDir);
  const results = { spans: [], points: [], queries: [], queriesUnderLoad: [] };
  try {
    if (PHASES.has('spans')) log('\n## Spans (OTLP/HTTP protobuf from the real exporter, replayed)');
    for (const size of PHASES.has('spans') ? SPAN_BATCHES : []) {
      const body = await spanBody(size);
      const before = await count(url, 'spans');
      const run = await sustain(url, '/v1/traces', body, size);
      const stored = (await count(url, 'spans')) - before;
      results.spans.push({ size, ...run, stored });
      log(`batch ${String(size).padStart(5)}: ${Math.round(run.perSecond).toLocaleString('en').padStart(8)} spans/s  (stored ${stored.toLocaleString('en')}, failed requests ${run.failed}, request p95 ${run.p95.toFixed(0)} ms)`);
    }

    if (PHASES.has('points')) log('\n## Metric points (gauge + cumulative counter + histogram, real exporter, replayed)');
    for (const size of PHASES.has('points') ? POINT_BATCHES : []) {
      const body = await metricBody(size);
      const run = await sustain(url, '/v1/metrics', body, size);
      results.points.push({ size, ...run });
      log(`batch ${String(size).padStart(5)}: ${Math.round(run.perSecond).toLocaleString('en').padStart(8)} points/s  (failed requests ${run.failed}, request p95 ${run.p95.toFixed(0)} ms)`);
    }

    let dashboards;
    if (PHASES.has('queries')) try {
      dashboards = await import('@kira/dashboards');
    } catch (error) {
      log(`\n(skipping dashboard queries: @kira/dashboards is not built: ${error.message})`);
    }
    if (dashboards?.builtInDashboards && dashboards.renderPanelSql) {
      log(`\n## Built-in dashboard queries over ${METRIC_ROWS.toLocaleString('en')} metric rows (24 h range, ${QUERY_RUNS} runs each)`);
      // A fresh metrics table, so exactly the seeded rows are scanned.
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
      rmSync(dataDir, { recursive: true, force: true });
      const fresh = await startCollectorProcess(dataDir);
      results.child = fresh.child;
      const panels = dashboards.builtInDashboards.flatMap((dashboard) => {
        const dialect = dashboards.dashboardDialect(dashboard);
        return dashboard.panels.map((panel) => ({
          dashboard: dashboard.id ?? dashboard.title,
          title: panel.title,
          dialect,
          sql: dashboards.renderPanelSql(panel, { dialect }),
          unifiedSql: dashboards.renderPanelSql(panel),
        }));
      });
      const range = await seedDashboardMetrics(fresh.url, panels);
      const legacyRows = Number((await sql(fresh.url, `SELECT count() AS n FROM ${dashboards.LEGACY_METRICS_TABLE}`)).rows[0].n);
      log(`legacy per-metric-column table: ${legacyRows.toLocaleString('en')} rows`);
      log('\n### idle store');
      for (const query of await timePanels(fresh.url, panels, range, QUERY_RUNS)) {
        results.queries.push(query);
        log(`${query.p95.toFixed(1).padStart(7)} ms p95  ${String(query.rows).padStart(5)} rows  ${query.dashboard} / ${query.title} [${query.dialect}]`);
      }
      if (PHASES.has('load')) {
        const body = await spanBody(LOAD_BATCH);
        log(`\n### while the collector ingests ${LOAD_SPANS_PER_SECOND.toLocaleString('en')} spans/s (batch ${LOAD_BATCH})`);
        let done = false;
        const load = paced(fresh.url, '/v1/traces', body, LOAD_BATCH, LOAD_SPANS_PER_SECOND, () => done);
        let underLoad;
        try {
          underLoad = await timePanels(fresh.url, panels, range, QUERY_RUNS);
        } finally {
          done = true;
        }
        const ingest = await load;
        results.loaded = { spansPerSecond: ingest.perSecond, failed: ingest.failed };
        log(`achieved ${Math.round(ingest.perSecond).toLocaleString('en')} spans/s while querying (failed requests ${ingest.failed})`);
        for (const query of underLoad) {
          results.queriesUnderLoad.push(query);
          log(`${query.p95.toFixed(1).padStart(7)} ms p95  ${String(query.rows).padStart(5)} rows  ${query.dashboard} / ${query.title} [${query.dialect}]`);
        }

        log(`\n### ingestion at batch ${LOAD_BATCH} with dashboard queries running`);
        let stopQueries = false;
        let queriesRun = 0;
        const queryLoop = (async () => {
          while (!stopQueries) {
            for (const panel of panels) {
              if (stopQueries) break;
              await sql(fresh.url, panel.sql, { start: range.start.toISOString(), end: range.end.toISOString() });
              queriesRun += 1;
            }
          }
        })();
        let run;
        try {
          run = await sustain(fresh.url, '/v1/traces', body, LOAD_BATCH);
        } finally {
          stopQueries = true;
          await queryLoop;
        }
        results.ingestWithQueries = { ...run, queriesRun };
        log(`batch ${String(LOAD_BATCH).padStart(5)}: ${Math.round(run.perSecond).toLocaleString('en').padStart(8)} spans/s with ${queriesRun} dashboard queries in ${SECONDS} s (failed requests ${run.failed}, request p95 ${run.p95.toFixed(0)} ms)`);
      }
      fresh.child.kill('SIGTERM');
      await new Promise((resolve) => fresh.child.once('exit', resolve));
    }
  } finally {
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
    }
    if (results.child && results.child.exitCode === null) results.child.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  }
  const bestSpans = results.spans.length ? Math.max(...results.spans.map((run) => run.perSecond)) : 0;
  const worstQuery = results.queries.length ? Math.max(...results.queries.map((query) => query.p95)) : undefined;
  const worstLoaded = results.queriesUnderLoad.length ? Math.max(...results.queriesUnderLoad.map((query) => query.p95)) : undefined;
  log(
    `\nsummary: best ${Math.round(bestSpans).toLocaleString('en')} spans/s (goal ≥ 25,000)` +
      (worstQuery !== undefined ? `; slowest dashboard query p95 ${worstQuery.toFixed(1)} ms idle` : '') +
      (worstLoaded !== undefined ? `, ${worstLoaded.toFixed(1)} ms under ${LOAD_SPANS_PER_SECOND.toLocaleString('en')} spans/s (goal < 200 ms)` : '') +
      (results.ingestWithQueries ? `; ${Math.round(results.ingestWithQueries.perSecond).toLocaleString('en')} spans/s at batch ${LOAD_BATCH} with queries running (goal ≥ 25,000)` : ''),
  );
  writeRawFigures(results);
}

/** The root `pnpm bench` report reads bench-results/raw/<package-dir>.json (see scripts/bench-report.mjs). */
function writeRawFigures(results) {
  const figure = (id, unit, value) => ({ id, unit, median: value, min: value, max: value });
  const figures = [
    ...results.spans.map((run) => figure(`ingest spans, batch ${run.size}`, 'spans/s', Math.round(run.perSecond))),
    ...results.points.map((run) => figure(`ingest metric points, batch ${run.size}`, 'points/s', Math.round(run.perSecond))),
    ...results.queries.map((query) => figure(`query p95: ${query.dashboard} / ${query.title}`, 'ms', Number(query.p95.toFixed(1)))),
    ...results.queriesUnderLoad.map((query) => figure(`query p95 under ${LOAD_SPANS_PER_SECOND} spans/s: ${query.dashboard} / ${query.title}`, 'ms', Number(query.p95.toFixed(1)))),
    ...(results.loaded ? [figure(`ingest spans achieved during the loaded queries (target ${LOAD_SPANS_PER_SECOND})`, 'spans/s', Math.round(results.loaded.spansPerSecond))] : []),
    ...(results.ingestWithQueries ? [figure(`ingest spans, batch ${LOAD_BATCH}, with dashboard queries running`, 'spans/s', Math.round(results.ingestWithQueries.perSecond))] : []),
  ];
  const directory = process.env.BENCH_OUTPUT_DIR ?? join(appDir, '..', '..', 'bench-results');
  mkdirSync(join(directory, 'raw'), { recursive: true });
  writeFileSync(join(directory, 'raw', 'collector.json'), `${JSON.stringify({ package: '@kira/collector', figures }, null, 2)}\n`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
