import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { builtInAlerts } from './built-in-alerts';
import { builtInDashboards } from './built-in-dashboards';
import { UnsupportedDialectError } from './model-validation-error';
import { applyChanges } from './apply-changes';
import { ApplyError, DEFAULT_API_URL } from './betterstack-client';
import { formatPlan, planChanges, planHasChanges } from './plan-changes';
import { ChdbMissingError, openQuerySession } from './query-session';
import { renderAlertDefinition, renderAlertExploration, renderDashboardJson } from './render-betterstack';
import { renderAlertSql, renderPanelSql } from './render-sql';
import { runScenarios } from './run-scenarios';
import { validateAlerts, validateDashboard } from './validate-model';
import { validateQueries } from './validate-queries';

export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  /** Directory of the package's own scenarios (default: `../scenarios` next to the built file). */
  readonly builtInScenarios?: string;
}

const USAGE = `Usage: kira-dashboards <command> [options]

Commands:
  render sql [--dialect unified|legacy] [--dashboard <id>]
                      BetterStack SQL of every panel and alert (with {{placeholders}})
  render json [--dashboard <id>]
                      BetterStack dashboard import JSON and alert definitions
  validate            check the model, then run every query against embedded ClickHouse
                      (chdb) with the unified schema and seeded data
  test [dir]          run alert scenario files (*.json; default ./scenarios, else the built-in ones)
  plan [--token <t>] [--api-url <url>] [--team-name <name>]
                      compare the code with the team's BetterStack: create / update /
                      unchanged / extra per dashboard and alert, with the differences;
                      exit 0 when nothing would change, 2 when something would
  apply [--dry-run] [--token <t>] [--api-url <url>] [--team-name <name>]
                      make BetterStack match the code (idempotent); --dry-run = plan
  push                alias of apply
                      (the token also comes from BETTERSTACK_API_TOKEN; it is never printed)
`;

function selectDashboards(id: string | undefined) {
  if (id === undefined) return builtInDashboards;
  const found = builtInDashboards.filter((dashboard) => dashboard.id === id);
  if (found.length === 0) throw new UsageError(`unknown dashboard "${id}" (known: ${builtInDashboards.map((d) => d.id).join(', ')})`);
  return found;
}

class UsageError extends Error {}

function render(args: string[], io: CliIo): number {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { dialect: { type: 'string', default: 'unified' }, dashboard: { type: 'string' } },
  });
  const what = positionals[0];
  const dialect = values.dialect;
  if (dialect !== 'unified' && dialect !== 'legacy') throw new UsageError(`--dialect must be unified or legacy, got "${dialect}"`);
  const dashboards = selectDashboards(values.dashboard);
  const alerts = values.dashboard === undefined ? builtInAlerts : builtInAlerts.filter((alert) => dashboards.some((d) => d.service === alert.service));
  if (what === 'sql') {
    const parts: string[] = [];
    const add = (title: string, sql: () => string): void => {
      try {
        parts.push(`-- ${title}\n${sql()};\n`);
      } catch (error) {
        if (!(error instanceof UnsupportedDialectError)) throw error;
        parts.push(`-- ${title}: no ${dialect} form (${error.message})\n`);
      }
    };
    for (const dashboard of dashboards) {
      for (const panel of dashboard.panels) add(`${dashboard.id}/${panel.id}: ${panel.title}`, () => renderPanelSql(panel, { dialect }));
    }
    for (const alert of alerts) add(`alert/${alert.id}: ${alert.name}`, () => renderAlertSql(alert, { dialect }));
    io.stdout(parts.join('\n'));
    return 0;
  }
  if (what === 'json') {
    const output = {
      dashboards: dashboards.map((dashboard) => ({ id: dashboard.id, json: renderDashboardJson(dashboard) })),
      alerts: alerts.map((alert) => ({ id: alert.id, exploration: renderAlertExploration(alert), definition: renderAlertDefinition(alert) })),
    };
    io.stdout(`${JSON.stringify(output, null, 2)}\n`);
    return 0;
  }
  throw new UsageError('render needs "sql" or "json"');
}

async function validate(io: CliIo): Promise<number> {
  const modelErrors = [...builtInDashboards.flatMap((dashboard) => validateDashboard(dashboard)), ...validateAlerts(builtInAlerts)];
  for (const error of modelErrors) io.stderr(`✗ model ${error.message}\n`);
  let session;
  try {
    session = await openQuerySession();
  } catch (error) {
    if (error instanceof ChdbMissingError) {
      io.stderr(`${error.message}\n`);
      return 2;
    }
    throw error;
  }
  try {
    const checks = validateQueries(session);
    for (const check of checks) {
      io.stdout(check.ok ? `✓ ${check.target} [${check.dialect}] ${check.rows} rows (${check.columns.map((c) => `${c.name} ${c.type}`).join(', ')})\n` : `✗ ${check.target} [${check.dialect}] ${check.message}\n`);
    }
    const failed = checks.filter((check) => !check.ok).length + modelErrors.length;
    io.stdout(`${checks.length - checks.filter((check) => !check.ok).length}/${checks.length} queries ok, ${modelErrors.length} model errors\n`);
    return failed === 0 ? 0 : 1;
  } finally {
    session.close();
  }
}

function test(args: string[], io: CliIo): number {
  const { positionals } = parseArgs({ args, allowPositionals: true, options: {} });
  let dir = positionals[0] === undefined ? undefined : resolve(io.cwd, positionals[0]);
  if (dir === undefined) {
    const local = resolve(io.cwd, 'scenarios');
    dir = existsSync(local) ? local : io.builtInScenarios;
  }
  if (dir === undefined || !existsSync(dir)) throw new UsageError(`no scenario directory ${dir ?? ''}`);
  const report = runScenarios(dir);
  for (const error of report.errors) io.stdout(`✗ ${error.file}: ${error.message}\n`);
  for (const result of report.results) {
    io.stdout(result.passed ? `✓ ${result.file} ${result.alertId} fired [${result.actual.fired.join(', ')}] resolved [${result.actual.resolved.join(', ')}]\n` : `✗ ${result.file} ${result.alertId}: ${result.message}\n`);
  }
  const passed = report.results.filter((result) => result.passed).length;
  io.stdout(`${passed} passed, ${report.results.length - passed + report.errors.length} failed (${report.files.length} files in ${dir})\n`);
  return report.passed ? 0 : 1;
}

/**
 * `plan` (and `apply --dry-run`, `push --dry-run`): exit 0 when BetterStack matches the code, 2
 * when apply would change something, 1 when the API could not be read.
 * `apply` (and its alias `push`): exit 0 when BetterStack matches the code afterwards, 1 on failure.
 */
async function planOrApply(command: 'plan' | 'apply', args: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { 'dry-run': { type: 'boolean', default: false }, token: { type: 'string' }, 'api-url': { type: 'string' }, 'team-name': { type: 'string' } },
  });
  const dryRun = command === 'plan' || values['dry-run'];
  const token = values.token ?? io.env.BETTERSTACK_API_TOKEN;
  if (token === undefined || token === '') {
    throw new UsageError(`${dryRun ? 'plan' : 'apply'} needs --token <token> or BETTERSTACK_API_TOKEN (a BetterStack Telemetry API token; plan only reads)`);
  }
  const options = { token, apiUrl: values['api-url'] ?? DEFAULT_API_URL, ...(values['team-name'] === undefined ? {} : { teamName: values['team-name'] }) };
  try {
    if (dryRun) {
      const plan = await planChanges(options);
      io.stdout(formatPlan(plan));
      return planHasChanges(plan) ? 2 : 0;
    }
    const result = await applyChanges({
      ...options,
      onStep: (change, step, id) => io.stdout(`✓ ${change.action} ${change.kind} ${change.id}: ${step.step}${id === undefined ? '' : ` (id ${id})`}\n`),
    });
    const { plan } = result;
    if (!planHasChanges(plan)) {
      io.stdout(`apply: nothing to change, BetterStack already matches the code (${result.unchanged} unchanged)\n`);
    } else {
      const count = (action: string) => plan.changes.filter((change) => change.action === action).length;
      io.stdout(`apply: ${count('create')} created, ${count('update')} updated, ${count('extra')} extra deleted, ${result.unchanged} unchanged (${plan.apiUrl})\n`);
    }
    for (const note of plan.notes) io.stdout(`note: ${note}\n`);
    return 0;
  } catch (error) {
    if (error instanceof ApplyError) {
      const after = dryRun ? '' : error.completed === 0 ? ' (nothing was changed)' : ` (${error.completed} changes were made before it; run apply again to finish)`;
      io.stderr(`✗ ${error.message}${after}\n`);
      return 1;
    }
    throw error;
  }
}

/** Runs the `kira-dashboards` CLI; resolves to the exit code. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'render':
        return render(rest, io);
      case 'validate':
        return await validate(io);
      case 'test':
        return test(rest, io);
      case 'plan':
        return await planOrApply('plan', rest, io);
      case 'apply':
      case 'push':
        return await planOrApply('apply', rest, io);
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        io.stdout(USAGE);
        return command === undefined ? 1 : 0;
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
  } catch (error) {
    if (error instanceof UsageError || (error instanceof TypeError && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS'))) {
      io.stderr(`kira-dashboards: ${error.message}\n\n${USAGE}`);
      return 64;
    }
    throw error;
  }
}

/** Scenarios shipped with the package: `scenarios/` next to `dist/`. */
export function builtInScenariosDir(moduleUrl: string): string {
  return join(dirname(fileURLToPath(moduleUrl)), '..', 'scenarios');
}
