// Child process: the local OTLP target every instrumented server exports to. It answers each
// export at once, as a remote backend would, and decodes what it kept only when asked for the
// counts, between measurements: on this 2-core machine, decoding during a round would take CPU
// from the server being measured, a cost no real service pays for its remote backend.
import { decodeOtlpRequest, encodeOtlpResponse, readRequestBody } from '@kira/telemetry-wire';
import { flattenSpans, listenOnLoopback } from '@kira/test-utils';
import { serveParent } from './child-process.ts';

const received: Array<{ contentType: string; body: Buffer }> = [];
let otherRequests = 0;

const { url } = await listenOnLoopback(async (request, response) => {
  const body = await readRequestBody(request);
  const path = (request.url ?? '/').split('?', 1)[0]!;
  const contentType = request.headers['content-type'] ?? '';
  if (path.endsWith('/v1/traces')) received.push({ contentType, body });
  else otherRequests++;
  const signal = path.endsWith('/v1/logs') ? 'logs' : path.endsWith('/v1/metrics') ? 'metrics' : 'traces';
  response.writeHead(200, { 'content-type': 'application/x-protobuf' });
  response.end(encodeOtlpResponse(signal, {}, 'application/x-protobuf'));
});

serveParent(
  {
    /** Spans received per `service.name` since the last reset; a body that does not decode is an error. */
    counts: () => {
      const spans: Record<string, number> = {};
      for (const { contentType, body } of received) {
        for (const span of flattenSpans(decodeOtlpRequest('traces', body, contentType))) {
          const service = typeof span.resource['service.name'] === 'string' ? span.resource['service.name'] : 'unknown';
          spans[service] = (spans[service] ?? 0) + 1;
        }
      }
      return { requests: received.length + otherRequests, spans };
    },
    reset: () => {
      received.length = 0;
      otherRequests = 0;
    },
  },
  { url },
);
