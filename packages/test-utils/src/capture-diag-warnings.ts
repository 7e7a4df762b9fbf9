// Collects what packages report through the OpenTelemetry `diag` logger, for tests of warnings.
import { DiagLogLevel, diag } from '@opentelemetry/api';

export interface DiagWarnings {
  /** Every warning and error reported since the capture started. */
  readonly messages: string[];
  /** The messages of one package: those starting with `prefix` (e.g. `@kira/metrics:`). */
  ours(): string[];
  /** Removes the logger (the API's default: nothing is printed). */
  stop(): void;
}

/** Replaces the global `diag` logger with one that keeps warnings and errors. */
export function captureDiagWarnings(prefix: string): DiagWarnings {
  const messages: string[] = [];
  const collect = (message: string) => messages.push(message);
  diag.setLogger({ error: collect, warn: collect, info: () => {}, debug: () => {}, verbose: () => {} }, DiagLogLevel.WARN);
  return {
    messages,
    ours: () => messages.filter((message) => message.startsWith(prefix)),
    stop: () => diag.disable(),
  };
}
