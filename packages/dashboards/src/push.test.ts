import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { builtInAlerts } from './built-in-alerts';
import { builtInDashboards } from './built-in-dashboards';
import { EXPLORATION_ID, formatPushPlan, planPush, push, PushError } from './push';
import { renderAlertDefinition, renderDashboardJson } from './render-betterstack';
import { startBetterStackStandIn, type BetterStackStandIn } from './testing/betterstack-stand-in';

let standIn: BetterStackStandIn;
beforeEach(async () => {
  standIn = await startBetterStackStandIn('secret-token');
});
afterEach(async () => {
  await standIn.close();
});

describe('planPush / formatPushPlan', () => {
  it('plans one import per dashboard, then exploration + alert per alert', () => {
    const plan = planPush({ teamName: 'kira' });
    expect(plan).toHaveLength(builtInDashboards.length + 2 * builtInAlerts.length);
    expect(plan[0]).toMatchObject({ path: '/api/v2/dashboards/import', body: { name: 'kira-imgproxy', team_name: 'kira', data: renderDashboardJson(builtInDashboards[0]!) } });
    expect(plan[2]).toMatchObject({ path: '/api/v2/explorations', description: `exploration for alert ${builtInAlerts[0]!.id}` });
    expect(plan[3]).toMatchObject({ path: `/api/v2/explorations/${EXPLORATION_ID}/alerts`, body: { ...renderAlertDefinition(builtInAlerts[0]!), team_name: 'kira' } });
    const text = formatPushPlan(plan, 'https://example.test/');
    expect(text).toContain('POST https://example.test/api/v2/dashboards/import\nAuthorization: Bearer ***');
    expect(text).toContain(`# ${plan.length}/${plan.length}: alert ${builtInAlerts.at(-1)!.id}`);
  });
});

describe('push against a local stand-in of the BetterStack API', () => {
  it('sends every request with the token and chains each alert to the exploration created before it', async () => {
    const result = await push({ token: 'secret-token', apiUrl: `${standIn.url}/` });
    const { requests } = standIn;
    expect(requests).toHaveLength(builtInDashboards.length + 2 * builtInAlerts.length);
    expect(requests.every((request) => request.method === 'POST' && request.authorization === 'Bearer secret-token')).toBe(true);
    expect(requests.slice(0, 2).map((request) => request.body.name)).toEqual(['kira-imgproxy', 'kira-be']);
    expect(requests[0]?.body.data.charts).toHaveLength(3);
    // exploration ids are 102, 104, …; each alert goes to the exploration created right before it
    builtInAlerts.forEach((alert, index) => {
      const exploration = requests[2 + 2 * index]!;
      const alertRequest = requests[3 + 2 * index]!;
      expect(exploration.path).toBe('/api/v2/explorations');
      expect(exploration.body.queries[0].sql_query).toContain('{{time}}');
      expect(alertRequest.path).toBe(`/api/v2/explorations/${102 + 2 * index}/alerts`);
      expect(alertRequest.body).toEqual(renderAlertDefinition(alert));
    });
    expect(result.created).toHaveLength(requests.length);
    expect(result.created[0]).toEqual({ description: 'dashboard kira-imgproxy', id: '100' });
  });

  it('stops at the first refused request with a PushError naming it', async () => {
    standIn.failPath = '/api/v2/explorations';
    const error = await push({ token: 'secret-token', apiUrl: standIn.url }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(PushError);
    expect((error as PushError).status).toBe(422);
    expect((error as PushError).completed).toBe(2);
    expect((error as PushError).message).toContain(`exploration for alert ${builtInAlerts[0]!.id}`);
    expect(standIn.requests).toHaveLength(3);

    const unauthorized = await push({ token: 'wrong', apiUrl: standIn.url }).catch((caught: unknown) => caught);
    expect((unauthorized as PushError).status).toBe(401);
  });

  it('reports an unreachable API as a PushError without a status', async () => {
    const url = standIn.url;
    await standIn.close();
    standIn = await startBetterStackStandIn('x');
    const error = await push({ token: 'secret-token', apiUrl: url }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(PushError);
    expect((error as PushError).status).toBeUndefined();
  });
});
