// Backend rejecting (400 bad data, 401 wrong token: never retried per the OTLP spec) and backend
// slow (answers only after the export timeout: the attempt is abandoned at the deadline).
import { describeFaultScenarios } from './fault-suite';

describeFaultScenarios([
  { name: '400 Bad Request', fault: 'status=400', timeoutMs: 4_000, expect: 'no-retry', minGapMs: 0, observeMs: 7_500, reason: /400|Bad Request/i },
  { name: '401 (wrong token)', fault: 'off', token: 'wrong-token', timeoutMs: 4_000, expect: 'no-retry', minGapMs: 0, observeMs: 7_500, reason: /401|Unauthorized/i },
  { name: 'slow: 3 s delay > 1.5 s export timeout', fault: 'delay=3000', timeoutMs: 1_500, expect: 'timeout', minGapMs: 0, observeMs: 8_500, reason: /timed out|timeout/i },
]);
