import { errorMessage, safeString } from './expect-argument';

/** Codes of {@link ModelValidationError}. */
export type ModelValidationCode =
  | 'unknown_metric'
  | 'wrong_metric_type'
  | 'unknown_label'
  | 'bad_threshold'
  | 'bad_duration'
  | 'bad_operator'
  | 'bad_severity'
  | 'bad_quantile'
  | 'bad_panel'
  | 'duplicate_id'
  | 'bad_shape';

/** A problem in a dashboard or alert definition; `path` points into the definition. */
export class ModelValidationError extends Error {
  override readonly name: string = 'ModelValidationError';
  constructor(
    readonly code: ModelValidationCode,
    /** Where, e.g. `kira-be.panels[2].queries[0].metric`. */
    readonly path: string,
    message: string,
  ) {
    super(`${safeString(path)}: ${safeString(message)}`);
  }
}

/** A panel or alert references a metric that no {@link MetricDefinition} declares. */
export class UnknownMetricError extends ModelValidationError {
  override readonly name = 'UnknownMetricError';
  constructor(
    path: string,
    readonly metric: string,
  ) {
    super('unknown_metric', path, `unknown metric "${safeString(metric)}"`);
  }
}

/** A threshold that can't be compared (NaN, infinite) or is out of the signal's range. */
export class InvalidThresholdError extends ModelValidationError {
  override readonly name = 'InvalidThresholdError';
  constructor(
    path: string,
    readonly threshold: number,
    reason: string,
  ) {
    super('bad_threshold', path, `bad threshold ${safeString(threshold)}: ${safeString(reason)}`);
  }
}

/** Thrown when a panel can't be rendered in the requested SQL dialect. */
export class UnsupportedDialectError extends Error {
  override readonly name = 'UnsupportedDialectError';
  constructor(
    readonly dialect: string,
    message: string,
  ) {
    super(errorMessage(message));
  }
}
