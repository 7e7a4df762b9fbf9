export {
  anyValueToJs,
  attributesToObject,
  decodeContentEncoding,
  decodeOtlpRequest,
  encodeOtlpResponse,
  encodeOtlpStatus,
  EnvelopeParseError,
  otlpContentKind,
  OtlpDecodeError,
  otlpProtoDirectory,
  parseEnvelope,
  type EnvelopeItem,
  type OtlpSignal,
  type ParsedEnvelope,
} from '@kira/telemetry-wire';
export { freePort, startChild, startRedis, stopAllChildren, type Child, type RedisHandle } from '@kira/local-processes';
export {
  breakContextActive,
  breakNextContextWith,
  type BrokenContextActive,
  type BrokenContextWith,
  type ContextWithBreakage,
} from './break-context-manager';
export { captureDiagWarnings, type DiagWarnings } from './capture-diag-warnings';
export { createTestSdk } from './create-test-sdk';
export { enableRuleCases } from './enable-rule-cases';
export { flattenLogs, flattenMetrics, flattenSpans } from './flatten-otlp';
export { launchChromium } from './launch-chromium';
export { percentile, releaseAtRate } from './paced-load';
export { startOtlpCaptureServer } from './start-otlp-capture-server';
export { closeServer } from './close-server';
export { listenOnLoopback, type LoopbackTls } from './listen-on-loopback';
export { selfSignedCertificate, type SelfSignedCertificate } from './self-signed-certificate';
export { startSentrySink } from './start-sentry-sink';
export { waitUntil } from './wait-until';
export type {
  CapturedRequest,
  EnableRuleCase,
  FlatLogRecord,
  FlatMetric,
  FlatMetricPoint,
  FlatSpan,
  OtlpCaptureResponse,
  OtlpCaptureServer,
  OtlpCaptureServerOptions,
  SentryEnvelopeRecord,
  SentryItem,
  SentrySink,
  TestSdk,
  TestSdkOptions,
} from './types';
