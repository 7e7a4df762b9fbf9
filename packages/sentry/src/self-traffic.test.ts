import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { listenOnLoopback, startChild, startOtlpCaptureServer, startSentrySink, waitUntil, type OtlpCaptureServer, type SentrySink } from '@kira/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const packageDirectory = join(dirname(fileURLToPath(import.meta.url)), '..');
const registerHook = createRequire(import.meta.url).resolve('@kira/otel-core/register');

let collector: OtlpCaptureServer;
let sink: SentrySink;
let control: Server;
let controlUrl: string;

beforeAll(async () => {
  collector = await startOtlpCaptureServer();
  sink = await startSentrySink();
  const listening = await listenOnLoopback((_request, response) => {
    response.end('ok');
  });
  control = listening.server;
  controlUrl = listening.url;
});

afterAll(async () => {
  await collector.close();
  await sink.close();
  control.close();
});

describe('the telemetry’s own transport', () => {
  it('makes no span for Sentry envelopes or OTLP posts, over http or fetch, while other requests are traced', async () => {
    const child = startChild('self-traffic', process.execPath, ['--import', registerHook, join(packageDirectory, 'src/fixtures/self-traffic.mjs')], {
      cwd: packageDirectory,
      env: {
        PATH: process.env.PATH,
        KIRA_TELEMETRY: 'on',
        OTEL_SERVICE_NAME: 'self-traffic',
        OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
        OTEL_TRACES_SAMPLER_ARG: '1',
        SENTRY_DSN: sink.dsn('7', 'dsnpublickey42'),
        FIXTURE_CONTROL_URL: controlUrl,
      },
    });
    await child.waitForLine(/^DONE$/m, 30_000);
    await child.exited;
    // The Sentry event really went out, and the control requests really became spans.
    expect(sink.events().map((event) => event.exception.values[0].value)).toContain('self-traffic probe');
    await waitUntil(() => collector.spans().filter((span) => span.kind === 3).length >= 2, 10_000, 'the two control CLIENT spans');

    const clientSpans = collector.spans().filter((span) => span.kind === 3 /* CLIENT */);
    const targets = clientSpans.map((span) => (span.attributes['url.full'] ?? span.attributes['http.url'] ?? '') as string);
    expect(targets).toEqual(expect.arrayContaining([`${controlUrl}/control-http`, `${controlUrl}/control-fetch`]));
    const sinkPort = new URL(sink.dsn()).port;
    const selfTraffic = clientSpans.filter((span) => {
      const portAttribute: unknown = span.attributes['server.port'] ?? span.attributes['net.peer.port'];
      const port = typeof portAttribute === 'number' || typeof portAttribute === 'string' ? String(portAttribute) : '';
      return port === sinkPort || port === String(collector.port);
    });
    expect(selfTraffic).toEqual([]);
    expect(JSON.stringify(collector.spans())).not.toContain('dsnpublickey42');
  });
});
