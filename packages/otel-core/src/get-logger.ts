import { LOG_SEVERITIES } from '@kira/conventions';
import {
  type Attributes,
  context,
  isSpanContextValid,
  type Logger,
  logs,
  TraceFlags,
  trace,
} from '@opentelemetry/api';
import { formatConsoleLine } from './format-console-line';
import { resolveTelemetryEnabled } from './resolve-telemetry-enabled';
import { getTelemetryState, type LoggerMode } from './telemetry-state';
import type { KiraLogger } from './types';
import { reportOnce } from './warn-once';

type Level = keyof typeof LOG_SEVERITIES;

/**
 * A logger named after its component (the instrumentation scope of its records). Safe to create
 * at import time, before `startTelemetry()`: the mode is looked up on every call.
 *
 * @example getLogger('kira-be').info('User generated image', { 'user.id': id })
 */
export function getLogger(name: string): KiraLogger {
  let otelLogger: Logger | undefined;

  const emit = (level: Level, body: string, attributes?: Attributes): void => {
    try {
      if (level === 'debug' && process.env.NODE_ENV === 'production') return;
      const state = getTelemetryState();
      const mode = state.mode ?? modeBeforeStart();
      const severity = LOG_SEVERITIES[level];
      if (mode === 'silent') return;
      if (mode === 'console') {
        const line = formatConsoleLine(new Date(), severity.text, name, body, attributes);
        if (level === 'error' || level === 'warn') process.stderr.write(`${line}\n`);
        else process.stdout.write(`${line}\n`);
        return;
      }
      if (state.logSampling === 'trace' && (level === 'info' || level === 'debug') && inUnsampledTrace()) return;
      // The API's proxy provider hands out a logger that follows the global provider, so caching
      // it here is safe even when getLogger() ran before startTelemetry().
      otelLogger ??= logs.getLogger(name);
      // No explicit context: the SDK takes the active one, which puts the current span's trace
      // and span id on the record.
      otelLogger.emit({ severityNumber: severity.number, severityText: severity.text, body, attributes });
    } catch (error) {
      reportOnce('log-emit-failed', '@kira/otel-core: a log record could not be emitted', error);
    }
  };

  return {
    error: (body, attributes) => emit('error', body, attributes),
    warn: (body, attributes) => emit('warn', body, attributes),
    info: (body, attributes) => emit('info', body, attributes),
    debug: (body, attributes) => emit('debug', body, attributes),
  };
}

/**
 * Before startTelemetry() the environment decides: where telemetry would be off the developer
 * still sees lines on the console; where it would be on, records go to whatever SDK is global.
 */
function modeBeforeStart(): LoggerMode {
  const decision = resolveTelemetryEnabled(process.env);
  if (decision.enabled) return 'export';
  return decision.reason === 'OTEL_SDK_DISABLED=true' ? 'silent' : 'console';
}

/** Records outside any trace are kept, as in the spec's trace-based logger config. */
function inUnsampledTrace(): boolean {
  const spanContext = trace.getSpanContext(context.active());
  if (spanContext === undefined || !isSpanContextValid(spanContext)) return false;
  return (spanContext.traceFlags & TraceFlags.SAMPLED) === 0;
}
