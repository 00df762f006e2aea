import { DuckDBInstance } from '@duckdb/node-api';
import fs from 'node:fs';
const files = fs.readdirSync('/tmp/wd/sessions/e53cb91a1e6cec472906da93cd80e0/files').map((f) => '/tmp/wd/sessions/e53cb91a1e6cec472906da93cd80e0/files/' + f);
const inst = await DuckDBInstance.create(':memory:', { threads: '2', memory_limit: '1GB' });
const c = await inst.connect();
async function t(label: string, sql: string) { const s = performance.now(); try { const r = await c.runAndReadAll(sql); const rows = r.getRows(); console.log(label, Math.round(performance.now() - s), 'ms', rows.length); } catch (e) { console.log(label, 'FAIL', Math.round(performance.now() - s), String(e).slice(0, 300)); } }
const f = files[0];
const d = await (await c.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet('${f}')`)).getRowObjects();
const cols = d.map((r) => ({ n: String(r.column_name), t: String(r.column_type) }));
const filt = (x: {n:string,t:string}, i: number) => `count(*) FILTER (WHERE ${x.t === 'DOUBLE' ? `("${x.n}" IS NULL OR isnan("${x.n}"))` : `"${x.n}" IS NULL`}) AS m${i}`;
const cnt = (x: {n:string,t:string}, i: number) => `count(${x.t === 'DOUBLE' ? `nullif("${x.n}", 'nan'::DOUBLE)` : `"${x.n}"`}) AS m${i}`;
for (const size of [100, 1000]) {
  let s = performance.now();
  for (let k = 0; k < 1000; k += size) await c.runAndReadAll(`SELECT ${cols.slice(k, k + size).map(filt).join(', ')} FROM read_parquet('${f}')`);
  console.log('filter', size, Math.round(performance.now() - s));
  s = performance.now();
  for (let k = 0; k < 1000; k += size) await c.runAndReadAll(`SELECT ${cols.slice(k, k + size).map(cnt).join(', ')} FROM read_parquet('${f}')`);
  console.log('count', size, Math.round(performance.now() - s));
}
await t('parquet_metadata', `SELECT path_in_schema, sum(stats_null_count) FROM parquet_metadata('${f}') GROUP BY ALL`);
