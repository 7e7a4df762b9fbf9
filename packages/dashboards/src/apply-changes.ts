import { ApplyError, BetterStackClient } from './betterstack-client';
import { expectFunction, expectModelOptions, readOption } from './expect-argument';
import { CREATED_EXPLORATION_ID, planChanges, type ApplyStep, type ChangePlan, type PlanOptions, type PlannedChange } from './plan-changes';

/** What {@link applyChanges} did. */
export interface ApplyResult {
  readonly plan: ChangePlan;
  /** Objects created (dashboards imported, explorations and alerts created), with their BetterStack id. */
  readonly created: readonly { readonly description: string; readonly id: string }[];
  readonly updated: readonly string[];
  readonly deleted: readonly string[];
  readonly unchanged: number;
}

export interface ApplyOptions extends PlanOptions {
  /** Called after each successful API call, e.g. to print progress. */
  readonly onStep?: (change: PlannedChange, step: ApplyStep, createdId: string | undefined) => void;
}

/**
 * Makes BetterStack match the code: plans (see {@link planChanges}), then runs each change's
 * steps in order. A dashboard update imports the new definition first and deletes the copies it
 * supersedes only after the import succeeded, so no managed dashboard is ever missing; alerts are
 * updated in place (PATCH). Stops at the first failure with an {@link ApplyError} naming the
 * object and the step; running again completes the work. A second run changes nothing.
 *
 * @example await applyChanges({ token: process.env.BETTERSTACK_API_TOKEN!, teamName: 'kira' })
 */
export async function applyChanges(options: ApplyOptions): Promise<ApplyResult> {
  const onStep = readOption('applyChanges', expectModelOptions('applyChanges', options, true), 'onStep');
  if (onStep !== undefined) expectFunction('applyChanges', onStep, 'options.onStep to be a function or undefined');
  const plan = await planChanges(options);
  const client = new BetterStackClient(options);
  const created: { description: string; id: string }[] = [];
  const updated: string[] = [];
  const deleted: string[] = [];
  let completed = 0;
  for (const change of plan.changes) {
    if (change.steps.length === 0) continue;
    const target = `${change.kind} ${change.id}`;
    let explorationId = '';
    for (const step of change.steps) {
      const path = step.path.replace(CREATED_EXPLORATION_ID, encodeURIComponent(explorationId));
      let response: { data?: { id?: string | number } } | undefined;
      try {
        response = await client.request(step.method, path, step.body, { step: step.step, target: `${change.action} ${target}` });
      } catch (error) {
        if (error instanceof ApplyError) error.completed = completed;
        throw error;
      }
      completed++;
      const id = response?.data?.id === undefined ? undefined : String(response.data.id);
      if (step.method === 'POST') {
        if (id === undefined) {
          throw Object.assign(new ApplyError(`${change.action} ${target} (${step.step}): the API answered without data.id`, undefined, step.step, target), { completed });
        }
        if (step.path === '/api/v2/explorations') explorationId = id;
        created.push({ description: `${target} (${step.step})`, id });
      } else if (step.method === 'DELETE') {
        deleted.push(`${target} (${step.step})`);
      } else {
        updated.push(`${target} (${step.step})`);
      }
      options.onStep?.(change, step, id);
    }
  }
  return { plan, created, updated, deleted, unchanged: plan.changes.filter((change) => change.action === 'unchanged').length };
}
