import { DuckDBInstance } from '@duckdb/node-api';
const f = '/tmp/willow-bench-wide/wide-10000x1000.csv';
const inst = await DuckDBInstance.create(':memory:', { threads: '2', memory_limit: '1GB' });
const c = await inst.connect();
const n = 10000;
const cols = '{' + Array.from({ length: n }, (_, i) => `'c${i}': 'VARCHAR'`).join(',') + '}';
const scan = `read_csv('${f}', header=true, columns=${cols}, delim=',', quote='"', escape='"', auto_detect=false)`;
async function t(label: string, sql: string) { const s = performance.now(); try { const r = await c.runAndReadAll(sql); console.log(label, Math.round(performance.now() - s), 'ms', JSON.stringify(r.getRows().slice(0,1), (k, v) => typeof v === 'bigint' ? Number(v) : v).slice(0, 100)); } catch (e) { console.log(label, 'FAIL', Math.round(performance.now() - s), String(e).slice(0, 100)); } }
await t('unpivot all groupby', `SELECT count(*) FROM (SELECT k, count(v) FROM (UNPIVOT (SELECT * FROM ${scan}) ON COLUMNS(*) INTO NAME k VALUE v) GROUP BY k)`);
await t('copy all 10k varchar one parquet', `COPY (SELECT * FROM ${scan}) TO '/tmp/w/all.parquet' (FORMAT parquet)`);
await t('copy 2000 group', `COPY (SELECT ${Array.from({length:2000},(_, i)=>'c'+i).join(',')} FROM ${scan}) TO '/tmp/w/g2k.parquet' (FORMAT parquet)`);
await t('copy 5000 group', `COPY (SELECT ${Array.from({length:5000},(_, i)=>'c'+i).join(',')} FROM ${scan}) TO '/tmp/w/g5k.parquet' (FORMAT parquet)`);
