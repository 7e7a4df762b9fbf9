// Child process: the local OTLP target every instrumented server exports to (the shared capture
// server of @kira/test-utils, decoding real protobuf), so export cost is paid as in production.
import { startOtlpCaptureServer } from '@kira/test-utils';
import { serveParent } from './child-process.ts';

const capture = await startOtlpCaptureServer();

serveParent(
  {
    /** Spans received per `service.name` since the last reset. */
    counts: () => {
      const spans: Record<string, number> = {};
      for (const span of capture.spans()) {
        const service = typeof span.resource['service.name'] === 'string' ? span.resource['service.name'] : 'unknown';
        spans[service] = (spans[service] ?? 0) + 1;
      }
      return { requests: capture.requests.length, spans };
    },
    reset: () => capture.reset(),
  },
  { url: capture.url },
);
