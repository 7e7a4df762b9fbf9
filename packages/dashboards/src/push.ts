import { applyChanges, type ApplyOptions, type ApplyResult } from './apply-changes';
import { ApplyError, DEFAULT_API_URL } from './betterstack-client';
import { builtInAlerts } from './built-in-alerts';
import { builtInDashboards } from './built-in-dashboards';
import { expectModelOptions, expectObjects, expectString } from './expect-argument';
import { alertCreateSteps, CREATED_EXPLORATION_ID, dashboardImportStep } from './plan-changes';
import type { Alert, Dashboard } from './types';

export { DEFAULT_API_URL };

/** Stands for the id returned by the previous request in a planned path. */
export const EXPLORATION_ID = CREATED_EXPLORATION_ID;

/** One API request that creates something. */
export interface PushRequest {
  readonly method: 'POST';
  /** Path below the API URL; may contain {@link EXPLORATION_ID}. */
  readonly path: string;
  readonly body: Record<string, unknown>;
  /** What the request creates, for people reading a dry run. */
  readonly description: string;
}

/** Options of {@link planPush}. */
export interface PushOptions {
  /** @example builtInDashboards */
  readonly dashboards?: readonly Dashboard[];
  /** @example builtInAlerts */
  readonly alerts?: readonly Alert[];
  /** Required by BetterStack with a global API token: the team that owns what is created. @example 'kira' */
  readonly teamName?: string;
}

/**
 * The requests that create everything in a team that holds none of it yet (what `apply` sends the
 * first time): one dashboard import per dashboard, then per alert its exploration and the alert on
 * it (`{exploration_id}` from the previous response). To compare with what the team holds, use
 * `planChanges`.
 */
export function planPush(options: PushOptions = {}): PushRequest[] {
  expectModelOptions('planPush', options, false);
  const team = options.teamName === undefined ? {} : { team_name: options.teamName };
  const requests: PushRequest[] = [];
  for (const dashboard of options.dashboards ?? builtInDashboards) {
    const step = dashboardImportStep(dashboard, team);
    requests.push({ method: 'POST', path: step.path, body: step.body, description: `dashboard ${dashboard.id}` });
  }
  for (const alert of options.alerts ?? builtInAlerts) {
    const [exploration, definition] = alertCreateSteps(alert, team);
    requests.push({ method: 'POST', path: exploration!.path, body: exploration!.body!, description: `exploration for alert ${alert.id}` });
    requests.push({ method: 'POST', path: definition!.path, body: definition!.body!, description: `alert ${alert.id}` });
  }
  return requests;
}

/** Human-readable requests: each as method, URL, headers (token hidden) and JSON body. */
export function formatPushPlan(requests: readonly PushRequest[], apiUrl: string = DEFAULT_API_URL): string {
  expectObjects('formatPushPlan', requests, 'requests', 'an array of requests from planPush');
  const base = expectString('formatPushPlan', apiUrl, 'apiUrl to be a string or undefined').replace(/\/+$/, '');
  return requests
    .map(
      (request, index) =>
        `# ${index + 1}/${requests.length}: ${request.description}\n${request.method} ${base}${request.path}\nAuthorization: Bearer ***\nContent-Type: application/json\n\n${JSON.stringify(request.body, null, 2)}\n`,
    )
    .join('\n');
}

/** @deprecated The name of {@link ApplyError} before `apply`; the same class. */
export const PushError = ApplyError;
/** @deprecated Use {@link ApplyError}. */
export type PushError = ApplyError;

/** @deprecated Use {@link ApplyResult}. */
export type PushResult = ApplyResult;

/**
 * Alias of `applyChanges` kept for existing users: makes BetterStack match the code and is
 * idempotent (it no longer creates a second copy on each run).
 *
 * @example await push({ token: process.env.BETTERSTACK_API_TOKEN! })
 */
export function push(options: ApplyOptions): Promise<ApplyResult> {
  return applyChanges(options);
}
