/// <reference lib="dom" />
// (DOM types for the callbacks that run in the page.)
import { mkdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { inflateSync } from 'node:zlib';
import { logs, metrics, SeverityNumber, SpanStatusCode, trace } from '@opentelemetry/api';
import { startTelemetry, type TelemetryHandle } from '@kira/otel-core';
import { builtInDashboards, renderPanelSql } from '@kira/dashboards';
import { launchChromium, waitUntil } from '@kira/test-utils';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectorForFile } from './testing/collector-for-file';
import { PANEL_OF_NOTES_QUERY, teamNotesQueries } from './testing/team-notes-queries';
import { handleWebRequest } from './web-ui';

const XSS = `<img src=x onerror="window.__xss=1"><script>window.__xss=2</script>`;
const SCREENSHOT = 'reports/collector-page.png';
const MINUTE = 60_000;
const NOTES = teamNotesQueries();
const NOTES_QUERY_OF_PANEL = new Map(Object.entries(PANEL_OF_NOTES_QUERY).map(([title, panel]) => [panel, title]));
/** Seeded history: value of minute `index` (0 = oldest of 12). */
const wave = (index: number, base: number, amplitude: number) => base + amplitude * Math.sin(index / 2);

const collector = collectorForFile('kira-collector-ui-', { flushIntervalMs: 20 });
let telemetry: TelemetryHandle;
let traceId = '';
let sentryEventId = '';

beforeAll(async () => {
  telemetry = startTelemetry({
    enabled: true,
    serviceName: 'kira-be',
    endpoint: collector.current.url,
    protocol: 'http/protobuf',
    metricExportIntervalMillis: 60_000,
    sampleRatio: 1,
    instrumentations: { http: false, undici: false, ioredis: false },
    shutdownOnExit: false,
    console: false,
  });
  await seedThroughTheSdk();
  await seedMetricHistory();
  await seedSentryEvent();
  await collector.current.store.flush();
}, 60_000);

// Registered after the harness's, so it runs first (afterAll hooks run in reverse): the SDK
// flushes to a collector that still runs.
afterAll(async () => {
  await telemetry?.shutdown();
});

/** Spans, logs and current metric points through @kira/otel-core's real OTLP/protobuf exporters. */
async function seedThroughTheSdk(): Promise<void> {
  const tracer = trace.getTracer('web-ui-test');
  const logger = logs.getLogger('web-ui-test');
  const meter = metrics.getMeter('web-ui-test');
  await tracer.startActiveSpan('POST /images/:id/edit', async (root) => {
    traceId = root.spanContext().traceId;
    root.setAttribute('http.route', '/images/:id/edit');
    await tracer.startActiveSpan('execute_tool generateImageWithAI', async (tool) => {
      const call = tracer.startSpan('byteplus seedream_edit');
      await new Promise((resolve) => setTimeout(resolve, 15));
      call.setStatus({ code: SpanStatusCode.ERROR, message: 'HTTP 502' });
      call.end();
      logger.emit({ severityNumber: SeverityNumber.ERROR, severityText: 'error', body: `provider failed ${XSS}`, attributes: { 'ai.tool.name': 'generateImageWithAI', 'user.id': 'user-42' } });
      tool.end();
    });
    logger.emit({ severityNumber: SeverityNumber.INFO, severityText: 'info', body: 'AI tool executed: generateImageWithAI', attributes: { 'duration.ms': 15 } });
    root.end();
  });
  // A gauge, so this "now" point sits on the seeded line instead of starting a new counter.
  meter.createGauge('workers_utilization').record(0.9);
  await telemetry.forceFlush();
}

type Attribute = { key: string; value: { stringValue: string } };
const attributes = (values: Record<string, string>): Attribute[] =>
  Object.entries(values).map(([key, value]) => ({ key, value: { stringValue: value } }));
const nanos = (ms: number): string => `${BigInt(Math.round(ms)) * 1_000_000n}`;

/**
 * Twelve minutes of history as OTLP/JSON on /v1/metrics (an SDK only exports "now", and a line
 * needs more than one minute): imgproxy gauges, and kira-be counters/histograms.
 */
async function seedMetricHistory(): Promise<void> {
  const now = Date.now();
  const minutes = Array.from({ length: 12 }, (_, index) => now - (11 - index) * MINUTE);
  const start = now - 13 * MINUTE;
  const gauge = (name: string, value: (index: number) => number, tags: Record<string, string> = {}) => ({
    name,
    gauge: { dataPoints: minutes.map((time, index) => ({ timeUnixNano: nanos(time), asDouble: value(index), attributes: attributes(tags) })) },
  });
  const counter = (name: string, perMinute: (index: number) => number, tags: Record<string, string>) => {
    let total = 0;
    return {
      name,
      sum: {
        aggregationTemporality: 2,
        isMonotonic: true,
        dataPoints: minutes.map((time, index) => {
          total += perMinute(index);
          return { startTimeUnixNano: nanos(start), timeUnixNano: nanos(time), asDouble: total, attributes: attributes(tags) };
        }),
      },
    };
  };
  const histogram = (name: string, bounds: number[], perMinute: (index: number) => number[], tags: Record<string, string>) => {
    const cumulative = new Array<number>(bounds.length + 1).fill(0);
    return {
      name,
      histogram: {
        aggregationTemporality: 2,
        dataPoints: minutes.map((time, index) => {
          perMinute(index).forEach((count, bucket) => (cumulative[bucket] = (cumulative[bucket] ?? 0) + count));
          const count = cumulative.reduce((sum, value) => sum + value, 0);
          return {
            startTimeUnixNano: nanos(start),
            timeUnixNano: nanos(time),
            count: String(count),
            sum: count * 100,
            bucketCounts: cumulative.map(String),
            explicitBounds: bounds,
            attributes: attributes(tags),
          };
        }),
      },
    };
  };
  const http = [25, 50, 100, 250, 500, 1000];
  const request = (service: string, metricsList: unknown[]) => ({
    resource: { attributes: attributes({ 'service.name': service }) },
    scopeMetrics: [{ scope: { name: 'history' }, metrics: metricsList }],
  });
  const body = {
    resourceMetrics: [
      request('kira-imgproxy', [
        gauge('workers_utilization', (i) => wave(i, 0.88, 0.05)),
        gauge('process_resident_memory_bytes', (i) => wave(i, 900, 120) * 1_048_576),
        gauge('vips_memory_bytes', (i) => wave(i, 300, 80) * 1_048_576),
        gauge('images_in_progress', (i) => Math.round(wave(i, 40, 25))),
        gauge('requests_in_progress', (i) => Math.round(wave(i, 55, 20))),
        gauge('go_goroutines', (i) => Math.round(wave(i, 30, 8))),
        gauge('go_memstats_heap_inuse_bytes', (i) => wave(i, 90, 20) * 1_048_576),
      ]),
      request('kira-be-history', [
        counter('ai_tool_executions', (i) => 10 + (i % 4) * 3, { tool_name: 'generateImageWithAI', success: 'true' }),
        counter('ai_tool_executions', (i) => 1 + (i % 3), { tool_name: 'generateImageWithAI', success: 'false' }),
        counter('ai_tool_executions', (i) => 6 + (i % 5), { tool_name: 'upscale', success: 'true' }),
        histogram('ai_tool_duration_ms', [1000, 2000, 5000, 10000, 30000], (i) => [2, 5 + (i % 3), 3, 1, i % 2], { tool_name: 'generateImageWithAI' }),
        histogram('http_request_duration_ms', http, (i) => [30, 20 + i, 10, 5, 2, 1, 0], { http_method: 'GET', http_route: '/users/:id', http_status_code: '200' }),
        histogram('http_request_duration_ms', http, (i) => [5, 10, 20, 10 + (i % 4), 5, 2, 1], { http_method: 'POST', http_route: '/images/:id/edit', http_status_code: '200' }),
        histogram('http_request_duration_ms', http, (i) => [0, 0, 1, i % 3, 1, 0, 0], { http_method: 'POST', http_route: '/images/:id/edit', http_status_code: '502' }),
        histogram('external_request_duration_ms', [100, 500, 1000, 5000, 20000], (i) => [0, 1, 4, 6 + (i % 3), 1, 0], { external_service: 'byteplus', external_operation: 'seedream_edit', outcome: 'ok' }),
        histogram('external_request_duration_ms', [100, 500, 1000, 5000, 20000], (i) => [0, 0, 0, i % 2, 1, 0], { external_service: 'byteplus', external_operation: 'seedream_edit', outcome: 'http_error' }),
        histogram('external_request_duration_ms', [100, 500, 1000, 5000, 20000], (i) => [1, 6, 2 + (i % 2), 0, 0, 0], { external_service: 'openai', external_operation: 'images_edit', outcome: 'ok' }),
      ]),
    ],
  };
  const response = await fetch(`${collector.current.url}/v1/metrics`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  expect(response.status).toBe(200);
  const answer = (await response.json()) as { partialSuccess?: { rejectedDataPoints?: number } };
  expect(answer.partialSuccess?.rejectedDataPoints ?? 0).toBe(0);
}

/** A Sentry error event in the same trace, with a user, tags and hostile text. */
async function seedSentryEvent(): Promise<void> {
  sentryEventId = 'ab'.repeat(16);
  const event = {
    event_id: sentryEventId,
    timestamp: Date.now() / 1000,
    level: 'error',
    platform: 'node',
    user: { id: 'user-42', email: 'ada@example.com' },
    tags: { toolName: 'generateImageWithAI', note: XSS },
    contexts: { trace: { trace_id: traceId, span_id: '1'.repeat(16) } },
    exception: { values: [{ type: 'ProviderError', value: `seedream returned 502 ${XSS}` }] },
  };
  const body = `${JSON.stringify({ event_id: sentryEventId })}\n${JSON.stringify({ type: 'event' })}\n${JSON.stringify(event)}\n`;
  const response = await fetch(`${collector.current.url}/api/1/envelope/?sentry_key=key`, { method: 'POST', body });
  expect(response.status).toBe(200);
}

async function api(path: string): Promise<any> {
  const response = await fetch(`${collector.current.url}${path}`);
  expect(response.status, path).toBe(200);
  return response.json();
}

describe('JSON endpoints', () => {
  it('draws every panel of every built-in dashboard from the store, with more than one point', async () => {
    const data = await api('/api/ui/dashboards?range=15m');
    expect(data.dashboards.map((dashboard: { name: string }) => dashboard.name)).toEqual(builtInDashboards.map((dashboard) => dashboard.id));
    for (const dashboard of data.dashboards) {
      for (const panel of dashboard.panels) {
        expect(panel.error, panel.id).toBeUndefined();
        expect(panel.series.length, panel.id).toBeGreaterThan(0);
        expect(Math.max(...panel.series.map((series: { points: unknown[] }) => series.points.length)), panel.id).toBeGreaterThan(1);
      }
    }
    // The SDK's point reached the metrics table too (its resource is kira-be, the history's is imgproxy).
    const sdkPoints = await collector.current.store.query(`SELECT count() AS n FROM metrics WHERE name = 'workers_utilization' AND tags['service.name'] = 'kira-be'`);
    expect(Number(sdkPoints.rows[0]?.n)).toBeGreaterThan(0);
    const utilization = data.dashboards[0].panels.find((panel: { id: string }) => panel.id === 'worker-utilization');
    // avg(workers_utilization) * 100, seeded around 0.88.
    for (const [, value] of utilization.series[0].points) expect(value).toBeGreaterThan(80);
  });

  it("shows kira-imgproxy from the team's legacy SQL and kira-be from the unified SQL, each panel with its SQL", async () => {
    const data = await api('/api/ui/dashboards?range=15m');
    const imgproxy = data.dashboards.find((dashboard: { name: string }) => dashboard.name === 'kira-imgproxy');
    expect(imgproxy.dialect).toBe('legacy');
    for (const panel of imgproxy.panels) {
      expect(panel.dialect).toBe('legacy');
      expect(panel.sql, panel.id).toBe(NOTES.get(NOTES_QUERY_OF_PANEL.get(panel.id) ?? ''));
    }
    // The legacy columns hold what was sent: max per minute of the bytes / 1048576 (one point a minute).
    const memory = imgproxy.panels.find((panel: { id: string }) => panel.id === 'memory');
    expect(memory.series.map((series: { name: string }) => series.name)).toEqual(['process_mb', 'vips_mb']);
    const processMb = memory.series[0].points.map(([, value]: [number, number]) => value);
    expect(processMb.length).toBeGreaterThan(1);
    const sent = Array.from({ length: 12 }, (_, index) => wave(index, 900, 120));
    for (const [offset, value] of processMb.entries()) expect(value).toBeCloseTo(sent[sent.length - processMb.length + offset] as number, 6);

    const kiraBe = data.dashboards.find((dashboard: { name: string }) => dashboard.name === 'kira-be');
    expect(kiraBe.dialect).toBe('unified');
    const definitions = builtInDashboards.find((dashboard) => dashboard.id === 'kira-be')?.panels ?? [];
    expect(kiraBe.panels.map((panel: { sql: string }) => panel.sql)).toEqual(definitions.map((panel) => renderPanelSql(panel)));
  });

  it('evaluates the built-in alerts on their own queries', async () => {
    const { alerts } = await api('/api/ui/alerts');
    const byName = new Map(alerts.map((alert: { name: string }) => [alert.name, alert]));
    // workers_utilization > 0.8 for 2 min (critical) and > 0.5 for 5 min: eleven minutes of ~0.88.
    expect(byName.get('imgproxy-workers-critical')).toMatchObject({ state: 'firing', critical: true });
    expect(byName.get('imgproxy-workers-warning')).toMatchObject({ state: 'firing' });
    expect(byName.get('imgproxy-memory-critical')).toMatchObject({ state: 'ok' });
    for (const alert of alerts) expect(alert.state, alert.name).not.toBe('error');
  });

  it('lists the trace as a tree, the logs with trace ids and the Sentry event with its user', async () => {
    const { traces } = await api('/api/ui/traces?range=15m');
    const tree = traces.find((entry: { traceId: string }) => entry.traceId === traceId);
    expect(tree.spans.map((span: { name: string; depth: number }) => [span.name, span.depth])).toEqual([
      ['POST /images/:id/edit', 0],
      ['execute_tool generateImageWithAI', 1],
      ['byteplus seedream_edit', 2],
    ]);
    expect(tree.error).toBe(true);
    const { logs: records } = await api('/api/ui/logs?range=15m');
    expect(records.find((log: { body: string }) => log.body.startsWith('provider failed'))).toMatchObject({ traceId, severityNumber: 17, service: 'kira-be' });
    const { events } = await api('/api/ui/sentry?range=15m');
    expect(events[0]).toMatchObject({ eventId: sentryEventId, traceId, user: { id: 'user-42', email: 'ada@example.com' }, exception: { type: 'ProviderError' } });
  });

  it('ignores hostile query parameters', async () => {
    const data = await api(`/api/ui/traces?trace_id=${encodeURIComponent("' OR 1=1 --")}&range=${encodeURIComponent('1; DROP TABLE spans')}`);
    expect(data.focus).toBeUndefined();
    expect((await collector.current.store.query('SELECT count() AS n FROM spans')).rows[0]?.n).not.toBe(0);
    expect((await fetch(`${collector.current.url}/api/ui/nope`)).status).toBe(404);
    expect((await fetch(`${collector.current.url}/api/ui/logs`, { method: 'POST' })).status).toBe(405);
  });
});

describe('with a collector token', () => {
  // The same store behind a second listener whose context has a token (one chdb store per process).
  const token = 'tok-ui-51';
  let server: Server;
  let url: string;

  beforeAll(async () => {
    const ctx = { store: collector.current.store, options: { ...collector.current.options, token } };
    server = createServer((request, response) => {
      void handleWebRequest(ctx, request, response).then((handled) => {
        if (!handled) response.writeHead(404).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  it('serves the page but its data only with the token (Bearer, or the cookie `/?token=` sets)', async () => {
    expect((await fetch(`${url}/`)).status).toBe(200);
    const refused = await fetch(`${url}/api/ui/logs`);
    expect(refused.status).toBe(401);
    expect(await refused.text()).toContain('/?token=');
    expect((await fetch(`${url}/api/ui/logs`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
    expect((await fetch(`${url}/?token=wrong`, { redirect: 'manual' })).status).toBe(403);

    const signIn = await fetch(`${url}/?token=${token}`, { redirect: 'manual' });
    expect(signIn.status).toBe(303);
    expect(signIn.headers.get('location')).toBe('/');
    const cookie = signIn.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    const withCookie = await fetch(`${url}/api/ui/sentry`, { headers: { cookie: cookie.split(';')[0] ?? '' } });
    expect(withCookie.status).toBe(200);
    expect(((await withCookie.json()) as { events: unknown[] }).events.length).toBeGreaterThan(0);
    expect((await fetch(`${url}/api/ui/sentry`, { headers: { cookie: 'kira_collector_token=nope' } })).status).toBe(401);
  });
});

describe('the page in headless Chromium', () => {
  let browser: Browser;
  let page: Page;
  const problems: string[] = [];

  beforeAll(async () => {
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(`console: ${message.text()}`);
    });
    await page.goto(collector.current.url);
    await page.waitForSelector('body[data-loaded="true"]', { timeout: 20_000 });
    await page.waitForSelector('.panel svg polyline', { timeout: 20_000 });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
  });

  it('draws a line with more than one point in every panel, with no script errors', async () => {
    const panelCount = builtInDashboards.reduce((sum, dashboard) => sum + dashboard.panels.length, 0);
    const pointsPerPanel = await page.$$eval('.panel', (panels) =>
      panels.map((panel) => {
        const counts = [...panel.querySelectorAll('polyline')].map((line) => (line.getAttribute('points') ?? '').trim().split(/\s+/).length);
        return { id: panel.getAttribute('data-panel'), max: Math.max(0, ...counts) };
      }),
    );
    expect(pointsPerPanel).toHaveLength(panelCount);
    for (const panel of pointsPerPanel) expect(panel.max, panel.id ?? '').toBeGreaterThan(1);
    expect(await page.locator('.alert-firing[data-alert="imgproxy-workers-critical"]').count()).toBe(1);
    expect(problems).toEqual([]);
  });

  it('shows each panel its SQL on demand, as BetterStack runs it, and the Chinese titles', async () => {
    const panelCount = builtInDashboards.reduce((sum, dashboard) => sum + dashboard.panels.length, 0);
    expect(await page.locator('.panel details.panel-sql').count()).toBe(panelCount);
    const memory = page.locator('[data-dashboard="kira-imgproxy"] .panel[data-panel="memory"]');
    expect(await memory.locator('h3').textContent()).toBe('内存使用 (MiB)');
    await memory.locator('details.panel-sql summary').click();
    await memory.locator('details.panel-sql[open] .panel-sql-text').waitFor({ timeout: 10_000 });
    expect(await memory.locator('.panel-sql-text').textContent()).toBe(NOTES.get('内存使用'));
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: collector.current.url });
    await memory.locator('button.copy-sql').click();
    await waitUntil(async () => (await page.evaluate(() => navigator.clipboard.readText())) === NOTES.get('内存使用'), 10_000, 'the SQL on the clipboard');
    const http = page.locator('[data-dashboard="kira-be"] .panel[data-panel="http-p95-by-route"]');
    await http.locator('details.panel-sql summary').click();
    const httpPanel = builtInDashboards.find((dashboard) => dashboard.id === 'kira-be')?.panels.find((panel) => panel.id === 'http-p95-by-route');
    expect(await http.locator('.panel-sql-text').textContent()).toBe(renderPanelSql(httpPanel as never));
    // The open SQL survives the 5 s refresh, which rebuilds the panels.
    const before = await memory.locator('details.panel-sql').elementHandle();
    await waitUntil(async () => !(await before?.evaluate((element) => element.isConnected)), 20_000, 'panels rebuilt by the refresh');
    expect(await memory.locator('details.panel-sql[open]').count()).toBe(1);
    expect(problems).toEqual([]);
  });

  it('renders untrusted text as text', async () => {
    await page.waitForSelector('#log-rows tr[data-log]');
    expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
    expect(await page.locator('#log-rows img, #sentry-rows img, #sentry-rows script').count()).toBe(0);
    expect(await page.locator('#log-rows').textContent()).toContain(XSS);
    expect(await page.locator('#sentry-rows').textContent()).toContain(`seedream returned 502 ${XSS}`);
    expect(await page.locator('#sentry-rows').textContent()).toContain('ada@example.com');
  });

  it('has chart pixels in a full-page screenshot', async () => {
    mkdirSync('reports', { recursive: true });
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    const image = decodePng(readFileSync(SCREENSHOT));
    const boxes = await page.$$eval('.panel svg.chart', (charts) =>
      charts.map((chart) => {
        const rect = chart.getBoundingClientRect();
        return { x: rect.left + window.scrollX, y: rect.top + window.scrollY, width: rect.width, height: rect.height };
      }),
    );
    expect(boxes.length).toBeGreaterThan(0);
    for (const box of boxes) {
      // Pixels of a series colour (saturated, unlike the white card, grey grid and labels).
      let coloured = 0;
      for (let y = Math.ceil(box.y); y < Math.floor(box.y + box.height); y += 1) {
        for (let x = Math.ceil(box.x); x < Math.floor(box.x + box.width); x += 1) {
          const [r, g, b] = image.pixel(x, y);
          if (Math.max(r, g, b) - Math.min(r, g, b) > 60) coloured += 1;
        }
      }
      expect(coloured, JSON.stringify(box)).toBeGreaterThan(100);
    }
  });

  it('follows a Sentry event trace link to the trace tree', async () => {
    await page.locator(`#sentry-rows a.trace-link[href="#trace=${traceId}"]`).first().click();
    const details = page.locator(`details#trace-${traceId}.focused[open]`);
    await details.waitFor({ timeout: 10_000 });
    expect(page.url()).toContain(`#trace=${traceId}`);
    expect(await details.locator('.span-row .span-name').allTextContents()).toEqual([
      'POST /images/:id/edit',
      'execute_tool generateImageWithAI',
      'byteplus seedream_edit',
    ]);
  });

  it('switches the range and refetches', async () => {
    const request = page.waitForRequest((candidate) => candidate.url().includes('/api/ui/dashboards?range=6h'));
    await page.locator('button[data-range="6h"]').click();
    await request;
    await waitUntil(async () => (await page.locator('button[data-range="6h"]').getAttribute('aria-pressed')) === 'true', 5_000, '6h pressed');
    expect(problems).toEqual([]);
  });
});

/** A minimal PNG reader (8-bit RGB/RGBA, non-interlaced, as Chromium writes) — enough to read pixels. */
function decodePng(file: Buffer): { width: number; height: number; pixel(x: number, y: number): [number, number, number] } {
  expect(file.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  let offset = 8;
  let width = 0;
  let height = 0;
  let channels = 0;
  const data: Buffer[] = [];
  while (offset < file.length) {
    const length = file.readUInt32BE(offset);
    const type = file.toString('ascii', offset + 4, offset + 8);
    const chunk = file.subarray(offset + 8, offset + 8 + length);
    if (type === 'IHDR') {
      width = chunk.readUInt32BE(0);
      height = chunk.readUInt32BE(4);
      const [depth, colorType, , , interlace] = [chunk[8], chunk[9], chunk[10], chunk[11], chunk[12]];
      if (depth !== 8 || interlace !== 0 || (colorType !== 2 && colorType !== 6)) throw new Error(`unsupported PNG: depth ${depth}, color ${colorType}, interlace ${interlace}`);
      channels = colorType === 6 ? 4 : 3;
    } else if (type === 'IDAT') {
      data.push(chunk);
    }
    offset += 12 + length;
  }
  const raw = inflateSync(Buffer.concat(data));
  const stride = width * channels;
  const pixels = Buffer.alloc(stride * height);
  for (let y = 0; y < height; y += 1) {
    const filter = raw[y * (stride + 1)];
    const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    for (let x = 0; x < stride; x += 1) {
      const left = x >= channels ? (pixels[y * stride + x - channels] ?? 0) : 0;
      const up = y > 0 ? (pixels[(y - 1) * stride + x] ?? 0) : 0;
      const upLeft = y > 0 && x >= channels ? (pixels[(y - 1) * stride + x - channels] ?? 0) : 0;
      let predictor = 0;
      if (filter === 1) predictor = left;
      else if (filter === 2) predictor = up;
      else if (filter === 3) predictor = (left + up) >> 1;
      else if (filter === 4) {
        const estimate = left + up - upLeft;
        const [a, b, c] = [Math.abs(estimate - left), Math.abs(estimate - up), Math.abs(estimate - upLeft)];
        predictor = a <= b && a <= c ? left : b <= c ? up : upLeft;
      }
      pixels[y * stride + x] = ((line[x] ?? 0) + predictor) & 0xff;
    }
  }
  return {
    width,
    height,
    pixel(x, y) {
      const at = y * stride + x * channels;
      return [pixels[at] ?? 0, pixels[at + 1] ?? 0, pixels[at + 2] ?? 0];
    },
  };
}
