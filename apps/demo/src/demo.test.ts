// End to end: the fixed scenario against real processes (collector on chdb, redis, the service
// under --import @kira/otel-core/register, provider stand-ins, imgproxy simulator), then every
// name of the telemetry contract (docs/telemetry-contract.md) is looked up in what the collector stored.
import { builtInAlerts, builtInDashboards, renderPanelSql } from '@kira/dashboards';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemoStack, type DemoStack } from './demo-stack';
import { IMGPROXY_PHASES } from './imgproxy-simulator';
import { PLANTED, runFixedScenario, type ScenarioReport } from './scenario';
import { queryCollector, summarize, type DemoSummary, type TimeRange } from './summary';

interface SpanRaw {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes: Record<string, unknown>;
  status: { code: number };
  resource: Record<string, unknown>;
  scope: { name: string };
}

const SERVER = 2;
const CLIENT = 3;
const INTERNAL = 1;
const MIB = 1024 * 1024;

let stack: DemoStack;
let scenario: ScenarioReport;
let range: TimeRange;
let spans: SpanRaw[];
let summary: DemoSummary;

const rawRows = async (table: string, where = '1') =>
  (await queryCollector(stack.collectorUrl, `SELECT raw FROM ${table} WHERE ${where}`, range)).map((row) => JSON.parse(String(row.raw)));

beforeAll(async () => {
  range = { start: new Date(Date.now() - 30 * 60_000), end: new Date(Date.now() + 10 * 60_000) };
  stack = await startDemoStack({ metricIntervalMs: 1000 });
  scenario = await runFixedScenario(stack.serviceUrl, stack.collectorUrl);
  // SIGTERM: otel-core flushes everything pending before the service exits.
  expect(await stack.stopService()).not.toBeNull();
  spans = (await rawRows('spans', "service = 'kira-be'")) as SpanRaw[];
  summary = await summarize(stack.collectorUrl, range);
}, 120_000);

afterAll(async () => {
  await stack?.stop();
});

describe('the fixed scenario', () => {
  it('served every request with the expected statuses', () => {
    expect(scenario.statuses).toMatchObject({ 200: 15, 401: 1, 404: 1, 500: 1, 502: 2 });
  });

  it('stores one SERVER span per request, named by route template', () => {
    const server = spans.filter((span) => span.kind === SERVER);
    expect(server).toHaveLength(scenario.requests);
    // The documented Hono setup (no KIRA_HTTP_INBOUND: otelHono() claims the SERVER span, the
    // http instrumentation, patched by --import, steps aside): the middleware owns every one.
    expect(new Set(server.map((span) => span.scope.name))).toEqual(new Set(['@kira/otel-hono']));
    const names = new Set(server.map((span) => span.name));
    for (const name of ['POST /auth/login', 'GET /health', 'GET /api/users/:id', 'POST /api/tools/generate-image', 'POST /api/tools/edit-image', 'POST /api/tools/describe-image', 'GET /api/boom']) {
      expect(names).toContain(name);
    }
    expect([...names].some((name) => name.includes('/api/users/1'))).toBe(false);
    // Unmatched paths share one fixed route so scanners cannot blow up cardinality.
    expect(names).toContain('GET unmatched');
    expect([...names].some((name) => name.includes('/no/such/route'))).toBe(false);
    const users = server.find((span) => span.name === 'GET /api/users/:id')!;
    expect(users.attributes).toMatchObject({
      'http.request.method': 'GET',
      'http.route': '/api/users/:id',
      'http.response.status_code': 200,
      'http.method': 'GET',
      'http.status_code': 200,
    });
    expect(users.attributes['url.path']).toMatch(/^\/api\/users\/\d$/);
    expect(users.attributes['server.address']).toBe('127.0.0.1');
    expect(String(users.attributes['http.url'])).toMatch(/\/api\/users\/\d$/);
    const boom = server.find((span) => span.name === 'GET /api/boom')!;
    expect(boom.attributes['http.response.status_code']).toBe(500);
    expect(boom.attributes['error.type']).toBeTruthy();
    expect(boom.status.code).toBe(2);
    expect(boom.resource).toMatchObject({ 'service.name': 'kira-be', 'deployment.environment.name': 'demo' });
  });

  it('stores AI tool spans and provider CLIENT spans with the contract attributes', () => {
    const tool = spans.find((span) => span.name === 'execute_tool editImage' && span.status.code !== 2)!;
    expect(tool.kind).toBe(INTERNAL);
    expect(tool.attributes).toMatchObject({
      'gen_ai.operation.name': 'execute_tool',
      'gen_ai.tool.name': 'editImage',
      'ai.tool.name': 'editImage',
      'user.id': 'user-bob',
      'thread.id': 'thread-b',
    });
    const client = spans.find((span) => span.name === 'byteplus seedream_edit' && span.parentSpanId === tool.spanId)!;
    expect(client.kind).toBe(CLIENT);
    expect(client.attributes).toMatchObject({
      'external.service': 'byteplus',
      'external.operation': 'seedream_edit',
      'http.request.method': 'POST',
      'http.method': 'POST',
      'http.response.status_code': 200,
      'http.status_code': 200,
      'server.address': '127.0.0.1',
    });
    // undici's own transport span nests under ours.
    expect(spans.some((span) => span.parentSpanId === client.spanId && span.kind === CLIENT)).toBe(true);

    const fal = spans.find((span) => span.name === 'fal flux_dev')!;
    expect(String(fal.attributes['url.full'])).toContain('key=REDACTED');
    expect(String(fal.attributes['http.url'])).toContain('key=REDACTED');

    const failed = spans.find((span) => span.name === 'execute_tool editImage' && span.status.code === 2)!;
    expect(failed.attributes['error.type']).toBe('ProviderError');
    expect(spans.some((span) => span.name === 'openai chat_completions')).toBe(true);
    if (stack.cacheKind === 'redis') expect(spans.some((span) => /^(get|set|incr|multi|exec|expire)$/i.test(span.name))).toBe(true);
  });

  it('stores every metric of the contract with its attributes', async () => {
    const rows = await queryCollector(
      stack.collectorUrl,
      "SELECT name, groupUniqArray(arraySort(mapKeys(tags))) AS keys FROM metrics WHERE name IN ('ai_tool_executions','ai_tool_duration_ms','http_request_duration_ms','external_request_duration_ms') GROUP BY name ORDER BY name",
      range,
    );
    const keys = Object.fromEntries(rows.map((row) => [row.name, (row.keys as string[][]).flat()]));
    expect(keys.ai_tool_executions).toEqual(expect.arrayContaining(['tool_name', 'success']));
    expect(keys.ai_tool_duration_ms).toEqual(expect.arrayContaining(['tool_name']));
    expect(keys.http_request_duration_ms).toEqual(expect.arrayContaining(['http_method', 'http_route', 'http_status_code']));
    expect(keys.external_request_duration_ms).toEqual(expect.arrayContaining(['external_service', 'external_operation', 'outcome']));
    const routes = await queryCollector(stack.collectorUrl, "SELECT DISTINCT tags['http_route'] AS route FROM metrics WHERE name = 'http_request_duration_ms'", range);
    expect(routes.map((row) => row.route)).toContain('/api/users/:id');
    expect(routes.some((row) => String(row.route).includes('/no/such/route'))).toBe(false);
  });

  it('stores the AI tool log inside its span', async () => {
    const logs = await rawRows('logs', "service = 'kira-be'");
    const log = logs.find((record) => record.body === 'AI tool executed: editImage');
    expect(log).toBeDefined();
    expect(log.severityNumber).toBe(9);
    expect(log.attributes).toMatchObject({ 'ai.tool.name': 'editImage', 'user.id': 'user-bob', 'thread.id': 'thread-b' });
    expect(typeof log.attributes['duration.ms']).toBe('number');
    expect(spans.some((span) => span.spanId === log.spanId && span.traceId === log.traceId)).toBe(true);
  });

  it('answers every dashboard panel with data', () => {
    const expected = builtInDashboards.flatMap((dashboard) => dashboard.panels.map((panel) => `${dashboard.id}/${panel.id}`));
    const withRows = summary.panels.filter((panel) => panel.rows > 0).map((panel) => `${panel.dashboard}/${panel.panel}`);
    expect(withRows).toEqual(expected);
    expect(renderPanelSql(builtInDashboards[0]!.panels[0]!)).toContain('{{source}}');
  });

  it('fires exactly the imgproxy alerts the overload crosses, and none while calm', () => {
    const overload = IMGPROXY_PHASES.overload;
    const levels: Record<string, number> = {
      workers_utilization: overload.workers_utilization,
      process_mb: overload.process_resident_memory_bytes / MIB,
      vips_mb: overload.vips_memory_bytes / MIB,
      heap_mb: overload.go_memstats_heap_inuse_bytes / MIB,
      goroutines: overload.go_goroutines,
      images_in_progress: overload.images_in_progress,
      requests_in_progress: overload.requests_in_progress,
    };
    const imgproxyAlerts = builtInAlerts.filter((alert) => alert.service === 'kira-imgproxy');
    const expected = imgproxyAlerts
      .filter((alert) => {
        const level = levels[alert.metric];
        if (level === undefined) throw new Error(`no simulator level for ${alert.metric}`);
        return alert.operator === '>' ? level > alert.threshold : alert.operator === '>=' ? level >= alert.threshold : alert.operator === '<' ? level < alert.threshold : level <= alert.threshold;
      })
      .map((alert) => alert.id)
      .sort();
    expect(expected.length).toBeGreaterThan(0);
    expect(expected.length).toBeLessThan(imgproxyAlerts.length);

    const outcomes = summary.alerts.filter((alert) => alert.service === 'kira-imgproxy');
    const firedIn = (window: { start: Date; end: Date }) =>
      outcomes.filter((alert) => alert.firedAt.some((at) => at >= window.start && at < window.end)).map((alert) => alert.id).sort();
    expect(firedIn(scenario.imgproxy.calm)).toEqual([]);
    expect(firedIn(scenario.imgproxy.overload)).toEqual(expected);
    // Duration semantics: a 5-minute warning fires 5 minutes into the overload, not earlier.
    const workersWarning = outcomes.find((alert) => alert.id === 'imgproxy-workers-warning')!;
    const overloadStart = scenario.imgproxy.overload.start.getTime();
    expect(workersWarning.firedAt[0]!.getTime() - overloadStart).toBeGreaterThanOrEqual(4 * 60_000);
  });

  it('sends the tool failure to Sentry with the JWT user, the tool tag, sanitized input and the trace id', async () => {
    const events = await rawRows('sentry_events', "type = 'event'");
    const event = events.find((candidate) => candidate.tags?.toolName === 'editImage');
    expect(event, `events: ${JSON.stringify(events).slice(0, 500)}`).toBeDefined();
    expect(event.user).toMatchObject({ id: 'user-bob', email: 'bob@example.com' });
    const text = JSON.stringify(event);
    for (const secret of [PLANTED.toolApiKey, PLANTED.password, PLANTED.base64Image.slice(30, 90), stack.providerApiKey]) {
      expect(text).not.toContain(secret);
    }
    expect(event.extra.input.prompt).toBe('make it pop');
    const traceId = event.contexts.trace.trace_id;
    expect(spans.some((span) => span.traceId === traceId)).toBe(true);
  });

  it('stores no planted secret in any span or log', async () => {
    const everything = JSON.stringify([spans, await rawRows('logs')]);
    for (const secret of [PLANTED.toolApiKey, PLANTED.password, PLANTED.sharePassword, PLANTED.jwtInText, stack.providerApiKey, stack.jwtSecret]) {
      expect(everything).not.toContain(secret);
    }
    // The places they were planted in are stored: the tool input and result, the share log.
    const share = spans.find((span) => span.name === 'execute_tool shareImage')!;
    expect(JSON.parse(String(share.attributes['gen_ai.tool.call.arguments']))).toMatchObject({ audience: 'friends', password: '[REDACTED]' });
    expect(JSON.parse(String(share.attributes['gen_ai.tool.call.result']))).toMatchObject({ expiresInSeconds: 3600, accessToken: '[REDACTED]' });
  });
});
