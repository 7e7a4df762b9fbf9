import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { builtInAlerts } from './built-in-alerts';
import { builtInDashboards } from './built-in-dashboards';
import { UnsupportedDialectError } from './model-validation-error';
import { DEFAULT_API_URL, formatPushPlan, planPush, push, PushError } from './push';
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
  push --dry-run      print the BetterStack API requests a push would make
  push [--token <t>] [--api-url <url>] [--team-name <name>]
                      create the dashboards and alerts (token also from BETTERSTACK_API_TOKEN)
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

async function pushCommand(args: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { 'dry-run': { type: 'boolean', default: false }, token: { type: 'string' }, 'api-url': { type: 'string' }, 'team-name': { type: 'string' } },
  });
  const apiUrl = values['api-url'] ?? DEFAULT_API_URL;
  const teamName = values['team-name'];
  const options = teamName === undefined ? {} : { teamName };
  if (values['dry-run']) {
    io.stdout(formatPushPlan(planPush(options), apiUrl));
    return 0;
  }
  const token = values.token ?? io.env.BETTERSTACK_API_TOKEN;
  if (token === undefined || token === '') throw new UsageError('push needs --token <token> or BETTERSTACK_API_TOKEN (a BetterStack Telemetry API token); use --dry-run to only print the requests');
  try {
    const result = await push({ ...options, token, apiUrl, onRequest: (request, id) => io.stdout(`✓ ${request.description}${id === '' ? '' : ` (id ${id})`}\n`) });
    io.stdout(`pushed ${result.created.length} objects to ${apiUrl}\n`);
    return 0;
  } catch (error) {
    if (error instanceof PushError) {
      io.stderr(`✗ ${error.message}\n  ${error.completed} requests had succeeded before it; nothing after it was sent.\n`);
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
      case 'push':
        return await pushCommand(rest, io);
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
