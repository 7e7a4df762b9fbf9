export type {
  Alert,
  AlertEvaluation,
  AlertEvent,
  AlertOperator,
  AlertSeverity,
  Dashboard,
  GaugeAggregation,
  GaugeSignal,
  LabelFilter,
  MetricDefinition,
  MetricType,
  Panel,
  PanelQuery,
  QuantileSignal,
  RateSignal,
  RatioSignal,
  RenderSqlOptions,
  SeriesPoint,
  ServiceName,
  Signal,
} from './types';
export { metricDefinitions, findMetric, KIRA_BE_METRIC_NAMES, IMGPROXY_METRIC_NAMES } from './metric-definitions';
export { builtInDashboards } from './built-in-dashboards';
export { builtInAlerts } from './built-in-alerts';
export { alertSignal } from './alert-signal';
export { renderPanelSql, renderAlertSql } from './render-sql';
export {
  renderDashboardJson,
  renderAlertDefinition,
  renderAlertExploration,
  type BetterStackDashboardJson,
  type BetterStackAlertDefinition,
} from './render-betterstack';
export { evaluateAlert, breaches, type EvaluateAlertOptions } from './evaluate-alert';
export { validateDashboard, validateAlert, validateAlerts, type ValidateOptions } from './validate-model';
export {
  ModelValidationError,
  UnknownMetricError,
  InvalidThresholdError,
  UnsupportedDialectError,
  type ModelValidationCode,
} from './model-validation-error';
export {
  runScenarios,
  runScenario,
  parseSeriesValues,
  ScenarioFormatError,
  type ScenarioFile,
  type ScenarioResult,
  type ScenarioReport,
  type RunScenariosOptions,
} from './run-scenarios';
export {
  createLegacySchemaStatements,
  createLegacyTableSql,
  dashboardDialect,
  insertLegacySamplesSql,
  LEGACY_METRICS_TABLE,
  LEGACY_METRICS_VIEW,
  legacyColumns,
  type LegacyColumn,
  type LegacySample,
  type LegacyTableOptions,
} from './legacy-table';
export { openQuerySession, loadChdb, ChdbMissingError, type QuerySession, type QueryResult } from './query-session';
export { validateQueries, validationSeed, LEGACY_TABLE, type QueryCheck, type ValidateQueriesOptions } from './validate-queries';
export { planPush, formatPushPlan, push, PushError, DEFAULT_API_URL, type PushRequest, type PushOptions, type PushResult } from './push';
export {
  planChanges,
  formatPlan,
  planHasChanges,
  PLAN_NOTES,
  type PlanOptions,
  type ChangePlan,
  type PlannedChange,
  type ChangeAction,
  type ApplyStep,
} from './plan-changes';
export { applyChanges, type ApplyOptions, type ApplyResult } from './apply-changes';
export { ApplyError, type BetterStackApiOptions } from './betterstack-client';
