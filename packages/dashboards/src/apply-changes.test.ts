import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { applyChanges } from './apply-changes';
import { ApplyError } from './betterstack-client';
import { builtInAlerts } from './built-in-alerts';
import { builtInDashboards } from './built-in-dashboards';
import { parseManagedName } from './managed-name';
import { formatPlan, planChanges, planHasChanges, type ChangePlan } from './plan-changes';
import { renderAlertDefinition, renderDashboardJson } from './render-betterstack';
import { startBetterStackStandIn, type BetterStackStandIn } from './testing/betterstack-stand-in';
import type { Alert, Dashboard } from './types';

const TOKEN = 'bs-test-token-7f3a9c';
let standIn: BetterStackStandIn;
beforeEach(async () => {
  standIn = await startBetterStackStandIn(TOKEN);
});
afterEach(async () => {
  await standIn.close();
});

const options = (extra: { dashboards?: readonly Dashboard[]; alerts?: readonly Alert[]; teamName?: string } = {}) => ({ token: TOKEN, apiUrl: standIn.url, ...extra });
const managedDashboards = (id: string) => [...standIn.dashboards.values()].filter((d) => parseManagedName(d.name)?.id === id && parseManagedName(d.name)?.kind === 'dashboard');
const managedExplorations = (id: string) => [...standIn.explorations.values()].filter((e) => parseManagedName(e.name)?.kind === 'alert' && parseManagedName(e.name)?.id === id);
const alertsOf = (explorationId: string) => [...standIn.alerts.values()].filter((a) => a.exploration_id === explorationId);
const changeOf = (plan: ChangePlan, kind: 'dashboard' | 'alert', id: string) => plan.changes.find((c) => c.kind === kind && c.id === id)!;

/** Every dashboard and alert of the code is in the stand-in exactly once and nothing would change. */
async function expectInSync(extra: Parameters<typeof options>[0] = {}): Promise<void> {
  const plan = await planChanges(options(extra));
  expect(formatPlan(plan)).toContain('No changes: BetterStack matches the code.');
  expect(planHasChanges(plan)).toBe(false);
  for (const dashboard of extra.dashboards ?? builtInDashboards) expect(managedDashboards(dashboard.id)).toHaveLength(1);
  for (const alert of extra.alerts ?? builtInAlerts) {
    const [exploration, ...more] = managedExplorations(alert.id);
    expect(more).toHaveLength(0);
    expect(alertsOf(exploration!.id)).toHaveLength(1);
  }
}

describe('plan and apply against the stand-in of the BetterStack API', () => {
  it('first apply creates every dashboard and alert under its managed name', async () => {
    const before = await planChanges(options());
    expect(before.changes.filter((c) => c.action === 'create')).toHaveLength(builtInDashboards.length + builtInAlerts.length);

    const result = await applyChanges(options());
    expect(result.created).toHaveLength(builtInDashboards.length + 2 * builtInAlerts.length);
    const imgproxy = managedDashboards('kira-imgproxy')[0]!;
    expect(imgproxy.name).toBe('kira-imgproxy [kira-dashboards:kira-imgproxy]');
    expect(imgproxy.data).toEqual(renderDashboardJson(builtInDashboards[0]!));
    const critical = builtInAlerts.find((a) => a.id === 'imgproxy-workers-critical')!;
    const [exploration] = managedExplorations(critical.id);
    expect(exploration!.queries[0]!.sql_query).toContain('{{time}}');
    expect(alertsOf(exploration!.id)[0]!.attributes).toMatchObject(renderAlertDefinition(critical));
    expect(standIn.requests.every((request) => request.authorization === `Bearer ${TOKEN}`)).toBe(true);
    await expectInSync();
  });

  it('second apply is a no-op: only reads, and the plan says so', async () => {
    await applyChanges(options());
    const mutationsAfterFirst = standIn.mutations().length;
    const second = await applyChanges(options());
    expect(standIn.mutations()).toHaveLength(mutationsAfterFirst);
    expect(second.created).toHaveLength(0);
    expect(second.deleted).toHaveLength(0);
    expect(second.updated).toHaveLength(0);
    expect(second.unchanged).toBe(builtInDashboards.length + builtInAlerts.length);
  });

  it('lists across pages (pagination.next) and stays idempotent', async () => {
    standIn.defaultPerPage = 2;
    await applyChanges(options());
    const mutations = standIn.mutations().length;
    await applyChanges(options());
    expect(standIn.mutations()).toHaveLength(mutations);
    expect(standIn.requests.some((request) => request.method === 'GET' && request.path.startsWith('/api/v2/explorations?page=8'))).toBe(true);
    await expectInSync();
  });

  it('a changed threshold is one update: one PATCH of that alert, in place', async () => {
    await applyChanges(options());
    const alerts = builtInAlerts.map((alert) => (alert.id === 'imgproxy-workers-critical' ? { ...alert, threshold: 0.85 } : alert));
    const plan = await planChanges(options({ alerts }));
    const changed = plan.changes.filter((change) => change.action !== 'unchanged');
    expect(changed.map((c) => `${c.action} ${c.kind} ${c.id}`)).toEqual(['update alert imgproxy-workers-critical']);
    expect(changed[0]!.details).toContain('~ value (threshold): 0.8 → 0.85');
    expect(formatPlan(plan)).toContain('~ update    alert imgproxy-workers-critical\n    ~ value (threshold): 0.8 → 0.85');

    const before = standIn.mutations().length;
    await applyChanges(options({ alerts }));
    const made = standIn.mutations().slice(before);
    expect(made.map((m) => m.method)).toEqual(['PATCH']);
    expect(made[0]!.path).toMatch(/^\/api\/v2\/explorations\/\d+\/alerts\/\d+$/);
    expect(made[0]!.body.value).toBe(0.85);
    await expectInSync({ alerts });
  });

  it('a hand edit in BetterStack shows as drift with the difference, and apply puts the code back', async () => {
    await applyChanges(options());
    const [dashboard] = managedDashboards('kira-be');
    const chart = dashboard!.data.charts.find((c: { description: string }) => c.description === 'kira-be/http-p95-by-route');
    chart.chart_queries[0].sql_query = 'SELECT 1 AS value';
    dashboard!.data.charts.push({ chart_type: 'line_chart', name: 'Added in the UI', chart_queries: [] });
    const [exploration] = managedExplorations('kira-be-http-p95');
    alertsOf(exploration!.id)[0]!.attributes.confirmation_period = 60;

    const plan = await planChanges(options());
    expect(planHasChanges(plan)).toBe(true);
    const dashboardChange = changeOf(plan, 'dashboard', 'kira-be');
    expect(dashboardChange.action).toBe('update');
    expect(dashboardChange.details).toContain('    - SELECT 1 AS value');
    expect(dashboardChange.details).toContain('- chart "Added in the UI": in BetterStack, not in the code');
    expect(changeOf(plan, 'alert', 'kira-be-http-p95').details).toContain('~ confirmation_period: 60 → 600');
    expect(changeOf(plan, 'dashboard', 'kira-imgproxy').action).toBe('unchanged');

    await applyChanges(options());
    expect(managedDashboards('kira-be')[0]!.id).not.toBe(dashboard!.id);
    await expectInSync();
  });

  it('a rename in the code updates the same dashboard: import the new one, then delete the old', async () => {
    await applyChanges(options());
    const [old] = managedDashboards('kira-be');
    const dashboards = builtInDashboards.map((d) => (d.id === 'kira-be' ? { ...d, title: 'Kira backend' } : d));
    const plan = await planChanges(options({ dashboards }));
    expect(changeOf(plan, 'dashboard', 'kira-be').details[0]).toBe('~ name: "kira-be [kira-dashboards:kira-be]" → "Kira backend [kira-dashboards:kira-be]"');

    const before = standIn.mutations().length;
    await applyChanges(options({ dashboards }));
    expect(standIn.mutations().slice(before).map((m) => `${m.method} ${m.path}`)).toEqual(['POST /api/v2/dashboards/import', `DELETE /api/v2/dashboards/${old!.id}`]);
    expect(managedDashboards('kira-be').map((d) => d.name)).toEqual(['Kira backend [kira-dashboards:kira-be]']);
    await expectInSync({ dashboards });
  });

  it('never touches dashboards and explorations without the managed key, and deletes managed ones gone from the code', async () => {
    await applyChanges(options());
    const handMade = { id: '9001', name: 'kira-be', team_name: null, data: { charts: [] }, created_at: '2025-01-01T00:00:00.000Z', updated_at: '2025-01-01T00:00:00.000Z' };
    standIn.dashboards.set(handMade.id, structuredClone(handMade));
    standIn.explorations.set('9002', { id: '9002', name: '[alert] Worker 利用率饱和 (imgproxy-workers-critical)', team_name: null, chart: {}, queries: [], variables: [], date_range_from: 'now-3h', date_range_to: 'now', created_at: handMade.created_at, updated_at: handMade.created_at });

    const dashboards = builtInDashboards.filter((d) => d.id !== 'kira-be');
    const plan = await planChanges(options({ dashboards }));
    expect(changeOf(plan, 'dashboard', 'kira-be').action).toBe('extra');
    expect(plan.unmanaged).toEqual({ dashboards: 1, explorations: 1 });
    expect(formatPlan(plan)).toContain('1 dashboards and 1 explorations not managed by kira-dashboards are left alone');

    await applyChanges(options({ dashboards }));
    expect(managedDashboards('kira-be')).toHaveLength(0);
    expect(standIn.dashboards.get('9001')).toEqual(handMade);
    expect(standIn.explorations.has('9002')).toBe(true);
    expect(standIn.requests.filter((request) => /\/(9001|9002)(\/|$)/.test(request.path))).toHaveLength(0);
  });

  it('retries a 429 after its Retry-After and finishes', async () => {
    standIn.failNext({ method: 'POST', path: '/api/v2/dashboards/import', status: 429, retryAfter: '1' });
    await applyChanges(options());
    const imports = standIn.requests.filter((request) => request.path === '/api/v2/dashboards/import');
    expect(imports).toHaveLength(builtInDashboards.length + 1);
    await expectInSync();
  });

  it('gives up on a 429 whose Retry-After exceeds the bound, naming the step', async () => {
    standIn.failNext({ method: 'GET', path: '/api/v2/dashboards', status: 429, retryAfter: '3600' });
    const error = await planChanges(options()).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ApplyError);
    expect((error as ApplyError).message).toBe('dashboards (list): 429 rate limited: Retry-After asks for 3600 s, more than the 30 s this run waits; run again later');
  });

  it('stops retrying a 429 after 4 retries', async () => {
    standIn.failNext({ method: 'GET', path: '/api/v2/dashboards', status: 429, retryAfter: '0', times: 5 });
    const error = await planChanges(options()).catch((caught: unknown) => caught);
    expect((error as ApplyError).message).toBe('dashboards (list): 429 rate limited (Too many requests), still after 4 retries');
    expect(standIn.requests.filter((request) => request.path === '/api/v2/dashboards')).toHaveLength(5);
  });

  it('retries a 503 without Retry-After after a backoff', async () => {
    standIn.failNext({ method: 'GET', path: '/api/v2/dashboards', status: 503 });
    const plan = await planChanges(options());
    expect(plan.changes).toHaveLength(builtInDashboards.length + builtInAlerts.length);
    expect(standIn.requests.filter((request) => request.path === '/api/v2/dashboards')).toHaveLength(2);
  });

  it('abandons a request that gets no answer within the timeout, naming the step', async () => {
    standIn.failNext({ method: 'GET', path: '/api/v2/dashboards', status: 0, hang: true });
    const error = await planChanges({ ...options(), timeoutMillis: 300 }).catch((caught: unknown) => caught);
    expect((error as ApplyError).message).toBe(`dashboards (list): network error (no answer within the timeout) on GET ${standIn.url}/api/v2/dashboards`);
  });

  it('reports a 422 with the API message, the dashboard and the step', async () => {
    standIn.failNext({ method: 'POST', path: '/api/v2/dashboards/import', status: 422, body: { errors: 'Sorry, some values are incorrect', invalid_values: { data: ['is invalid'] } } });
    const error = await applyChanges(options()).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ApplyError);
    expect((error as ApplyError).status).toBe(422);
    expect((error as ApplyError).message).toBe('create dashboard kira-imgproxy (import): 422 validation failed: Sorry, some values are incorrect: data is invalid');
    expect((error as ApplyError).completed).toBe(0);
  });

  it('an auth failure is one line without the token; a network error names the cause', async () => {
    const refused = await applyChanges({ token: 'wrong-token-123', apiUrl: standIn.url }).catch((caught: unknown) => caught);
    expect((refused as ApplyError).status).toBe(401);
    expect((refused as ApplyError).message).toBe(
      'dashboards (list): 401 — the API token was refused (Invalid Team API token); check BETTERSTACK_API_TOKEN and that it is a Telemetry API token of this team',
    );
    const url = standIn.url;
    await standIn.close();
    standIn = await startBetterStackStandIn(TOKEN);
    const unreachable = await applyChanges({ token: TOKEN, apiUrl: url }).catch((caught: unknown) => caught);
    expect(unreachable).toBeInstanceOf(ApplyError);
    expect((unreachable as ApplyError).status).toBeUndefined();
    expect((unreachable as ApplyError).message).toBe(`dashboards (list): network error (ECONNREFUSED) on GET ${url}/api/v2/dashboards`);
    expect((unreachable as ApplyError).message).not.toContain(TOKEN);
  });

  it('a failure in the middle of an update leaves no managed dashboard missing; the next apply completes it', async () => {
    await applyChanges(options());
    const [old] = managedDashboards('kira-be');
    const dashboards = builtInDashboards.map((d) => (d.id === 'kira-be' ? { ...d, title: 'Kira backend' } : d));
    standIn.failNext({ method: 'DELETE', path: `/api/v2/dashboards/${old!.id}`, status: 500 });
    const error = await applyChanges(options({ dashboards })).catch((caught: unknown) => caught);
    expect((error as ApplyError).message).toBe(`update dashboard kira-be (delete superseded copy ${old!.id}): 500: Internal server error`);
    expect((error as ApplyError).completed).toBe(1);
    expect(managedDashboards('kira-be').map((d) => d.name).sort()).toEqual(['Kira backend [kira-dashboards:kira-be]', 'kira-be [kira-dashboards:kira-be]']);
    expect(managedDashboards('kira-imgproxy')).toHaveLength(1);

    const plan = await planChanges(options({ dashboards }));
    expect(changeOf(plan, 'dashboard', 'kira-be').details).toEqual([`- 1 superseded copy (BetterStack id ${old!.id})`]);
    await applyChanges(options({ dashboards }));
    await expectInSync({ dashboards });
  });

  it('an alert whose creation failed after its exploration is completed by the next apply, without a second exploration', async () => {
    standIn.failNext({ method: 'POST', path: /^\/api\/v2\/explorations\/\d+\/alerts$/, status: 500 });
    const error = await applyChanges(options()).catch((caught: unknown) => caught);
    expect((error as ApplyError).message).toBe(`create alert ${builtInAlerts[0]!.id} (create alert): 500: Internal server error`);
    expect(managedExplorations(builtInAlerts[0]!.id)).toHaveLength(1);

    const plan = await planChanges(options());
    expect(changeOf(plan, 'alert', builtInAlerts[0]!.id).details[0]).toMatch(/^\+ alert \(the exploration has none\)/);
    await applyChanges(options());
    await expectInSync();
  });

  it('refuses bad input with a TypeError before any request: no token, ids that cannot be keys, duplicate ids', async () => {
    await expect(applyChanges({ token: '', apiUrl: standIn.url })).rejects.toThrow(new TypeError('a BetterStack API token is required'));
    const spaced = { ...builtInDashboards[0]!, id: 'kira be' };
    await expect(planChanges(options({ dashboards: [spaced] }))).rejects.toThrow(/dashboard id "kira be" cannot be a key/);
    await expect(planChanges(options({ alerts: [builtInAlerts[0]!, builtInAlerts[0]!] }))).rejects.toThrow(/two alerts have the id "imgproxy-workers-warning"/);
    expect(standIn.requests).toHaveLength(0);
  });

  it('passes team_name on creates and leaves other teams alone', async () => {
    await applyChanges(options({ teamName: 'kira' }));
    expect([...standIn.dashboards.values()].every((d) => d.team_name === 'kira')).toBe(true);
    const other = { ...managedDashboards('kira-be')[0]!, id: '7000', team_name: 'someone-else' };
    standIn.dashboards.set(other.id, other);
    expect(planHasChanges(await planChanges(options({ teamName: 'kira' })))).toBe(false);
    await applyChanges(options({ teamName: 'kira' }));
    expect(standIn.dashboards.get('7000')).toEqual(other);
  });
});
