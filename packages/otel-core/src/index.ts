export { getLogger } from './get-logger';
export { resolveTelemetryEnabled } from './resolve-telemetry-enabled';
export { startTelemetry } from './start-telemetry';
export type {
  InstrumentationOptions,
  KiraLogBody,
  KiraLogger,
  OtlpProtocol,
  TelemetryDecision,
  TelemetryEnableOptions,
  TelemetryHandle,
  TelemetryOptions,
} from './types';
