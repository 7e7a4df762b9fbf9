/** How a metric is recorded by the service that emits it. */
export type MetricType = 'gauge' | 'counter' | 'histogram';

/** Per-minute aggregation of a gauge. */
export type GaugeAggregation = 'avg' | 'max' | 'min';

/** Services whose dashboards and alerts live here. */
export type ServiceName = 'kira-imgproxy' | 'kira-be';

/**
 * A metric a panel or an alert may reference.
 *
 * A *derived* metric (`derivedFrom` set) is not emitted by anyone: it is computed at query time from
 * its source metric, e.g. `process_mb` = `process_resident_memory_bytes / 1048576`.
 *
 * @example { name: 'heap_mb', type: 'gauge', unit: 'MiB', service: 'kira-imgproxy', description: 'Go heap in use', derivedFrom: { metric: 'go_memstats_heap_inuse_bytes', divideBy: 1048576 }, defaultAggregation: 'max' }
 */
export interface MetricDefinition {
  /** Name used by panels and alerts (and by the legacy per-metric column). @example 'process_mb' */
  readonly name: string;
  readonly type: MetricType;
  /** Display unit. @example 'MiB' */
  readonly unit: string;
  readonly service: ServiceName;
  readonly description: string;
  /** Attribute (tag) keys the metric carries; `groupBy` and filters may only use these. @example ['tool_name', 'success'] */
  readonly attributes?: readonly string[];
  /** Set for derived metrics: the emitted metric it is computed from, and the divisor applied. */
  readonly derivedFrom?: { readonly metric: string; readonly divideBy?: number };
  /** Aggregation used per minute when a panel or alert doesn't name one (gauges only). @example 'max' */
  readonly defaultAggregation?: GaugeAggregation;
  /**
   * Column in the legacy wide table (one AggregateFunction column per metric) and the aggregate it
   * holds; absent when the legacy sources never had the metric. @example { column: 'process_mb', aggregation: 'max' }
   */
  readonly legacy?: { readonly column: string; readonly aggregation: 'avg' | 'max' };
}

/** Compares one tag of a data point with a value. Numeric operators parse the tag as a number. */
export interface LabelFilter {
  /** Tag key. @example 'http_status_code' */
  readonly label: string;
  readonly operator: '=' | '!=' | '>' | '>=' | '<' | '<=';
  /** @example 500 */
  readonly value: string | number;
}

/** Per-minute value of a gauge (`value_avg` / `value_max` / `value_min` states), optionally scaled. */
export interface GaugeSignal {
  readonly kind: 'gauge';
  readonly metric: string;
  /** Defaults to the metric's `defaultAggregation`, then `avg`. */
  readonly aggregation?: GaugeAggregation;
  /** Multiplier applied after aggregation (and after a derived metric's divisor). @example 100 */
  readonly scale?: number;
}

/** Increase of a counter per minute (sum over all series of the per-second rate × 60). */
export interface RateSignal {
  readonly kind: 'rate';
  readonly metric: string;
  readonly where?: readonly LabelFilter[];
}

/** A quantile of a histogram per minute. */
export interface QuantileSignal {
  readonly kind: 'quantile';
  readonly metric: string;
  /** Between 0 and 1, exclusive. @example 0.95 */
  readonly quantile: number;
  readonly where?: readonly LabelFilter[];
}

/**
 * Percentage (0–100) of events matching `match` among all events, per minute. Events are counter
 * increments for counters and observations for histograms. Minutes without any event have no value.
 */
export interface RatioSignal {
  readonly kind: 'ratio';
  readonly metric: string;
  /** All filters must hold for an event to count in the numerator. */
  readonly match: readonly LabelFilter[];
  readonly where?: readonly LabelFilter[];
}

/** What a panel query or an alert computes per minute. */
export type Signal = GaugeSignal | RateSignal | QuantileSignal | RatioSignal;

/** One line (or one line per `groupBy` value) of a panel. */
export type PanelQuery = Signal & {
  /** Name of the series when not grouped. @example 'p95' */
  readonly series?: string;
  /** Split into one series per value of this tag. @example 'tool_name' */
  readonly groupBy?: string;
  /** Column alias in the legacy wide rendering. @example 'utilization' */
  readonly legacyAlias?: string;
};

/** One chart on a dashboard. */
export interface Panel {
  /** Unique inside its dashboard. @example 'worker-utilization' */
  readonly id: string;
  readonly title: string;
  /** Display unit of the values. @example '%' */
  readonly unit: string;
  readonly queries: readonly PanelQuery[];
  /** Width in BetterStack's 12-column grid (default 6). */
  readonly width?: number;
}

export interface Dashboard {
  /** @example 'kira-imgproxy' */
  readonly id: string;
  readonly title: string;
  readonly service: ServiceName;
  readonly panels: readonly Panel[];
}

export type AlertOperator = '>' | '>=' | '<' | '<=';
export type AlertSeverity = 'warning' | 'critical';

/**
 * A threshold alert on one per-minute signal.
 *
 * @example { id: 'imgproxy-workers-critical', name: 'Worker 利用率饱和', service: 'kira-imgproxy', metric: 'workers_utilization', operator: '>', threshold: 0.8, forSeconds: 120, severity: 'critical' }
 */
export interface Alert {
  /** Stable, unique id (scenario files reference it). */
  readonly id: string;
  readonly name: string;
  readonly service: ServiceName;
  /** Metric the alert watches; for a plain gauge alert this is the whole signal. */
  readonly metric: string;
  readonly operator: AlertOperator;
  readonly threshold: number;
  /** How long the condition must hold before the alert fires (BetterStack confirmation period). Multiple of 60. */
  readonly forSeconds: number;
  readonly severity: AlertSeverity;
  /** BetterStack query period (evaluation window), seconds; defaults to 60 (one per-minute point). */
  readonly queryPeriodSeconds?: number;
  /** What is computed per minute; defaults to a gauge signal with the metric's default aggregation. */
  readonly signal?: Signal;
  readonly description?: string;
}

/** A transition of an alert. */
export interface AlertEvent {
  readonly type: 'fired' | 'resolved';
  readonly at: Date;
  /** Value of the point that caused the transition (absent when a gap resolved it). */
  readonly value?: number;
}

export interface AlertEvaluation {
  readonly alertId: string;
  /** State after the last point (or at `now`, when given). */
  readonly state: 'ok' | 'pending' | 'firing';
  readonly events: readonly AlertEvent[];
  /** Start of the current breaching run (pending or firing). */
  readonly breachingSince?: Date;
  readonly lastValue?: number;
}

export interface SeriesPoint {
  readonly time: Date;
  readonly value: number;
}

/** Options of the SQL renderers. */
export interface RenderSqlOptions {
  /**
   * `unified` (default): BetterStack's unified metrics schema, long format (`time`, `series`, `value`).
   * `legacy`: the per-metric-column form of the team's older sources, wide format.
   * @example { dialect: 'legacy' }
   */
  readonly dialect?: 'unified' | 'legacy';
}
