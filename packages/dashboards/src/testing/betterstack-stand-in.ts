import type { IncomingMessage, ServerResponse } from 'node:http';
import { listenOnLoopback } from '@kira/test-utils';

/*
 * A local stand-in of the BetterStack Telemetry API (node:http on 127.0.0.1) holding dashboards,
 * explorations and exploration alerts in memory, with the shapes of BetterStack's published docs:
 *
 * - Import a dashboard, POST /api/v2/dashboards/import: 201 `{ data: { id, type: 'dashboard',
 *   attributes: { team_id, team_name, name, created_at, updated_at } } }`; 422 `{ errors: 'Sorry, you
 *   are missing some required attributes', required_attributes: [...] }`.
 *   https://betterstack.com/docs/logs/api/dashboards/import/
 * - Export a dashboard, GET /api/v2/dashboards/{id}/export: 200 `{ id, name, data: { refresh_interval,
 *   date_range_from, date_range_to, source_eligibility_sql, preset, charts[] (with transform_with,
 *   settings, chart_queries) } }` — the export carries fields we never send, so the stand-in adds
 *   `source_eligibility_sql`, `preset` and `transform_with` as the docs' example shows.
 *   https://betterstack.com/docs/logs/api/dashboards/export/
 * - Remove a dashboard, DELETE /api/v2/dashboards/{id}: 204; 404 `{ errors: 'Resource with the
 *   provided ID was not found' }`. https://betterstack.com/docs/logs/api/dashboards/delete/
 * - List dashboards, GET /api/v2/dashboards?page=&per_page=: the dashboards list page was not found
 *   in the docs we could read, so its shape is DECIDED to be the documented list shape of the same
 *   API (List all explorations): `{ data: [{ id, type, attributes }], pagination: { first, last,
 *   prev, next } }` with `page`/`per_page` (default 50, maximum 250 per BetterStack's pagination page).
 *   https://betterstack.com/docs/logs/api/explorations/list/ and https://betterstack.com/docs/uptime/api/pagination/
 * - Explorations: list (paginated, summary attributes), GET /{id} (full: chart, queries with id/name/
 *   source_variable, variables), POST (201, full), PATCH /{id} (only the fields given; `queries`
 *   replaced as a whole), DELETE /{id} (204, deletes its alerts too).
 *   https://betterstack.com/docs/logs/api/explorations/list/ …/get/ …/create/ …/update/ …/delete/
 * - Exploration alerts: GET /explorations/{id}/alerts (not paginated, `{ data: [...] }`), POST (201;
 *   422 `{ errors: 'Sorry, some values are incorrect', invalid_values: { name: ["can't be blank"] } }`),
 *   PATCH /{alert_id} (only the fields given; `metadata` replaced, not merged), DELETE (204). Stored
 *   attributes carry the documented defaults we never send (escalation_target 'current_team', call,
 *   sms, email, push, paused). https://betterstack.com/docs/logs/api/exploration-alerts/list/ …/create/
 *   …/update/ …/delete/
 * - 401 body `{ errors: 'Invalid Team API token' }`: DECIDED (the docs list 401 without a body).
 * - 429 with `Retry-After` (seconds) and body `{ errors: 'Too many requests' }`: DECIDED (the docs
 *   publish no rate-limit response); injected by tests with {@link BetterStackStandIn.failNext}.
 */

export interface StandInDashboard {
  id: string;
  name: string;
  team_name: string | null;
  data: Record<string, any>;
  created_at: string;
  updated_at: string;
}

export interface StandInExploration {
  id: string;
  name: string;
  team_name: string | null;
  chart: Record<string, any>;
  queries: Record<string, any>[];
  variables: Record<string, any>[];
  date_range_from: string;
  date_range_to: string;
  created_at: string;
  updated_at: string;
}

export interface StandInAlert {
  id: string;
  exploration_id: string;
  attributes: Record<string, any>;
}

/** A scripted failure: the next `times` requests matching `method` and `path` get `status`. */
export interface StandInFailure {
  method?: string;
  /** Exact path (without query) or a pattern. */
  path: string | RegExp;
  status: number;
  body?: unknown;
  /** Sent as the `Retry-After` header (seconds). */
  retryAfter?: string;
  times?: number;
  /** Never answer (to test client timeouts); `status` is then ignored. */
  hang?: boolean;
}

export interface BetterStackStandIn {
  url: string;
  requests: { method: string; path: string; authorization: string | undefined; body: any }[];
  dashboards: Map<string, StandInDashboard>;
  explorations: Map<string, StandInExploration>;
  alerts: Map<string, StandInAlert>;
  /** Page size of list endpoints when the request names none (BetterStack: 50). */
  defaultPerPage: number;
  failNext(failure: StandInFailure): void;
  /** Requests that change something (not GET). */
  mutations(): { method: string; path: string; body: any }[];
  close(): Promise<void>;
}

const ALERT_DEFAULTS = {
  string_value: null,
  series_names: [],
  source_variable: null,
  source_mode: 'source_variable',
  source_platforms: [],
  incident_per_series: false,
  call: false,
  sms: false,
  email: true,
  push: false,
  paused: false,
  paused_reason: null,
  escalation_target: 'current_team',
  metadata: {},
};

export async function startBetterStackStandIn(token: string, options: { defaultPerPage?: number } = {}): Promise<BetterStackStandIn> {
  let nextId = 100;
  let clock = Date.parse('2026-01-01T00:00:00Z');
  // A strictly increasing clock: created_at orders objects like the real API does.
  const now = () => new Date((clock += 1000)).toISOString();
  const failures: (StandInFailure & { left: number })[] = [];
  const standIn: BetterStackStandIn = {
    url: '',
    requests: [],
    dashboards: new Map(),
    explorations: new Map(),
    alerts: new Map(),
    defaultPerPage: options.defaultPerPage ?? 50,
    failNext: (failure) => failures.push({ ...failure, left: failure.times ?? 1 }),
    mutations: () => standIn.requests.filter((request) => request.method !== 'GET'),
    close: async () => {},
  };

  const notFound = { errors: 'Resource with the provided ID was not found' };

  const page = <T>(items: T[], url: URL, render: (item: T) => unknown) => {
    const perPage = Math.min(250, Math.max(1, Number(url.searchParams.get('per_page') ?? standIn.defaultPerPage)));
    const pageCount = Math.max(1, Math.ceil(items.length / perPage));
    const current = Math.min(pageCount, Math.max(1, Number(url.searchParams.get('page') ?? 1)));
    const link = (n: number) => `${standIn.url}${url.pathname}?page=${n}&per_page=${perPage}`;
    return {
      data: items.slice((current - 1) * perPage, current * perPage).map(render),
      pagination: { first: link(1), last: link(pageCount), prev: current > 1 ? link(current - 1) : null, next: current < pageCount ? link(current + 1) : null },
    };
  };

  const dashboardResource = (d: StandInDashboard) => ({
    id: d.id,
    type: 'dashboard',
    attributes: { team_id: 123456, team_name: d.team_name, name: d.name, created_at: d.created_at, updated_at: d.updated_at },
  });
  const explorationSummary = (e: StandInExploration) => ({
    id: e.id,
    type: 'exploration',
    attributes: { name: e.name, date_range_from: e.date_range_from, date_range_to: e.date_range_to, exploration_group_id: null, created_at: e.created_at, updated_at: e.updated_at },
  });
  const explorationResource = (e: StandInExploration) => ({
    id: e.id,
    type: 'exploration',
    attributes: { ...explorationSummary(e).attributes, chart: e.chart, queries: e.queries, variables: e.variables },
  });
  const alertResource = (a: StandInAlert) => ({ id: a.id, type: 'alert', attributes: { exploration_id: Number(a.exploration_id), ...a.attributes } });
  const withQueryIds = (queries: Record<string, any>[]) => queries.map((query, index) => ({ id: index + 1, name: `Query ${index + 1}`, source_variable: 'source', ...query }));
  const missing = (body: Record<string, any> | undefined, names: string[]) => names.filter((name) => body?.[name] === undefined || body[name] === null || body[name] === '');

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const url = new URL(request.url ?? '/', 'http://stand-in');
    const method = request.method ?? '';
    let body: any;
    try {
      body = text === '' ? undefined : JSON.parse(text);
    } catch {
      body = text;
    }
    standIn.requests.push({ method, path: url.pathname + url.search, authorization: request.headers.authorization, body });
    const reply = (status: number, payload?: unknown, headers: Record<string, string> = {}) => {
      if (payload === undefined) {
        response.writeHead(status, headers);
        response.end();
        return;
      }
      response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
      response.end(JSON.stringify(payload));
    };
    if (request.headers.authorization !== `Bearer ${token}`) return reply(401, { errors: 'Invalid Team API token' });
    const failure = failures.find(
      (f) => f.left > 0 && (f.method === undefined || f.method === method) && (typeof f.path === 'string' ? f.path === url.pathname : f.path.test(url.pathname)),
    );
    if (failure) {
      failure.left -= 1;
      if (failure.hang) return;
      const fallback = failure.status === 429 ? { errors: 'Too many requests' } : failure.status === 422 ? { errors: 'Sorry, some values are incorrect', invalid_values: { name: ["can't be blank"] } } : { errors: 'Internal server error' };
      return reply(failure.status, failure.body ?? fallback, failure.retryAfter === undefined ? {} : { 'retry-after': failure.retryAfter });
    }

    const path = url.pathname;
    let match: RegExpExecArray | null;
    if (path === '/api/v2/dashboards' && method === 'GET') return reply(200, page([...standIn.dashboards.values()], url, dashboardResource));
    if (path === '/api/v2/dashboards/import' && method === 'POST') {
      const absent = missing(body, ['name', 'data']);
      if (absent.length > 0) return reply(422, { errors: 'Sorry, you are missing some required attributes', required_attributes: absent });
      const at = now();
      const dashboard: StandInDashboard = { id: String(nextId++), name: body.name, team_name: body.team_name ?? null, data: structuredClone(body.data), created_at: at, updated_at: at };
      standIn.dashboards.set(dashboard.id, dashboard);
      return reply(201, { data: dashboardResource(dashboard) });
    }
    if ((match = /^\/api\/v2\/dashboards\/([^/]+)\/export$/.exec(path)) && method === 'GET') {
      const dashboard = standIn.dashboards.get(match[1]!);
      if (!dashboard) return reply(404, notFound);
      const { name: _ignored, ...data } = dashboard.data;
      return reply(200, {
        id: dashboard.id,
        name: dashboard.name,
        data: {
          source_eligibility_sql: null,
          preset: { id: 67890, preset_type: 'implicit', preset_variables: [] },
          ...data,
          charts: (data.charts ?? []).map((chart: Record<string, unknown>) => ({ transform_with: null, ...chart })),
        },
      });
    }
    if ((match = /^\/api\/v2\/dashboards\/([^/]+)$/.exec(path)) && method === 'DELETE') {
      if (!standIn.dashboards.delete(match[1]!)) return reply(404, notFound);
      return reply(204);
    }

    if (path === '/api/v2/explorations' && method === 'GET') return reply(200, page([...standIn.explorations.values()], url, explorationSummary));
    if (path === '/api/v2/explorations' && method === 'POST') {
      const absent = missing(body, ['name', 'chart', 'queries']);
      if (absent.length > 0) return reply(422, { errors: 'Sorry, you are missing some required attributes', required_attributes: absent });
      const at = now();
      const exploration: StandInExploration = {
        id: String(nextId++),
        name: body.name,
        team_name: body.team_name ?? null,
        chart: structuredClone(body.chart),
        queries: withQueryIds(structuredClone(body.queries)),
        variables: structuredClone(body.variables ?? []),
        date_range_from: body.date_range_from ?? 'now-3h',
        date_range_to: body.date_range_to ?? 'now',
        created_at: at,
        updated_at: at,
      };
      standIn.explorations.set(exploration.id, exploration);
      return reply(201, { data: explorationResource(exploration) });
    }
    if ((match = /^\/api\/v2\/explorations\/([^/]+)$/.exec(path))) {
      const exploration = standIn.explorations.get(match[1]!);
      if (!exploration) return reply(404, notFound);
      if (method === 'GET') return reply(200, { data: explorationResource(exploration) });
      if (method === 'PATCH') {
        for (const key of ['name', 'chart', 'date_range_from', 'date_range_to', 'variables'] as const) if (body?.[key] !== undefined) (exploration as any)[key] = structuredClone(body[key]);
        if (body?.queries !== undefined) exploration.queries = withQueryIds(structuredClone(body.queries));
        exploration.updated_at = now();
        return reply(200, { data: explorationResource(exploration) });
      }
      if (method === 'DELETE') {
        standIn.explorations.delete(exploration.id);
        for (const alert of [...standIn.alerts.values()]) if (alert.exploration_id === exploration.id) standIn.alerts.delete(alert.id);
        return reply(204);
      }
    }
    if ((match = /^\/api\/v2\/explorations\/([^/]+)\/alerts$/.exec(path))) {
      const exploration = standIn.explorations.get(match[1]!);
      if (!exploration) return reply(404, notFound);
      if (method === 'GET') return reply(200, { data: [...standIn.alerts.values()].filter((a) => a.exploration_id === exploration.id).map(alertResource) });
      if (method === 'POST') {
        const absent = missing(body, ['name', 'alert_type']);
        if (absent.length > 0) return reply(422, { errors: 'Sorry, some values are incorrect', invalid_values: Object.fromEntries(absent.map((name) => [name, ["can't be blank"]])) });
        const at = now();
        const { team_name: _team, ...attributes } = body;
        const alert: StandInAlert = { id: String(nextId++), exploration_id: exploration.id, attributes: { ...ALERT_DEFAULTS, ...structuredClone(attributes), created_at: at, updated_at: at } };
        standIn.alerts.set(alert.id, alert);
        return reply(201, { data: alertResource(alert) });
      }
    }
    if ((match = /^\/api\/v2\/explorations\/([^/]+)\/alerts\/([^/]+)$/.exec(path))) {
      const alert = standIn.alerts.get(match[2]!);
      if (!alert || alert.exploration_id !== match[1]) return reply(404, notFound);
      if (method === 'GET') return reply(200, { data: alertResource(alert) });
      if (method === 'PATCH') {
        Object.assign(alert.attributes, structuredClone(body ?? {}), { updated_at: now() });
        return reply(200, { data: alertResource(alert) });
      }
      if (method === 'DELETE') {
        standIn.alerts.delete(alert.id);
        return reply(204);
      }
    }
    return reply(404, { errors: 'Not found' });
  };

  const { server, url } = await listenOnLoopback(handle);
  standIn.url = url;
  standIn.close = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  return standIn;
}
