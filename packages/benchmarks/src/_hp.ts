import { runHonoBench } from './hono-bench.ts';
const r = await runHonoBench({ setups: ['bare', 'bare-middleware', 'kira-floor', 'kira'], rounds: 3, durationSeconds: 4, warmupSeconds: 2, connections: 10, sampleRatio: 0.1, profileDir: process.env.PROF });
for (const s of r.setups) console.log(s.setup, s.requestsPerSecond.median.toFixed(0), 'cpu', s.cpuMicrosPerRequest.median.toFixed(1), 'ratio', s.ratio?.requestsPerSecond.median.toFixed(2), 'p99r', s.ratio?.p99.median.toFixed(2), 'cpur', s.ratio?.cpuMicrosPerRequest.median.toFixed(2), 'spans/req', s.exportedSpansPerRequest.toFixed(3));
