import { createStore } from './dist/index.js';
import { builtInDashboards, renderPanelSql } from '@kira/dashboards';
import { rmSync, existsSync } from 'node:fs';
const dir='/tmp/e1-prof9'; const fresh = !existsSync(dir);
const store = await createStore({ dataDir: dir, retentionDays: 7, flushRows: 50000 });
const panels = builtInDashboards.flatMap(d=>d.panels.map(p=>({title:p.title, sql:renderPanelSql(p)})));
const end = 1795600000; // fixed
if (fresh) {
  const kinds = new Map(); const labels=new Set();
  for (const {sql} of panels){ const kind=/histogramQuantile|bucket_/.test(sql)?'histogram':/rate_avg/.test(sql)?'counter':'gauge'; for (const m of sql.matchAll(/name = '([^']+)'/g)) if(!kinds.has(m[1])) kinds.set(m[1],kind); for (const m of sql.matchAll(/label\('([^']+)'\)/g)) labels.add(m[1]); }
  const series=[]; for (const [name,kind] of kinds) for (let s=0;s<13;s++){ const tags={instance:'i'+s, 'service.name':'bench'}; let i=0; for (const l of labels) tags[l] = l==='success' ? (s%4===0?'false':'true') : l==='http_status_code' ? (s%5===0?'500':'200') : `${l}_${(s+i++)%4}`; series.push({name,kind,tags}); }
  const t0=performance.now();
  for (let t=0;t<8640;t+=100){ const pts=[]; for (let k=t;k<Math.min(8640,t+100);k++){ const time=(end-86400+k*10)*1000; for (const [idx,s] of series.entries()){ if (s.kind==='histogram') pts.push({name:s.name, kind:'histogram', temporality:'delta', tags:s.tags, time, startTime:time-10000, bounds:[5,10,25,50,100,250,500,1000,2500,5000,10000], bucketCounts:[1,2,3,(idx+k)%5,5,6,0,1,2,3,4,k%2], sum:1000, count:30}); else if (s.kind==='counter') pts.push({name:s.name, kind:'sum', tags:s.tags, time, startTime:(end-86400-60)*1000, value:(k+1)*(1+idx%5)}); else pts.push({name:s.name, kind:'gauge', tags:s.tags, time, value:Math.abs(Math.sin(k/100+idx))*1e9}); } } await store.insertMetricPoints(pts); }
  console.log('seeded', (await store.query('SELECT count() n FROM metrics')).rows[0], ((performance.now()-t0)/1000).toFixed(1),'s');
}
console.log((await store.query("SELECT count() parts, sum(rows) r FROM system.parts WHERE table='metrics' AND active")).rows[0]);
const range = { startTime: new Date((end-86400)*1000), endTime: new Date(end*1000) };
for (const p of panels){ const ts=[]; for (let i=0;i<5;i++){ const t=performance.now(); await store.readOnlyQuery(p.sql, range); ts.push(performance.now()-t);} ts.sort((a,b)=>a-b); console.log(ts[2].toFixed(0).padStart(5),'ms median', ts[0].toFixed(0).padStart(5), 'min ', p.title); }
await store.close();
