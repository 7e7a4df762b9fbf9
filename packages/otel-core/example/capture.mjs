// `pnpm example`: @kira/otel-core exporting to a local OTLP capture server, then a summary of
// what arrived. Nothing leaves this machine.
import { createServer } from 'node:http';
import { metrics, trace } from '@opentelemetry/api';
import { getLogger, startTelemetry } from '@kira/otel-core';
import { startOtlpCaptureServer } from '@kira/test-utils';

const capture = await startOtlpCaptureServer();
const target = createServer((_request, response) => response.end('pong'));
await new Promise((resolve) => target.listen(0, '127.0.0.1', resolve));
const targetUrl = `http://127.0.0.1:${target.address().port}/ping`;

// Environment first, exactly as a service would be configured.
process.env.KIRA_TELEMETRY = 'on';
process.env.OTEL_EXPORTER_OTLP_ENDPOINT = capture.url;
process.env.OTEL_METRIC_EXPORT_INTERVAL = '1000';
process.env.OTEL_TRACES_SAMPLER_ARG = '1'; // keep every trace so the one below is visible
process.env.OTEL_SERVICE_NAME ??= 'otel-core-example';

const telemetry = startTelemetry();
const logger = getLogger('example');
const requests = metrics.getMeter('example').createCounter('example_requests', { unit: '1' });

await trace.getTracer('example').startActiveSpan('example-job', async (span) => {
  logger.info('calling the target', { 'url.full': targetUrl });
  const body = await fetch(targetUrl).then((response) => response.text());
  requests.add(1, { outcome: body === 'pong' ? 'ok' : 'unexpected' });
  span.end();
});

await telemetry.forceFlush();

const rows = [];
for (const request of capture.requests) {
  const key = `${request.path} ${request.contentType}`;
  let row = rows.find((candidate) => candidate.key === key);
  if (!row) rows.push((row = { key, path: request.path, contentType: request.contentType, requests: 0 }));
  row.requests++;
}
const counts = {
  '/v1/traces': capture.spans().map((span) => span.name),
  '/v1/metrics': capture.metrics().map((metric) => metric.name),
  '/v1/logs': capture.logs().map((record) => String(record.body)),
};
const serviceNames = new Set([...capture.spans(), ...capture.metrics(), ...capture.logs()].map((item) => item.resource['service.name']));

console.log(`\n@kira/otel-core example: capture server ${capture.url} received\n`);
console.log(`${'path'.padEnd(12)} ${'content-type'.padEnd(24)} ${'requests'.padEnd(8)}  items`);
for (const row of rows) {
  const items = counts[row.path] ?? [];
  const names = [...new Set(items)].join(', ');
  console.log(`${row.path.padEnd(12)} ${row.contentType.padEnd(24)} ${String(row.requests).padEnd(8)}  ${items.length} (${names})`);
}
console.log(`\nresource service.name: ${[...serviceNames].join(', ')}`);

await telemetry.shutdown();
await capture.close();
await new Promise((resolve) => target.close(resolve));

const ok = ['/v1/traces', '/v1/metrics', '/v1/logs'].every((path) => rows.some((row) => row.path === path));
if (!ok) {
  console.error('example: not every signal arrived');
  process.exitCode = 1;
}
