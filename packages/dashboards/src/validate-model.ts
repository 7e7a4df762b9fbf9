import { describeValue } from '@kira/conventions';
import { alertSignal } from './alert-signal';
import { expectAlert, isPlainObject, expectDashboard, expectObjects, expectValidateOptions, readField, safeString } from './expect-argument';
import { metricDefinitions as defaultDefinitions } from './metric-definitions';
import { InvalidThresholdError, ModelValidationError, UnknownMetricError } from './model-validation-error';
import type { Alert, Dashboard, LabelFilter, MetricDefinition, Signal } from './types';

/** Options of the model validators. */
export interface ValidateOptions {
  /** Metrics that may be referenced (default: the built-in definitions). @example { metrics: [...metricDefinitions, myMetric] } */
  readonly metrics?: readonly MetricDefinition[];
}

const EXPECTED_TYPE: Record<Signal['kind'], MetricDefinition['type'][]> = {
  gauge: ['gauge'],
  rate: ['counter'],
  quantile: ['histogram'],
  ratio: ['counter', 'histogram'],
};

const isList = (value: unknown): boolean => Array.isArray(value);

/**
 * A model read from JSON or written in JavaScript can hold anything where the types say an object
 * or a list: the validators report that as a `bad_shape` problem at its path, and skip what is
 * inside, instead of tripping over it.
 */
function badShape(path: string, expected: string, value: unknown): ModelValidationError {
  return new ModelValidationError('bad_shape', path, `expected ${expected}, got ${describeValue(value)}`);
}

function validateFilters(filters: readonly LabelFilter[] | undefined, metric: MetricDefinition, path: string, errors: ModelValidationError[]): void {
  if (filters === undefined) return;
  if (!isList(filters)) {
    errors.push(badShape(path, 'a list of label filters', filters));
    return;
  }
  filters.forEach((filter, index) => {
    if (!isPlainObject(filter)) {
      errors.push(badShape(`${path}[${index}]`, 'a label filter object', filter));
      return;
    }
    if (!(metric.attributes ?? []).includes(filter.label)) {
      errors.push(new ModelValidationError('unknown_label', `${path}[${index}].label`, `metric "${metric.name}" has no attribute "${safeString(filter.label)}"`));
    }
    if (!['=', '!=', '>', '>=', '<', '<='].includes(filter.operator)) {
      errors.push(new ModelValidationError('bad_operator', `${path}[${index}].operator`, `unknown operator "${String(filter.operator)}"`));
    }
  });
}

/** Checks one signal; returns the metric when it is known. */
function validateSignal(signal: Signal, path: string, definitions: readonly MetricDefinition[], errors: ModelValidationError[]): MetricDefinition | undefined {
  if (!isPlainObject(signal)) {
    errors.push(badShape(path, 'a signal object (kind, metric, …)', signal));
    return undefined;
  }
  const metric = definitions.find((definition) => definition.name === signal.metric);
  if (metric === undefined) {
    errors.push(new UnknownMetricError(`${path}.metric`, signal.metric));
    return undefined;
  }
  if (!EXPECTED_TYPE[signal.kind]?.includes(metric.type)) {
    errors.push(
      new ModelValidationError('wrong_metric_type', `${path}.kind`, `a ${safeString(signal.kind)} signal needs a ${EXPECTED_TYPE[signal.kind]?.join(' or ') ?? '?'} metric; "${metric.name}" is a ${metric.type}`),
    );
  }
  if (metric.derivedFrom !== undefined && !definitions.some((definition) => definition.name === metric.derivedFrom?.metric)) {
    errors.push(new UnknownMetricError(`${path}.metric`, metric.derivedFrom.metric));
  }
  if (signal.kind === 'quantile' && !(signal.quantile > 0 && signal.quantile < 1)) {
    errors.push(new ModelValidationError('bad_quantile', `${path}.quantile`, `quantile must be between 0 and 1 (exclusive), got ${String(signal.quantile)}`));
  }
  if (signal.kind === 'gauge' && signal.scale !== undefined && !Number.isFinite(signal.scale)) {
    errors.push(new ModelValidationError('bad_panel', `${path}.scale`, 'scale must be a finite number'));
  }
  if (signal.kind !== 'gauge') validateFilters(signal.where, metric, `${path}.where`, errors);
  if (signal.kind === 'ratio') {
    if (!isList(signal.match)) errors.push(badShape(`${path}.match`, 'a list of label filters', signal.match));
    else if (signal.match.length === 0) errors.push(new ModelValidationError('bad_panel', `${path}.match`, 'a ratio needs at least one filter'));
    else validateFilters(signal.match, metric, `${path}.match`, errors);
  }
  return metric;
}

/**
 * Checks a dashboard against the metric definitions: unknown metrics, signals that don't fit the
 * metric type, unknown tags, bad quantiles, duplicate or empty panels. Returns every problem found
 * (empty = valid); throws only a TypeError for an argument that is not a dashboard object (with a
 * panels array) or options that are not an object.
 */
export function validateDashboard(dashboard: Dashboard, options: ValidateOptions = {}): ModelValidationError[] {
  expectDashboard('validateDashboard', dashboard);
  const definitions = expectValidateOptions('validateDashboard', options, defaultDefinitions);
  const errors: ModelValidationError[] = [];
  const seen = new Set<string>();
  const id = safeString(dashboard.id);
  if (typeof dashboard.id !== 'string' || dashboard.id === '') errors.push(badShape(`${id}.id`, 'a non-empty string', dashboard.id));
  if (dashboard.panels.length === 0) errors.push(new ModelValidationError('bad_panel', `${id}.panels`, 'a dashboard needs at least one panel'));
  dashboard.panels.forEach((panel, panelIndex) => {
    const path = `${id}.panels[${panelIndex}]`;
    if (!isPlainObject(panel)) {
      errors.push(badShape(path, 'a panel object (id, title, queries)', panel));
      return;
    }
    if (typeof panel.id !== 'string' || panel.id === '') errors.push(badShape(`${path}.id`, 'a non-empty string', panel.id));
    else if (seen.has(panel.id)) errors.push(new ModelValidationError('duplicate_id', `${path}.id`, `duplicate panel id "${panel.id}"`));
    seen.add(panel.id);
    if (!isList(panel.queries)) {
      errors.push(badShape(`${path}.queries`, 'a list of queries', panel.queries));
      return;
    }
    if (panel.queries.length === 0) errors.push(new ModelValidationError('bad_panel', `${path}.queries`, 'a panel needs at least one query'));
    const names = new Set<string>();
    panel.queries.forEach((query, queryIndex) => {
      const queryPath = `${path}.queries[${queryIndex}]`;
      const metric = validateSignal(query, queryPath, definitions, errors);
      if (!isPlainObject(query)) return;
      if (metric !== undefined && query.groupBy !== undefined && !(metric.attributes ?? []).includes(query.groupBy)) {
        errors.push(new ModelValidationError('unknown_label', `${queryPath}.groupBy`, `metric "${metric.name}" has no attribute "${safeString(query.groupBy)}"`));
      }
      if (query.groupBy === undefined) {
        const name = query.series ?? '';
        if (names.has(name)) errors.push(new ModelValidationError('bad_panel', `${queryPath}.series`, `two queries of the panel produce series "${safeString(name)}"`));
        names.add(name);
      }
    });
  });
  return errors;
}

/**
 * Checks an alert: unknown metric, threshold that is not finite or outside a ratio's 0–100 range,
 * duration that is negative or not whole minutes, unknown operator or severity. Returns every
 * problem found (empty = valid); throws only a TypeError for an argument that is not an object or
 * options that are not an object.
 */
export function validateAlert(alert: Alert, options: ValidateOptions = {}): ModelValidationError[] {
  expectAlert('validateAlert', alert);
  const definitions = expectValidateOptions('validateAlert', options, defaultDefinitions);
  const errors: ModelValidationError[] = [];
  const id = safeString(alert.id);
  if (typeof alert.id !== 'string' || alert.id === '') errors.push(badShape(`${id}.id`, 'a non-empty string', alert.id));
  if (alert.signal !== undefined && !isPlainObject(alert.signal)) {
    errors.push(badShape(`${id}.signal`, 'a signal object (kind, metric, …) or nothing', alert.signal));
    return errors;
  }
  const signal = alertSignal(alert);
  if (alert.signal !== undefined && alert.signal.metric !== alert.metric) {
    errors.push(new ModelValidationError('bad_panel', `${id}.signal.metric`, `signal metric "${safeString(alert.signal.metric)}" differs from the alert's metric "${safeString(alert.metric)}"`));
  }
  validateSignal(signal, id, definitions, errors);
  if (!['>', '>=', '<', '<='].includes(alert.operator)) {
    errors.push(new ModelValidationError('bad_operator', `${id}.operator`, `unknown operator "${String(alert.operator)}"`));
  }
  if (!['warning', 'critical'].includes(alert.severity)) {
    errors.push(new ModelValidationError('bad_severity', `${id}.severity`, `severity must be warning or critical, got "${String(alert.severity)}"`));
  }
  if (typeof alert.threshold !== 'number' || !Number.isFinite(alert.threshold)) {
    errors.push(new InvalidThresholdError(`${id}.threshold`, alert.threshold, 'must be a finite number'));
  } else if (signal.kind === 'ratio' && (alert.threshold < 0 || alert.threshold > 100)) {
    errors.push(new InvalidThresholdError(`${id}.threshold`, alert.threshold, 'a ratio is a percentage between 0 and 100'));
  } else if (signal.kind !== 'ratio' && alert.threshold < 0 && (alert.operator === '<' || alert.operator === '<=')) {
    errors.push(new InvalidThresholdError(`${id}.threshold`, alert.threshold, 'metrics here are never negative, so the alert could never fire'));
  }
  if (!Number.isInteger(alert.forSeconds) || alert.forSeconds < 0 || alert.forSeconds % 60 !== 0) {
    errors.push(new ModelValidationError('bad_duration', `${id}.forSeconds`, `must be a whole number of minutes in seconds (0, 60, 120, …), got ${String(alert.forSeconds)}`));
  }
  if (alert.queryPeriodSeconds !== undefined && (!Number.isInteger(alert.queryPeriodSeconds) || alert.queryPeriodSeconds < 60)) {
    errors.push(new ModelValidationError('bad_duration', `${id}.queryPeriodSeconds`, `must be an integer >= 60, got ${String(alert.queryPeriodSeconds)}`));
  }
  return errors;
}

/** Validates many alerts and their ids' uniqueness. */
export function validateAlerts(alerts: readonly Alert[], options: ValidateOptions = {}): ModelValidationError[] {
  const list = expectObjects<Alert>('validateAlerts', alerts, 'alerts', 'an array of alerts');
  expectValidateOptions('validateAlerts', options, defaultDefinitions);
  const errors: ModelValidationError[] = [];
  const seen = new Set<string>();
  for (const alert of list) {
    readField('validateAlerts', alert, 'alerts', 'id');
    if (seen.has(alert.id)) errors.push(new ModelValidationError('duplicate_id', `${safeString(alert.id)}.id`, `duplicate alert id "${safeString(alert.id)}"`));
    seen.add(alert.id);
    errors.push(...validateAlert(alert, options));
  }
  return errors;
}
