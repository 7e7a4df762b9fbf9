import type { TelemetryHandle } from './types';

/**
 * - `export`: the SDK is running; loggers emit through the logs API.
 * - `console`: telemetry is off; loggers print readable lines.
 * - `silent`: off and quiet (`OTEL_SDK_DISABLED=true` or `console: false`).
 */
export type LoggerMode = 'export' | 'console' | 'silent';

export interface TelemetryState {
  handle: TelemetryHandle | undefined;
  /** undefined until startTelemetry() ran; loggers then derive it from the environment. */
  mode: LoggerMode | undefined;
  logSampling: 'all' | 'trace';
}

// On globalThis, not in module scope: `--import @kira/otel-core/register` loads the ESM build while
// a CommonJS service may `require('@kira/otel-core')`, and both copies must see one SDK and one
// handle (the dual-package hazard).
const KEY = Symbol.for('@kira/otel-core.state');

export function getTelemetryState(): TelemetryState {
  const holder = globalThis as unknown as Record<symbol, TelemetryState | undefined>;
  let state = holder[KEY];
  if (state === undefined) {
    state = { handle: undefined, mode: undefined, logSampling: 'all' };
    holder[KEY] = state;
  }
  return state;
}
