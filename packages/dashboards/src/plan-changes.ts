import { BetterStackClient, type BetterStackApiOptions, type ListedResource } from './betterstack-client';
import { builtInAlerts } from './built-in-alerts';
import { builtInDashboards } from './built-in-dashboards';
import { expectModelOptions, expectPlan } from './expect-argument';
import { managedAlertExplorationName, managedDashboardName, parseManagedName } from './managed-name';
import { renderAlertDefinition, renderAlertExploration, renderDashboardJson, type BetterStackAlertDefinition, type BetterStackDashboardJson } from './render-betterstack';
import type { Alert, Dashboard } from './types';

/** Stands for the id of the exploration created by the previous step of the same change. */
export const CREATED_EXPLORATION_ID = '{exploration_id}';

/** What {@link planChanges} compares the BetterStack team with. */
export interface PlanOptions extends BetterStackApiOptions {
  /** @example builtInDashboards */
  readonly dashboards?: readonly Dashboard[];
  /** @example builtInAlerts */
  readonly alerts?: readonly Alert[];
  /**
   * With a global API token: the team that owns what is created; objects of other teams are then
   * left alone. @example 'kira'
   */
  readonly teamName?: string;
}

/** One API call of a change; `path` may hold {@link CREATED_EXPLORATION_ID}. */
export interface ApplyStep {
  readonly method: 'POST' | 'PATCH' | 'DELETE';
  readonly path: string;
  readonly body?: Record<string, unknown>;
  /** For people reading output: `import`, `delete superseded copy 104`, `update alert`… */
  readonly step: string;
}

/**
 * `create`: in the code, not in BetterStack. `update`: both, but different (or with superseded
 * copies). `unchanged`: identical in everything the package manages. `extra`: carries the
 * package's key but is no longer in the code — apply deletes it.
 */
export type ChangeAction = 'create' | 'update' | 'unchanged' | 'extra';

export interface PlannedChange {
  readonly kind: 'dashboard' | 'alert';
  /** The model id (the stable key). */
  readonly id: string;
  readonly action: ChangeAction;
  /** Readable differences, one per line (`~ value: 0.8 → 0.9`, `+ chart "…"`, `- query …`). */
  readonly details: readonly string[];
  /** The calls apply makes, in order; imports always come before deletes. */
  readonly steps: readonly ApplyStep[];
}

export interface ChangePlan {
  readonly apiUrl: string;
  readonly changes: readonly PlannedChange[];
  /** Objects without the package's key: never read further, never changed. */
  readonly unmanaged: { readonly dashboards: number; readonly explorations: number };
  /** What the plan cannot manage through the API, said instead of silently skipped. */
  readonly notes: readonly string[];
}

/** Alert settings the model has no words for; apply neither sets nor changes them. */
const UNMANAGED_ALERT_FIELDS = ['escalation_target', 'call', 'sms', 'email', 'push', 'paused'];

export const PLAN_NOTES: readonly string[] = [
  `Alert notification channels (${UNMANAGED_ALERT_FIELDS.join(', ')}) are not part of the model: apply never sets or changes them. Set them in BetterStack (or an escalation policy); the team's defaults apply to new alerts.`,
  'Dashboards: the import API documents no way to bind the {{source}} variable to a source. Pick the metrics source in BetterStack after a dashboard is created or updated (an update re-imports it, so a source picked by hand must be picked again).',
  "Dashboard alerts (charts' chart_alerts) are not used: every alert is an exploration with one alert, compared and updated in place.",
];

/** Whether applying the plan would change anything. */
export function planHasChanges(plan: ChangePlan): boolean {
  return expectPlan('planHasChanges', plan).changes.some((change) => change.action !== 'unchanged');
}

/** The import of a dashboard under its managed name. */
export function dashboardImportStep(dashboard: Dashboard, team: { team_name?: string }): ApplyStep & { body: { name: string; data: BetterStackDashboardJson } } {
  return { method: 'POST', path: '/api/v2/dashboards/import', body: { name: managedDashboardName(dashboard.id, dashboard.title), data: renderDashboardJson(dashboard), ...team }, step: 'import' };
}

/** A new alert: its exploration (managed name, the alert's query), then the alert on it. */
export function alertCreateSteps(alert: Alert, team: { team_name?: string }, explorationPath: string = CREATED_EXPLORATION_ID): ApplyStep[] {
  return [
    { method: 'POST', path: '/api/v2/explorations', body: { ...renderAlertExploration(alert), name: managedAlertExplorationName(alert.id, alert.name), ...team }, step: 'create exploration' },
    { method: 'POST', path: `/api/v2/explorations/${explorationPath}/alerts`, body: { ...renderAlertDefinition(alert), ...team }, step: 'create alert' },
  ];
}

// BetterStack writes `created_at` as an ISO 8601 string, so text order is time order.
const createdAt = (item: ListedResource) => (typeof item.attributes.created_at === 'string' ? item.attributes.created_at : '');
const newestFirst = (a: ListedResource, b: ListedResource) =>
  createdAt(b).localeCompare(createdAt(a)) || Number(b.id) - Number(a.id) || b.id.localeCompare(a.id);

function groupManaged(items: readonly ListedResource[], kind: 'dashboard' | 'alert', teamName: string | undefined) {
  const groups = new Map<string, ListedResource[]>();
  let unmanaged = 0;
  for (const item of items) {
    const key = parseManagedName(item.attributes.name);
    const team = item.attributes.team_name;
    if (!key || key.kind !== kind || (teamName !== undefined && typeof team === 'string' && team !== teamName)) {
      if (!key) unmanaged++;
      continue;
    }
    groups.set(key.id, [...(groups.get(key.id) ?? []), item]);
  }
  for (const copies of groups.values()) copies.sort(newestFirst);
  return { groups, unmanaged };
}

/**
 * Reads what the team's BetterStack holds (dashboards and explorations, all pages) and compares
 * the objects carrying the package's key with the code. Reads only; see {@link applyChanges}.
 *
 * @example const plan = await planChanges({ token: process.env.BETTERSTACK_API_TOKEN! }); console.log(formatPlan(plan));
 */
export async function planChanges(options: PlanOptions): Promise<ChangePlan> {
  expectModelOptions('planChanges', options, true);
  const client = new BetterStackClient(options);
  const dashboards = options.dashboards ?? builtInDashboards;
  const alerts = options.alerts ?? builtInAlerts;
  checkKeys('dashboard', dashboards, (id) => managedDashboardName(id, ''));
  checkKeys('alert', alerts, (id) => managedAlertExplorationName(id, ''));
  const team = options.teamName === undefined ? {} : { team_name: options.teamName };
  const changes: PlannedChange[] = [];

  const listedDashboards = await client.list('/api/v2/dashboards', { step: 'list', target: 'dashboards' });
  const managedDashboards = groupManaged(listedDashboards, 'dashboard', options.teamName);
  for (const dashboard of dashboards) {
    const target = `dashboard ${dashboard.id}`;
    const importStep = dashboardImportStep(dashboard, team);
    const desired = importStep.body;
    const copies = managedDashboards.groups.get(dashboard.id) ?? [];
    if (copies.length === 0) {
      changes.push({ kind: 'dashboard', id: dashboard.id, action: 'create', details: [`+ ${desired.data.charts.length} charts`], steps: [importStep] });
      continue;
    }
    const [newest, ...older] = copies as [ListedResource, ...ListedResource[]];
    const exported = await client.request<{ name?: string; data?: Record<string, unknown> }>('GET', `/api/v2/dashboards/${encodeURIComponent(newest.id)}/export`, undefined, { step: 'export', target });
    const details = diffDashboard(desired, { name: exported?.name ?? String(newest.attributes.name), data: exported?.data ?? {} });
    const deleteCopies = (list: readonly ListedResource[]): ApplyStep[] =>
      list.map((copy) => ({ method: 'DELETE', path: `/api/v2/dashboards/${encodeURIComponent(copy.id)}`, step: `delete superseded copy ${copy.id}` }));
    if (details.length > 0) {
      changes.push({ kind: 'dashboard', id: dashboard.id, action: 'update', details, steps: [importStep, ...deleteCopies(copies)] });
    } else if (older.length > 0) {
      changes.push({ kind: 'dashboard', id: dashboard.id, action: 'update', details: [`- ${older.length} superseded ${older.length === 1 ? 'copy' : 'copies'} (BetterStack id ${older.map((c) => c.id).join(', ')})`], steps: deleteCopies(older) });
    } else {
      changes.push({ kind: 'dashboard', id: dashboard.id, action: 'unchanged', details: [], steps: [] });
    }
  }
  changes.push(...extraChanges('dashboard', managedDashboards.groups, dashboards));

  const listedExplorations = await client.list('/api/v2/explorations', { step: 'list', target: 'explorations' });
  const managedExplorations = groupManaged(listedExplorations, 'alert', options.teamName);
  for (const alert of alerts) {
    changes.push(await planAlert(client, alert, managedExplorations.groups.get(alert.id) ?? [], team));
  }
  changes.push(...extraChanges('alert', managedExplorations.groups, alerts));

  return {
    apiUrl: client.base,
    changes,
    unmanaged: { dashboards: managedDashboards.unmanaged, explorations: managedExplorations.unmanaged },
    notes: PLAN_NOTES,
  };
}

/** An id that does not survive the round trip through a managed name would be created again on every apply. */
function checkKeys(kind: 'dashboard' | 'alert', items: readonly { id: string }[], name: (id: string) => string): void {
  const seen = new Set<string>();
  for (const { id } of items) {
    if (parseManagedName(name(id))?.id !== id) throw new TypeError(`${kind} id ${JSON.stringify(id)} cannot be a key: use letters, digits, - and _ (no spaces or brackets)`);
    if (seen.has(id)) throw new TypeError(`two ${kind}s have the id ${JSON.stringify(id)}; ids are the keys that match BetterStack objects`);
    seen.add(id);
  }
}

/** Managed objects whose key is no longer in the code: apply deletes every copy (an exploration with its alerts). */
function extraChanges(kind: 'dashboard' | 'alert', groups: ReadonlyMap<string, ListedResource[]>, inCode: readonly { id: string }[]): PlannedChange[] {
  const wanted = new Set(inCode.map((item) => item.id));
  const collection = kind === 'dashboard' ? 'dashboards' : 'explorations';
  return [...groups]
    .filter(([id]) => !wanted.has(id))
    .map(([id, copies]) => ({
      kind,
      id,
      action: 'extra',
      details: [`- "${String(copies[0]!.attributes.name)}" (BetterStack ${collection} ${copies.map((c) => c.id).join(', ')}): not in the code any more`],
      steps: copies.map((copy): ApplyStep => ({ method: 'DELETE', path: `/api/v2/${collection}/${encodeURIComponent(copy.id)}`, step: `delete ${copy.id}` })),
    }));
}

async function planAlert(client: BetterStackClient, alert: Alert, copies: readonly ListedResource[], team: { team_name?: string }): Promise<PlannedChange> {
  const target = `alert ${alert.id}`;
  const exploration = { ...renderAlertExploration(alert), name: managedAlertExplorationName(alert.id, alert.name) };
  const definition = renderAlertDefinition(alert);
  const createAlert = (explorationPath: string): ApplyStep => alertCreateSteps(alert, team, explorationPath)[1]!;
  if (copies.length === 0) {
    return {
      kind: 'alert',
      id: alert.id,
      action: 'create',
      details: [`+ ${definition.operator} ${definition.value}, confirmation ${definition.confirmation_period} s`],
      steps: alertCreateSteps(alert, team, CREATED_EXPLORATION_ID),
    };
  }
  // Prefer the newest copy that already holds the alert: a run that stopped between creating an
  // exploration and its alert left an empty one behind.
  const withAlerts = await Promise.all(
    copies.map(async (copy) => {
      const found = await client.request<{ data?: { id: string | number; attributes?: { metadata?: { alert_id?: unknown } } & Record<string, unknown> }[] }>('GET', `/api/v2/explorations/${encodeURIComponent(copy.id)}/alerts`, undefined, { step: 'list alerts', target });
      const listed = found?.data ?? [];
      const managed = listed.find((item) => item.attributes?.metadata?.alert_id === alert.id) ?? (listed.length === 1 ? listed[0] : undefined);
      return { copy, managed };
    }),
  );
  const primary = withAlerts.find((entry) => entry.managed !== undefined) ?? withAlerts[0]!;
  const superseded = copies.filter((copy) => copy !== primary.copy);
  const explorationPath = encodeURIComponent(primary.copy.id);
  const current = await client.request<{ data?: { attributes?: ExplorationAttributes } }>('GET', `/api/v2/explorations/${explorationPath}`, undefined, { step: 'read exploration', target });
  const attributes = current?.data?.attributes ?? {};

  const details: string[] = [];
  const steps: ApplyStep[] = [];
  const explorationPatch: Record<string, unknown> = {};
  if (attributes.name !== exploration.name) {
    details.push(`~ name: ${JSON.stringify(attributes.name)} → ${JSON.stringify(exploration.name)}`);
    explorationPatch.name = exploration.name;
  }
  const currentSql: string[] = (attributes.queries ?? []).map((query) => query.sql_query ?? '');
  const desiredSql = exploration.queries.map((query) => query.sql_query);
  if (!sameSql(currentSql, desiredSql)) {
    details.push(...sqlDiff('query', currentSql, desiredSql));
    explorationPatch.queries = exploration.queries;
  }
  if (attributes.chart?.chart_type !== exploration.chart.chart_type) {
    details.push(`~ chart_type: ${JSON.stringify(attributes.chart?.chart_type)} → ${JSON.stringify(exploration.chart.chart_type)}`);
    explorationPatch.chart = exploration.chart;
  }
  if (Object.keys(explorationPatch).length > 0) steps.push({ method: 'PATCH', path: `/api/v2/explorations/${explorationPath}`, body: explorationPatch, step: 'update exploration' });

  const managed = primary.managed;
  if (!managed) {
    details.push(`+ alert (the exploration has none): ${definition.operator} ${definition.value}`);
    steps.push(createAlert(explorationPath));
  } else {
    const existing: Record<string, unknown> = managed.attributes ?? {};
    const alertPatch: Record<string, unknown> = {};
    for (const field of Object.keys(definition) as (keyof BetterStackAlertDefinition)[]) {
      if (!sameValue(existing[field], definition[field])) {
        details.push(`~ ${field === 'value' ? 'value (threshold)' : field}: ${JSON.stringify(existing[field])} → ${JSON.stringify(definition[field])}`);
        alertPatch[field] = definition[field];
      }
    }
    const alertPath = `/api/v2/explorations/${explorationPath}/alerts/${encodeURIComponent(String(managed.id))}`;
    if ('alert_type' in alertPatch) {
      // BetterStack cannot change alert_type in place: create the new alert, then delete the old one.
      steps.push(createAlert(explorationPath), { method: 'DELETE', path: alertPath, step: 'delete replaced alert' });
    } else if (Object.keys(alertPatch).length > 0) {
      steps.push({ method: 'PATCH', path: alertPath, body: alertPatch, step: 'update alert' });
    }
  }
  if (superseded.length > 0) {
    details.push(`- ${superseded.length} superseded exploration${superseded.length === 1 ? '' : 's'} (${superseded.map((c) => c.id).join(', ')})`);
    steps.push(...superseded.map((copy): ApplyStep => ({ method: 'DELETE', path: `/api/v2/explorations/${encodeURIComponent(copy.id)}`, step: `delete superseded exploration ${copy.id}` })));
  }
  return { kind: 'alert', id: alert.id, action: steps.length === 0 ? 'unchanged' : 'update', details, steps };
}

const collapse = (sql: string) => sql.replace(/\s+/g, ' ').trim();
const sameSql = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((sql, index) => collapse(sql) === collapse(b[index]!));

function sqlDiff(label: string, current: readonly string[], desired: readonly string[]): string[] {
  const lines = [`~ ${label}:`];
  for (let index = 0; index < Math.max(current.length, desired.length); index++) {
    const before = current[index];
    const after = desired[index];
    if (before !== undefined && after !== undefined && collapse(before) === collapse(after)) continue;
    if (before !== undefined) lines.push(`    - ${collapse(before)}`);
    if (after !== undefined) lines.push(`    + ${collapse(after)}`);
  }
  return lines;
}

function sameValue(a: unknown, b: unknown): boolean {
  if (typeof a === 'number' || typeof b === 'number') return Number(a) === Number(b);
  return JSON.stringify(sortKeys(a)) === JSON.stringify(sortKeys(b));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') return Object.fromEntries(Object.keys(value).sort().map((key) => [key, sortKeys((value as Record<string, unknown>)[key])]));
  return value;
}

/** An exploration as BetterStack's GET /api/v2/explorations/{id} returns it: only what the plan compares. */
interface ExplorationAttributes {
  name?: unknown;
  queries?: { sql_query?: string }[];
  chart?: { chart_type?: unknown };
}

type ChartLike = { name?: string; description?: string | null; chart_type?: string; x?: number; y?: number; w?: number; h?: number; settings?: { unit?: string }; chart_queries?: { sql_query?: string }[] };

/** Differences in what the package manages; fields BetterStack adds on export are ignored. */
function diffDashboard(desired: { name: string; data: BetterStackDashboardJson }, current: { name: string; data: Record<string, unknown> }): string[] {
  const lines: string[] = [];
  if (current.name !== desired.name) lines.push(`~ name: ${JSON.stringify(current.name)} → ${JSON.stringify(desired.name)}`);
  for (const key of ['refresh_interval', 'date_range_from', 'date_range_to'] as const) {
    if (!sameValue(current.data[key], desired.data[key])) lines.push(`~ ${key}: ${JSON.stringify(current.data[key])} → ${JSON.stringify(desired.data[key])}`);
  }
  const sectionNames = (sections: unknown) => (Array.isArray(sections) ? sections.map((section: { name?: string }) => section.name) : []);
  if (!sameValue(sectionNames(current.data.sections), sectionNames(desired.data.sections))) {
    lines.push(`~ sections: ${JSON.stringify(sectionNames(current.data.sections))} → ${JSON.stringify(sectionNames(desired.data.sections))}`);
  }
  // An exported dashboard's charts, in the documented shape; fields that are missing compare as changed.
  const currentCharts: ChartLike[] = Array.isArray(current.data.charts) ? [...(current.data.charts as ChartLike[])] : [];
  for (const chart of desired.data.charts) {
    // Charts are matched by the `dashboard/panel` key kept in their description, then by name.
    const index = currentCharts.findIndex((candidate) => candidate.description === chart.description);
    const found = index >= 0 ? index : currentCharts.findIndex((candidate) => candidate.name === chart.name);
    const label = `chart ${chart.description} ${JSON.stringify(chart.name)}`;
    if (found < 0) {
      lines.push(`+ ${label}`);
      continue;
    }
    const [existing] = currentCharts.splice(found, 1) as [ChartLike];
    const changed: string[] = [];
    if (existing.name !== chart.name) changed.push(`name ${JSON.stringify(existing.name)} → ${JSON.stringify(chart.name)}`);
    if (existing.chart_type !== chart.chart_type) changed.push(`chart_type ${JSON.stringify(existing.chart_type)} → ${JSON.stringify(chart.chart_type)}`);
    const place = (c: ChartLike) => `x ${c.x} y ${c.y} w ${c.w} h ${c.h}`;
    if (place(existing) !== place(chart)) changed.push(`position ${place(existing)} → ${place(chart)}`);
    if (existing.settings?.unit !== chart.settings.unit) changed.push(`unit ${JSON.stringify(existing.settings?.unit)} → ${JSON.stringify(chart.settings.unit)}`);
    if (changed.length > 0) lines.push(`~ ${label}: ${changed.join(', ')}`);
    const existingSql = (existing.chart_queries ?? []).map((query) => query.sql_query ?? '');
    const desiredSql = chart.chart_queries.map((query) => query.sql_query);
    if (!sameSql(existingSql, desiredSql)) lines.push(...sqlDiff(`${label} query`, existingSql, desiredSql));
  }
  for (const extra of currentCharts) lines.push(`- chart ${JSON.stringify(extra.name)}: in BetterStack, not in the code`);
  return lines;
}

const ORDER: Record<ChangeAction, number> = { create: 0, update: 1, extra: 2, unchanged: 3 };
const SIGN: Record<ChangeAction, string> = { create: '+', update: '~', extra: '-', unchanged: '=' };

/** The plan as people read it: one line per dashboard and alert, the differences under it, a summary, the notes. */
export function formatPlan(plan: ChangePlan): string {
  expectPlan('formatPlan', plan);
  const out: string[] = [];
  const sorted = [...plan.changes].sort((a, b) => ORDER[a.action] - ORDER[b.action]);
  for (const change of sorted) {
    out.push(`${SIGN[change.action]} ${change.action.padEnd(9)} ${change.kind} ${change.id}`);
    for (const line of change.details) out.push(`    ${line}`);
  }
  const count = (action: ChangeAction) => plan.changes.filter((change) => change.action === action).length;
  out.push('');
  out.push(
    `plan: ${count('create')} to create, ${count('update')} to update, ${count('extra')} extra (deleted by apply), ${count('unchanged')} unchanged; ` +
      `${plan.unmanaged.dashboards} dashboards and ${plan.unmanaged.explorations} explorations not managed by kira-dashboards are left alone (${plan.apiUrl})`,
  );
  out.push(planHasChanges(plan) ? 'apply would change BetterStack.' : 'No changes: BetterStack matches the code.');
  out.push('');
  for (const note of plan.notes) out.push(`note: ${note}`);
  return `${out.join('\n')}\n`;
}
