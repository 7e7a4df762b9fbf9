// Test-only (not exported, not bundled): collects what the package reports through `diag`.
import { DiagLogLevel, diag } from '@opentelemetry/api';

export interface DiagWarnings {
  readonly messages: string[];
  /** Messages prefixed `@kira/metrics:`. */
  ours(): string[];
  stop(): void;
}

export function captureDiagWarnings(): DiagWarnings {
  const messages: string[] = [];
  const collect = (message: string) => messages.push(message);
  diag.setLogger({ error: collect, warn: collect, info: () => {}, debug: () => {}, verbose: () => {} }, DiagLogLevel.WARN);
  return {
    messages,
    ours: () => messages.filter((message) => message.startsWith('@kira/metrics:')),
    stop: () => diag.disable(),
  };
}
