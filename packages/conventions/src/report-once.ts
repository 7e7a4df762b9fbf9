import { processEnv } from './process-env';
import { argumentError } from './values';

/** Reports a problem: the first occurrence of each reason, or every one at `OTEL_LOG_LEVEL=debug`. */
export type ReportOnce = (reason: string, message: string, ...details: unknown[]) => void;

/** Options of {@link createReportOnce}. */
export interface ReportOnceOptions {
  /**
   * Put before every message, naming the package. @example { prefix: '@kira/metrics:' }
   */
  prefix?: string;
  /**
   * Where a report goes. Default `console.warn` (stderr): configuration problems must be visible
   * without a diag logger. API-only packages pass `diag.warn`.
   * @example { write: (message, ...details) => diag.warn(message, ...details) }
   */
  write?: (message: string, ...details: unknown[]) => void;
  /**
   * Whether every occurrence is reported. Default: `OTEL_LOG_LEVEL` is `debug`, `verbose` or
   * `all` (read at each report, so it can be switched on in a running process).
   * @example { everyOccurrence: () => true }
   */
  everyOccurrence?: () => boolean;
  /** Distinct reasons remembered; later new reasons are not printed (one line says so). Default 256. */
  maxReasons?: number;
}

const DEFAULT_MAX_REASONS = 256;
const VERBOSE_LEVELS: ReadonlySet<string> = new Set(['DEBUG', 'VERBOSE', 'ALL']);

/**
 * The one report-once policy of every Kira package: the first occurrence of each reason is
 * reported, later ones are dropped so a failing hot path cannot flood the host's logs, and at
 * `OTEL_LOG_LEVEL=debug` every occurrence is reported. A reporter never throws, and the memory of
 * reasons is bounded, so reasons may carry data (a status code, an error name). `null` options are
 * the defaults; options that are not an object throw a TypeError.
 *
 * @example
 * const report = createReportOnce({ prefix: '@kira/metrics:' });
 * report('recordAITool-input', 'recordAITool got an invalid duration; nothing recorded');
 */
export function createReportOnce(options: ReportOnceOptions | null = {}): ReportOnce {
  // null is "no options", as undefined is (the other packages' option objects work the same way).
  options ??= {};
  if (typeof options !== 'object' || Array.isArray(options)) throw argumentError('createReportOnce', 'an options object', options);
  const prefix = typeof options.prefix === 'string' && options.prefix !== '' ? `${options.prefix} ` : '';
  const write = typeof options.write === 'function' ? options.write : defaultWrite;
  const everyOccurrence = typeof options.everyOccurrence === 'function' ? options.everyOccurrence : logLevelIsDebug;
  const maxReasons =
    typeof options.maxReasons === 'number' && Number.isInteger(options.maxReasons) && options.maxReasons > 0
      ? options.maxReasons
      : DEFAULT_MAX_REASONS;
  const seen = new Set<string>();
  let saturated = false;

  return (reason, message, ...details) => {
    try {
      const key = String(reason);
      if (!seen.has(key)) {
        if (seen.size < maxReasons) {
          seen.add(key);
          write(`${prefix}${message}`, ...details);
          return;
        }
        if (!saturated) {
          saturated = true;
          write(`${prefix}more than ${maxReasons} distinct problems; further new ones are printed only at OTEL_LOG_LEVEL=debug`);
        }
      }
      if (everyOccurrence()) write(`${prefix}${message}`, ...details);
    } catch {
      // Reporting must never break the host: a closed stderr or a broken diag logger ends here.
    }
  };
}

/**
 * Whether `OTEL_LOG_LEVEL` asks for debug output (`debug`, `verbose`, `all`, any case).
 *
 * @example logLevelIsDebug({ OTEL_LOG_LEVEL: 'DEBUG' }) // true
 */
export function logLevelIsDebug(env: Record<string, string | undefined> | undefined = processEnv()): boolean {
  const level = env?.OTEL_LOG_LEVEL;
  return typeof level === 'string' && VERBOSE_LEVELS.has(level.trim().toUpperCase());
}


function defaultWrite(message: string, ...details: unknown[]): void {
  console.warn(message, ...details);
}
