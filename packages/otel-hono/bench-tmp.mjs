import { Hono } from 'hono';
import { otelHono } from '@kira/otel-hono';
import { createTestSdk } from '@kira/test-utils';
const mk = (mw) => { const a = new Hono(); a.use(mw); a.get('/users/:id', (c) => c.text('ok')); return a; };
async function run(app, n) { const req = new Request('http://localhost/users/1'); const t = performance.now(); for (let i = 0; i < n; i++) await app.fetch(req); return (performance.now() - t) * 1000 / n; }
const pass = mk(async (_c, next) => { await next(); });
const variant = process.argv[2];
let sdk;
if (variant === 'unsampled') sdk = createTestSdk({ sampler: { shouldSample: () => ({ decision: 0 }), toString: () => 'off' } });
const ot = mk(otelHono());
const res = { pass: [], otel: [] };
for (let r = 0; r < 5; r++) { await run(pass, 20000); res.pass.push(await run(pass, 50000)); await run(ot, 20000); res.otel.push(await run(ot, 50000)); }
const med = (a) => a.sort((x, y) => x - y)[2].toFixed(2);
console.log(variant ?? 'nosdk', 'passthrough', med(res.pass), 'otelHono', med(res.otel));
await sdk?.shutdown();
