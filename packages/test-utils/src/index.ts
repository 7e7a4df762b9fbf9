export { anyValueToJs, attributesToObject } from './any-value-to-js';
export { createTestSdk } from './create-test-sdk';
export { decodeOtlpRequest } from './decode-otlp-request';
export { enableRuleCases } from './enable-rule-cases';
export { encodeOtlpResponse, encodeOtlpStatus } from './encode-otlp-response';
export { EnvelopeParseError } from './envelope-parse-error';
export { flattenLogs, flattenMetrics, flattenSpans } from './flatten-otlp';
export { freePort } from './free-port';
export { launchChromium } from './launch-chromium';
export { otlpContentKind } from './otlp-content-kind';
export { OtlpDecodeError } from './otlp-decode-error';
export { otlpProtoDirectory } from './otlp-proto-root';
export { parseEnvelope } from './parse-envelope';
export { decodeContentEncoding } from './read-request-body';
export { startOtlpCaptureServer } from './start-otlp-capture-server';
export { startChild, stopAllChildren, type Child } from './start-child';
export { listenOnLoopback } from './listen-on-loopback';
export { startRedis } from './start-redis';
export { startSentrySink } from './start-sentry-sink';
export { waitUntil } from './wait-until';
export type {
  CapturedRequest,
  EnableRuleCase,
  EnvelopeItem,
  FlatLogRecord,
  FlatMetric,
  FlatMetricPoint,
  FlatSpan,
  OtlpCaptureResponse,
  OtlpCaptureServer,
  OtlpCaptureServerOptions,
  OtlpSignal,
  ParsedEnvelope,
  RedisHandle,
  SentryEnvelopeRecord,
  SentryItem,
  SentrySink,
  TestSdk,
  TestSdkOptions,
} from './types';
