import { LOG_SEVERITIES, sanitize, spanContextIdsKnownValid, type SanitizeOptions } from '@kira/conventions';
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
import type { KiraLogBody, KiraLogger } from './types';
import { reportOnce } from './warn-once';
import { MESSAGE_PREFIX } from './message-prefix';

type Level = keyof typeof LOG_SEVERITIES;

// Log lines are longer than payload fields; everything else is the contract's default.
const LOG_SANITIZE_OPTIONS: SanitizeOptions = Object.freeze({ maxStringLength: 4096 });

/**
 * A logger named after its component (the instrumentation scope of its records). Safe to create
 * at import time, before `startTelemetry()`: the mode is looked up on every call.
 *
 * @example getLogger('kira-be').info('User generated image', { 'user.id': id })
 */
export function getLogger(name: string): KiraLogger {
  let otelLogger: Logger | undefined;

  const emit = (level: Level, body: KiraLogBody, attributes?: Attributes): void => {
    try {
      if (level === 'debug' && process.env.NODE_ENV === 'production') return;
      const state = getTelemetryState();
      const mode = state.mode ?? modeBeforeStart();
      const severity = LOG_SEVERITIES[level];
      if (mode === 'silent') return;
      if (mode === 'console') {
        const line = formatConsoleLine(new Date(), severity.text, name, consoleText(safeBody(body)), safeAttributes(attributes));
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
      otelLogger.emit({
        severityNumber: severity.number,
        severityText: severity.text,
        body: safeBody(body),
        attributes: safeAttributes(attributes),
      });
    } catch (error) {
      reportOnce('log-emit-failed', `${MESSAGE_PREFIX} a log record could not be emitted`, error);
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
 * The payload rule of the contract, applied only once a record is known to be written: a string
 * body keeps its text with JWT/Bearer/Basic values and base64 blobs replaced; an object body
 * also loses the values under secret key words.
 */
function safeBody(body: KiraLogBody): unknown {
  return sanitize(body, LOG_SANITIZE_OPTIONS);
}

/** Attributes are free-form user data: the same rule, so `{ password }` never leaves. */
function safeAttributes(attributes: Attributes | undefined): Attributes | undefined {
  if (attributes === undefined || attributes === null) return undefined;
  const sanitized = sanitize(attributes, LOG_SANITIZE_OPTIONS);
  return typeof sanitized === 'object' && sanitized !== null && !Array.isArray(sanitized) ? (sanitized as Attributes) : undefined;
}

function consoleText(body: unknown): string {
  if (typeof body === 'string') return body;
  try {
    return JSON.stringify(body) ?? String(body);
  } catch {
    return '[unserializable]';
  }
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
  if (spanContext === undefined || !(spanContextIdsKnownValid(spanContext) || isSpanContextValid(spanContext))) return false;
  return (spanContext.traceFlags & TraceFlags.SAMPLED) === 0;
}
