import { readdirSync } from 'node:fs';
import { summarizeProfile } from './profile-summary.ts';
const dir = process.argv[2]!; const f = readdirSync(dir).find((n) => n.endsWith('.cpuprofile'))!;
const s = summarizeProfile(`${dir}/${f}`, Number(process.argv[3] ?? 30));
console.log('samples', s.samples); console.log('--- self'); for (const e of s.self) console.log((e.selfShare*100).toFixed(1).padStart(5), (e.totalShare*100).toFixed(1).padStart(5), e.frame);
console.log('--- total'); for (const e of s.total) console.log((e.selfShare*100).toFixed(1).padStart(5), (e.totalShare*100).toFixed(1).padStart(5), e.frame);
