import { DuckDBInstance } from '@duckdb/node-api';
const f = '/tmp/willow-bench-wide/wide-10000x1000.csv';
const inst = await DuckDBInstance.create(':memory:', { threads: '2', memory_limit: '1GB' });
const c = await inst.connect();
async function t(label: string, sql: string) { const s = performance.now(); try { const r = await c.runAndReadAll(sql); console.log(label, Math.round(performance.now() - s), 'ms', JSON.stringify(r.getRows().slice(0,1), (k, v) => typeof v === 'bigint' ? Number(v) : v).slice(0, 100)); } catch (e) { console.log(label, 'FAIL', Math.round(performance.now() - s), String(e).slice(0, 300)); } }
const lines = `read_csv('${f}', columns={'line':'VARCHAR'}, header=false, skip=1, delim='\x01\x02\x03\x04', quote='', escape='', auto_detect=false, max_line_size=8388608, buffer_size=16777216, new_line='\\n')`;
await t('B rows table', `CREATE TEMP TABLE r AS SELECT string_split(line, ',') AS l FROM ${lines}`);
const ex = Array.from({length: 1000}, (_, j) => `l[${j+1}] AS c${j}`).join(',');
await t('materialize only (count distinct-ish)', `SELECT count(*) FROM (SELECT ${ex} FROM r)`);
await t('temp table g0', `CREATE TEMP TABLE g0 AS SELECT ${ex} FROM r`);
await t('copy g0 default', `COPY g0 TO '/tmp/w/x1.parquet' (FORMAT parquet)`);
await t('copy g0 uncompressed', `COPY g0 TO '/tmp/w/x2.parquet' (FORMAT parquet, COMPRESSION uncompressed)`);
await t('copy g0 no bloom', `COPY g0 TO '/tmp/w/x3.parquet' (FORMAT parquet, WRITE_BLOOM_FILTER false)`);
await t('copy g0 dict 0', `COPY g0 TO '/tmp/w/x4.parquet' (FORMAT parquet, DICTIONARY_SIZE_LIMIT 1)`);
await t('copy g0 v2', `COPY g0 TO '/tmp/w/x5.parquet' (FORMAT parquet, PARQUET_VERSION v2)`);
await t('copy g0 nobloom uncompr dict1', `COPY g0 TO '/tmp/w/x6.parquet' (FORMAT parquet, COMPRESSION uncompressed, WRITE_BLOOM_FILTER false, DICTIONARY_SIZE_LIMIT 1)`);
await t('copy g0 default again', `COPY g0 TO '/tmp/w/x1.parquet' (FORMAT parquet)`);
