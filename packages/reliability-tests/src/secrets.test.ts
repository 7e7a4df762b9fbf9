// Secrets: plant one in every place a service's data leaves it — inbound and outbound URL queries,
// outbound headers, a plain fetch, recorded tool input and result, log attributes and object
// bodies, Sentry extras and contexts, the request's Authorization/Cookie on an error route, a JWT
// in free text, and the telemetry's own transport (the collector token, sent as the OTLP bearer
// token and the Sentry DSN key); drive them through every package (the demo service uses
// otel-core, otel-hono, metrics, external-tracing and sentry) into the real collector; then open
// its chdb data folder directly and search every column of every table. A non-secret neighbour of
// each planted value must be found in the table it belongs to, so 0 secrets found proves something.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type DemoStack, PLANTED, startDemoStack } from '@kira/demo';
import { waitUntil } from '@kira/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const require = createRequire(import.meta.url);
// chdb comes with the collector; the test reads the collector's store the way the collector does.
const { Session } = createRequire(require.resolve('@kira/collector/package.json'))('chdb') as {
  Session: new (path: string) => { queryAsync(sql: string): Promise<{ text(): string }>; close(): void };
};

const QUERY_API_KEY = 'sk-live-PLANTED-query-key-0002';
const COOKIE_SECRET = 'PLANTED-cookie-session-0003';
const HEADER_API_KEY = 'PLANTED-x-api-key-header-0004';
// Letters and digits only: it is also the Sentry DSN key.
const COLLECTOR_TOKEN = `PLANTEDcollectortoken${randomBytes(8).toString('hex')}`;

let dataDir: string;
let stack: DemoStack | undefined;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'kira-reliability-secrets-'));
});

afterAll(async () => {
  await stack?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

describe('no planted secret reaches the store', () => {
  it('finds 0 secrets in every column of every table', async () => {
    stack = await startDemoStack({ dataDir, metricIntervalMs: 1_000, collectorToken: COLLECTOR_TOKEN });
    const { serviceUrl, collectorUrl, providerApiKey, jwtSecret } = stack;
    const call = async (method: string, path: string, token: string | undefined, body?: unknown, extraHeaders: Record<string, string> = {}) => {
      const response = await fetch(`${serviceUrl}${path}`, {
        method,
        headers: {
          ...extraHeaders,
          cookie: `kira_session=${COOKIE_SECRET}; theme=dark`,
          'x-api-key': HEADER_API_KEY,
          ...(token ? { authorization: `Bearer ${token}` } : {}),
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await response.text();
      return { status: response.status, text };
    };
    const login = await call('POST', `/auth/login?api_key=${QUERY_API_KEY}`, undefined, { userId: 'user-bob', email: 'bob@example.com' });
    const jwt = (JSON.parse(login.text) as { token: string }).token;
    const statuses: number[] = [login.status];
    // Inbound URL query (otel-hono), JWT + cookie + x-api-key headers on every call.
    statuses.push((await call('GET', `/api/users/1?api_key=${QUERY_API_KEY}&token=${jwt}&view=ctl-inbound-query`, jwt)).status);
    // Provider calls with the key in the query (fal) and in Authorization (external-tracing), AI tool spans + logs (metrics).
    statuses.push((await call('POST', `/api/tools/generate-image?key=${QUERY_API_KEY}`, jwt, { prompt: 'a cat', threadId: 'thread-s' })).status);
    statuses.push((await call('POST', '/api/tools/describe-image', jwt, { prompt: 'describe', threadId: 'thread-s' })).status);
    // A recorded tool (input and result) whose input holds a password and a JWT in free text; its
    // plain fetch carries the provider key in the query; its log has a password attribute and an
    // object body with an access token.
    const share = await call('POST', '/api/tools/share-image', jwt, {
      prompt: `ctl-tool-prompt, my old token was ${PLANTED.jwtInText}`,
      threadId: 'thread-s',
      audience: 'ctl-log-audience',
      password: PLANTED.sharePassword,
    });
    statuses.push(share.status);
    const shareAccessToken = (JSON.parse(share.text) as { accessToken: string }).accessToken;
    // A failing tool with a password, an API key, a JWT and a base64 image in its input (→ span
    // attribute and Sentry extra) and the user's Authorization in a Sentry context.
    statuses.push(
      (
        await call('POST', `/api/tools/edit-image?api_key=${QUERY_API_KEY}`, jwt, {
          prompt: `ctl-sentry-extra, as ${jwt}`,
          threadId: 'ctl-sentry-context',
          failWith: 500,
          image: PLANTED.base64Image,
          apiKey: PLANTED.toolApiKey,
          password: PLANTED.password,
        })
      ).status,
    );
    // An unhandled error with secrets in the URL (Sentry request data).
    statuses.push((await call('GET', `/api/boom?api_key=${QUERY_API_KEY}`, jwt, undefined, { 'accept-language': 'ctl-error-route-header' })).status);

    // Every package's output must really be in the store, or "0 found" proves nothing.
    const count = async (sql: string) => {
      const response = await fetch(`${collectorUrl}/query`, {
        method: 'POST',
        headers: { authorization: `Bearer ${COLLECTOR_TOKEN}` },
        body: JSON.stringify({ query: sql, start: '2000-01-01', end: '2100-01-01' }),
      });
      const body = (await response.json()) as { rows?: Array<{ n: string }>; error?: string };
      if (!body.rows) throw new Error(`collector /query: ${body.error ?? response.status}`);
      return Number(body.rows[0]?.n ?? 0);
    };
    // The tool failure reaches Sentry (captureToolError) with the user from the JWT.
    await waitUntil(async () => (await count(`SELECT count() AS n FROM sentry_events WHERE user = 'user-bob'`)) >= 1, 20_000, 'the Sentry event of user-bob stored');
    const exitCode = await stack.stopService();
    // The service flushed everything before it exited; the collector writes what it received in
    // batches, so wait until every package's output is queryable.
    const evidenceQueries = {
      serverSpans: `SELECT count() AS n FROM spans WHERE kind = 2 AND name LIKE '% /api/%'`,
      clientSpans: `SELECT count() AS n FROM spans WHERE kind = 3 AND JSONExtractString(raw, 'attributes', 'external.service') != ''`,
      toolSpans: `SELECT count() AS n FROM spans WHERE name LIKE 'execute_tool %'`,
      logs: `SELECT count() AS n FROM logs`,
      metricRows: `SELECT count() AS n FROM metrics WHERE name IN ('ai_tool_executions', 'http_request_duration_ms', 'external_request_duration_ms')`,
      sentryEvents: `SELECT count() AS n FROM sentry_events`,
      recordedToolSpans: `SELECT count() AS n FROM spans WHERE JSONExtractString(raw, 'attributes', 'gen_ai.tool.call.result') != ''`,
      shareLogs: `SELECT count() AS n FROM logs WHERE raw LIKE '%image_shared%'`,
      // The places themselves, with their non-secret neighbours: the request of the error route
      // (its headers, where Authorization and Cookie were) and the tool failure's context.
      errorRouteRequest: `SELECT count() AS n FROM sentry_events WHERE JSONExtractString(raw, 'request', 'headers', 'accept-language') = 'ctl-error-route-header'`,
      sentryContext: `SELECT count() AS n FROM sentry_events WHERE JSONExtractString(raw, 'contexts', 'tool_request', 'path') = '/api/tools/edit-image' AND JSONExtractString(raw, 'contexts', 'tool_request', 'threadId') = 'ctl-sentry-context'`,
    };
    let evidence: Record<keyof typeof evidenceQueries, number> = {
      serverSpans: 0,
      clientSpans: 0,
      toolSpans: 0,
      logs: 0,
      metricRows: 0,
      sentryEvents: 0,
      recordedToolSpans: 0,
      shareLogs: 0,
      errorRouteRequest: 0,
      sentryContext: 0,
    };
    const everyOutputStored = async () => {
      const counts = await Promise.all(Object.entries(evidenceQueries).map(async ([what, sql]) => [what, await count(sql)] as const));
      evidence = Object.fromEntries(counts) as typeof evidence;
      return Object.values(evidence).every((n) => n > 0);
    };
    await waitUntil(everyOutputStored, 20_000, "every package's output in the store").catch(() => undefined);
    // The telemetry's own transport is never traced: no span for an OTLP export or a Sentry envelope.
    const selfTrafficSpans = await count(
      `SELECT count() AS n FROM spans WHERE raw LIKE '%/envelope/%' OR raw LIKE '%/v1/traces%' OR raw LIKE '%/v1/logs%' OR raw LIKE '%/v1/metrics%'`,
    );
    await stack.stop();
    stack = undefined;

    const secrets: Record<string, string> = {
      'API key in a URL query': QUERY_API_KEY,
      'provider API key (fal query + Authorization header)': providerApiKey,
      'JWT (Authorization header + query)': jwt,
      'JWT signature': jwt.split('.')[2] ?? jwt,
      'JWT signing secret': jwtSecret,
      'cookie value': COOKIE_SECRET,
      'x-api-key header': HEADER_API_KEY,
      'password in tool input': PLANTED.password,
      'API key in tool input': PLANTED.toolApiKey,
      'base64 image in a Sentry extra': PLANTED.base64Image,
      'share password (recorded tool input + log attribute)': PLANTED.sharePassword,
      'JWT in free text (recorded tool input)': PLANTED.jwtInText,
      'JWT-in-free-text signature': PLANTED.jwtInText.split('.')[2] ?? PLANTED.jwtInText,
      'access token (recorded tool result + log object body)': shareAccessToken,
      'collector token (OTLP bearer token + Sentry DSN key)': COLLECTOR_TOKEN,
      'base64 image (any two-chunk slice)': 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII'.repeat(2),
    };

    // The collector is stopped: read its data folder with chdb directly, every table, every column.
    const session = new Session(dataDir);
    const found: Record<string, string[]> = {};
    // Positive controls: a non-secret neighbour of each planted place, and the table it must be
    // found in, so the search itself and every planted place are shown to be stored.
    const controlPlaces: Record<string, { text: string; table: string }> = {
      'inbound URL query (otel-hono http.url)': { text: 'view=ctl-inbound-query', table: 'spans' },
      'outbound URL query (tracedFetch url.full)': { text: 'flux/dev?key=REDACTED', table: 'spans' },
      'outbound headers (tracedFetch allowlisted header)': { text: 'kira-be-demo', table: 'spans' },
      'plain fetch URL (undici url.full)': { text: '&source=share-card', table: 'spans' },
      'recorded tool input': { text: 'ctl-tool-prompt', table: 'spans' },
      'recorded tool result': { text: 'kira.example/s/', table: 'spans' },
      'log attributes': { text: 'ctl-log-audience', table: 'logs' },
      'log object body': { text: 'image_shared', table: 'logs' },
      'Sentry extras': { text: 'ctl-sentry-extra', table: 'sentry_events' },
      'Sentry contexts': { text: '"tool_request"', table: 'sentry_events' },
      'error route request (Sentry)': { text: 'ctl-error-route-header', table: 'sentry_events' },
      'user from the JWT (Sentry)': { text: 'user-bob', table: 'sentry_events' },
    };
    const controls: Record<string, string[]> = Object.fromEntries(Object.keys(controlPlaces).map((place) => [place, []]));
    const tablesSearched: string[] = [];
    let rowsSearched = 0;
    try {
      const tables = (await session.queryAsync(
        `SELECT database, name FROM system.tables WHERE database NOT IN ('system', 'INFORMATION_SCHEMA', 'information_schema') AND engine NOT IN ('Null', 'View', 'MaterializedView') FORMAT JSONEachRow`,
      ))
        .text()
        .split('\n')
        .filter((line: string) => line.trim() !== '')
        .map((line: string) => JSON.parse(line) as { database: string; name: string });
      for (const { database, name } of tables) {
        // TSVRaw: every column as its stored text (aggregate states as their binary bytes), unescaped.
        const text = (await session.queryAsync(`SELECT * FROM \`${database}\`.\`${name}\` FORMAT TSVRaw`)).text();
        tablesSearched.push(`${database}.${name}`);
        rowsSearched += text === '' ? 0 : text.split('\n').length - 1;
        for (const [place, control] of Object.entries(controlPlaces)) if (text.includes(control.text)) controls[place]!.push(name);
        for (const [what, secret] of Object.entries(secrets)) {
          const forms = [secret, encodeURIComponent(secret), JSON.stringify(secret).slice(1, -1)];
          if (forms.some((form) => form !== '' && text.includes(form))) (found[what] ??= []).push(`${database}.${name}`);
        }
      }
    } finally {
      session.close();
    }
    const foundCount = Object.values(found).reduce((sum, tables) => sum + tables.length, 0);

    console.log(
      [
        `secrets planted: ${Object.keys(secrets).length}; requests ${statuses.join(',')}; service exit code ${exitCode}`,
        `  stored evidence: ${JSON.stringify(evidence)}`,
        `  searched ${tablesSearched.length} tables (${tablesSearched.join(', ')}), ${rowsSearched} rows, every column`,
        `  self-traffic spans (OTLP export / Sentry envelope): ${selfTrafficSpans}`,
        `  positive controls (tables containing): ${JSON.stringify(controls)}`,
        `  secrets found: ${foundCount}${foundCount ? ` ${JSON.stringify(found)}` : ''}`,
      ].join('\n'),
    );

    // login, user, generate, describe, share, the failing edit (502), the unhandled error (500).
    expect(statuses).toEqual([200, 200, 200, 200, 200, 502, 500]);
    expect(evidence.serverSpans).toBeGreaterThan(0);
    expect(evidence.clientSpans).toBeGreaterThan(0);
    expect(evidence.toolSpans).toBeGreaterThan(0);
    expect(evidence.logs).toBeGreaterThan(0);
    expect(evidence.metricRows).toBeGreaterThan(0);
    expect(evidence.sentryEvents).toBeGreaterThan(0);
    expect(evidence.recordedToolSpans).toBeGreaterThan(0);
    expect(evidence.shareLogs).toBeGreaterThan(0);
    expect(evidence.errorRouteRequest).toBeGreaterThan(0);
    expect(evidence.sentryContext).toBeGreaterThan(0);
    expect(selfTrafficSpans).toBe(0);
    expect(tablesSearched.length).toBeGreaterThanOrEqual(4);
    for (const [place, tables] of Object.entries(controls)) expect(tables, place).toContain(controlPlaces[place]!.table);
    expect(found).toEqual({});
  });
});
