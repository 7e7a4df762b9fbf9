import { builtInAlerts } from './built-in-alerts';
import { builtInDashboards } from './built-in-dashboards';
import { renderAlertDefinition, renderAlertExploration, renderDashboardJson } from './render-betterstack';
import type { Alert, Dashboard } from './types';

/** BetterStack Telemetry API base URL. */
export const DEFAULT_API_URL = 'https://telemetry.betterstack.com';

/** Stands for the id returned by the previous request in a planned path. */
export const EXPLORATION_ID = '{exploration_id}';

/** One API request of a push. */
export interface PushRequest {
  readonly method: 'POST';
  /** Path below the API URL; may contain {@link EXPLORATION_ID}. */
  readonly path: string;
  readonly body: Record<string, unknown>;
  /** What the request creates, for people reading a dry run. */
  readonly description: string;
}

/** Options of {@link planPush} and {@link push}. */
export interface PushOptions {
  /** @example builtInDashboards */
  readonly dashboards?: readonly Dashboard[];
  /** @example builtInAlerts */
  readonly alerts?: readonly Alert[];
  /** Required by BetterStack with a global API token: the team that owns what is created. @example 'kira' */
  readonly teamName?: string;
}

/**
 * The requests a push makes, in order: one dashboard import per dashboard
 * (`POST /api/v2/dashboards/import`), then per alert an exploration holding the alert's
 * per-minute query (`POST /api/v2/explorations`) and the alert on it
 * (`POST /api/v2/explorations/{exploration_id}/alerts`, id from the previous response).
 */
export function planPush(options: PushOptions = {}): PushRequest[] {
  const team = options.teamName === undefined ? {} : { team_name: options.teamName };
  const requests: PushRequest[] = [];
  for (const dashboard of options.dashboards ?? builtInDashboards) {
    requests.push({
      method: 'POST',
      path: '/api/v2/dashboards/import',
      body: { name: dashboard.title, data: renderDashboardJson(dashboard), ...team },
      description: `dashboard ${dashboard.id}`,
    });
  }
  for (const alert of options.alerts ?? builtInAlerts) {
    requests.push({ method: 'POST', path: '/api/v2/explorations', body: { ...renderAlertExploration(alert), ...team }, description: `exploration for alert ${alert.id}` });
    requests.push({
      method: 'POST',
      path: `/api/v2/explorations/${EXPLORATION_ID}/alerts`,
      body: { ...renderAlertDefinition(alert), ...team },
      description: `alert ${alert.id}`,
    });
  }
  return requests;
}

/** Human-readable dry run: each request as method, URL, headers (token hidden) and JSON body. */
export function formatPushPlan(requests: readonly PushRequest[], apiUrl: string = DEFAULT_API_URL): string {
  const base = apiUrl.replace(/\/+$/, '');
  return requests
    .map(
      (request, index) =>
        `# ${index + 1}/${requests.length}: ${request.description}\n${request.method} ${base}${request.path}\nAuthorization: Bearer ***\nContent-Type: application/json\n\n${JSON.stringify(request.body, null, 2)}\n`,
    )
    .join('\n');
}

/** A push request BetterStack (or the network) refused; nothing after it was sent. */
export class PushError extends Error {
  override readonly name = 'PushError';
  constructor(
    message: string,
    readonly status: number | undefined,
    readonly request: PushRequest,
    /** Requests that succeeded before this one. */
    readonly completed: number,
  ) {
    super(message);
  }
}

export interface PushResult {
  readonly created: readonly { readonly description: string; readonly id: string }[];
}

/**
 * Sends the planned requests with `Authorization: Bearer <token>`, in order, and stops at the
 * first failure (throws {@link PushError}). Every push creates new objects: BetterStack's import
 * API has no upsert, so remove the previous dashboards/explorations before pushing again.
 *
 * @example await push({ token: process.env.BETTERSTACK_API_TOKEN!, apiUrl: 'https://telemetry.betterstack.com' })
 */
export async function push(options: PushOptions & { readonly token: string; readonly apiUrl?: string; readonly onRequest?: (request: PushRequest, id: string) => void }): Promise<PushResult> {
  if (options.token === '') throw new TypeError('push needs an API token');
  const base = (options.apiUrl ?? DEFAULT_API_URL).replace(/\/+$/, '');
  const created: { description: string; id: string }[] = [];
  let explorationId = '';
  for (const request of planPush(options)) {
    const path = request.path.replace(EXPLORATION_ID, encodeURIComponent(explorationId));
    let response: Response;
    try {
      response = await fetch(`${base}${path}`, {
        method: request.method,
        headers: { authorization: `Bearer ${options.token}`, 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify(request.body),
      });
    } catch (error) {
      throw new PushError(`${request.description}: ${request.method} ${base}${path} failed: ${error instanceof Error ? error.message : String(error)}`, undefined, request, created.length);
    }
    const text = await response.text();
    if (!response.ok) {
      throw new PushError(`${request.description}: ${request.method} ${base}${path} answered ${response.status}: ${text.slice(0, 500)}`, response.status, request, created.length);
    }
    let id = '';
    try {
      const parsed = JSON.parse(text) as { data?: { id?: string | number } };
      id = parsed.data?.id === undefined ? '' : String(parsed.data.id);
    } catch {
      // An unparsable success body only matters when a later request needs the id.
    }
    if (request.path === '/api/v2/explorations') {
      if (id === '') throw new PushError(`${request.description}: the response carries no data.id`, response.status, request, created.length);
      explorationId = id;
    }
    created.push({ description: request.description, id });
    options.onRequest?.(request, id);
  }
  return { created };
}
