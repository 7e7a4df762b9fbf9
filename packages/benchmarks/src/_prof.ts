import { startTelemetry } from '@kira/otel-core';
if (process.argv[2] === 'on') startTelemetry({ enabled: true, serviceName: 'p', endpoint: 'http://127.0.0.1:9', console: false, shutdownOnExit: false, instrumentations: { http: { inbound: false } } });
const { otelHono } = await import('@kira/otel-hono');
const { createBenchApp } = await import('./hono-app.ts');
const bare = createBenchApp();
const otel = createBenchApp([otelHono({ spanOwnership: 'middleware' })]);
async function time(app: any, n: number) { const t = performance.now(); for (let i = 0; i < n; i++) await app.fetch(new Request('http://localhost/users/42')); return (performance.now() - t) * 1000 / n; }
for (let r = 0; r < 6; r++) { const a = await time(bare, 20000); const b = await time(otel, 20000); console.log('bare', a.toFixed(2), 'otel', b.toFixed(2), 'µs'); }
process.exit(0);
