import { runHonoBench } from './hono-bench.ts';
const r = await runHonoBench({ setups: ['bare','kira','kira-auto','usual','usual-hono-otel'], rounds: 1, durationSeconds: 2, warmupSeconds: 1, connections: 10, sampleRatio: 0.1, log: console.log });
console.log(JSON.stringify(r.setups.map(s=>({s:s.setup, rps:s.requestsPerSecond.median, ratio:s.ratio?.requestsPerSecond.median, spr:s.exportedSpansPerRequest, rss:s.rssMiB})), null, 1));
