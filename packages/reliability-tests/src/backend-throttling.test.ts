// Backend throttling or briefly failing (429 and 503 with Retry-After; 502 without): the OTLP
// spec makes these retryable. Exporters must retry, wait as long as Retry-After says, give up
// within their deadline, and the service must say why once, not once per batch.
import { describeFaultScenarios } from './fault-suite';

describeFaultScenarios([
  { name: '503 + Retry-After: 1', fault: 'status=503,retry-after=1', timeoutMs: 4_000, expect: 'retry', minGapMs: 950, reason: /503|Service Unavailable|retryable status/i },
  { name: '429 + Retry-After: 2', fault: 'status=429,retry-after=2', timeoutMs: 4_500, expect: 'retry', minGapMs: 1_950, reason: /429|Too Many Requests|retryable status/i },
  // No Retry-After: exponential backoff from 1 s with ±20 % jitter.
  { name: '502 (no Retry-After)', fault: 'status=502', timeoutMs: 4_000, expect: 'retry', minGapMs: 750, reason: /502|Bad Gateway|retryable status/i },
]);
