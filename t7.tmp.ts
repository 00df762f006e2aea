import { DuckDBInstance } from '@duckdb/node-api';
import { TYPE_TESTS } from './src/engine/import/csv.ts';
const f = '/tmp/willow-bench-wide/wide-10000x1000.csv';
const inst = await DuckDBInstance.create(':memory:', { threads: '2', memory_limit: '1GB' });
const c = await inst.connect();
async function t(label: string, sql: string) { const s = performance.now(); try { const r = await c.runAndReadAll(sql); console.log(label, Math.round(performance.now() - s), 'ms', JSON.stringify(r.getRows().slice(0,2), (k, v) => typeof v === 'bigint' ? Number(v) : v).slice(0, 150)); } catch (e) { console.log(label, 'FAIL', Math.round(performance.now() - s), String(e).slice(0, 300)); } }
const n=10000;
const cols = '{' + Array.from({ length: n }, (_, i) => `'c${i}': 'VARCHAR'`).join(',') + '}';
const scan = `read_csv('${f}', header=true, columns=${cols}, delim=',', quote='"', escape='"', auto_detect=false)`;
const kinds = ['i','d','b','t'];
const checks = kinds.map((k) => `bool_and(${(TYPE_TESTS as any)[k]('v')}) AS ${k}`).join(', ');
const cast = (src: string, g: number) => Array.from({length:1000},(_, i)=>`TRY_CAST(c${g*1000+i} AS ${i%4==2?'VARCHAR':i%4==1?'DOUBLE':'BIGINT'}) AS c${g*1000+i}`).join(',');
for (let g = 0; g < 2; g++) {
  const gl = Array.from({length:1000},(_, i)=>'c'+(g*1000+i)).join(',');
  let s = performance.now();
  await t('A text table', `CREATE TEMP TABLE g${g} AS SELECT ${gl} FROM ${scan}`);
  await t('A infer', `SELECT count(*) FROM (SELECT k, count(v) AS n, ${checks} FROM (UNPIVOT g${g} ON COLUMNS(*) INTO NAME k VALUE v) GROUP BY k)`);
  await t('A typed copy', `COPY (SELECT ${cast('', g)} FROM g${g}) TO '/tmp/w/A${g}.parquet' (FORMAT parquet, COMPRESSION snappy)`);
  await t('A drop', `DROP TABLE g${g}`);
  console.log('A total', Math.round(performance.now() - s));
  s = performance.now();
  await t('B text parquet', `COPY (SELECT ${gl} FROM ${scan}) TO '/tmp/w/B${g}t.parquet' (FORMAT parquet, COMPRESSION uncompressed)`);
  await t('B infer', `SELECT count(*) FROM (SELECT k, count(v) AS n, ${checks} FROM (UNPIVOT (FROM '/tmp/w/B${g}t.parquet') ON COLUMNS(*) INTO NAME k VALUE v) GROUP BY k)`);
  await t('B typed copy', `COPY (SELECT ${cast('', g)} FROM '/tmp/w/B${g}t.parquet') TO '/tmp/w/B${g}.parquet' (FORMAT parquet, COMPRESSION snappy)`);
  console.log('B total', Math.round(performance.now() - s));
  s = performance.now();
  await t('C infer csv', `SELECT count(*) FROM (SELECT k, count(v) AS n, ${checks} FROM (UNPIVOT (SELECT ${gl} FROM ${scan}) ON COLUMNS(*) INTO NAME k VALUE v) GROUP BY k)`);
  await t('C typed copy csv', `COPY (SELECT ${cast('', g)} FROM ${scan}) TO '/tmp/w/C${g}.parquet' (FORMAT parquet, COMPRESSION snappy)`);
  console.log('C total', Math.round(performance.now() - s));
}
