import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ApplyError } from './betterstack-client';
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
  it('lists the creating requests: one import per dashboard, then exploration + alert per alert, under managed names', () => {
    const plan = planPush({ teamName: 'kira' });
    expect(plan).toHaveLength(builtInDashboards.length + 2 * builtInAlerts.length);
    expect(plan[0]).toMatchObject({ path: '/api/v2/dashboards/import', body: { name: 'kira-imgproxy [kira-dashboards:kira-imgproxy]', team_name: 'kira', data: renderDashboardJson(builtInDashboards[0]!) } });
    expect(plan[2]).toMatchObject({ path: '/api/v2/explorations', description: `exploration for alert ${builtInAlerts[0]!.id}` });
    expect(plan[2]!.body.name).toBe(`[alert] ${builtInAlerts[0]!.name} [kira-dashboards:alert/${builtInAlerts[0]!.id}]`);
    expect(plan[3]).toMatchObject({ path: `/api/v2/explorations/${EXPLORATION_ID}/alerts`, body: { ...renderAlertDefinition(builtInAlerts[0]!), team_name: 'kira' } });
    const text = formatPushPlan(plan, 'https://example.test/');
    expect(text).toContain('POST https://example.test/api/v2/dashboards/import\nAuthorization: Bearer ***');
    expect(text).toContain(`# ${plan.length}/${plan.length}: alert ${builtInAlerts.at(-1)!.id}`);
  });
});

describe('push (alias of applyChanges)', () => {
  it('creates once: pushing twice leaves one copy of each dashboard', async () => {
    const first = await push({ token: 'secret-token', apiUrl: `${standIn.url}/` });
    expect(first.created).toHaveLength(builtInDashboards.length + 2 * builtInAlerts.length);
    const second = await push({ token: 'secret-token', apiUrl: standIn.url });
    expect(second.created).toHaveLength(0);
    expect(standIn.dashboards.size).toBe(builtInDashboards.length);
    expect(standIn.explorations.size).toBe(builtInAlerts.length);
  });

  it('PushError is ApplyError, so existing catch blocks keep working', async () => {
    const error = await push({ token: 'wrong', apiUrl: standIn.url }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(PushError);
    expect(error).toBeInstanceOf(ApplyError);
    expect((error as ApplyError).status).toBe(401);
  });
});
