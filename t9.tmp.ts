import { DuckDBInstance } from '@duckdb/node-api';
import { PANDAS_NA } from './src/engine/import/na.ts';
const f = '/tmp/willow-bench-wide/wide-10000x1000.csv';
const inst = await DuckDBInstance.create(':memory:', { threads: '2', memory_limit: '1GB' });
const c = await inst.connect();
async function t(label: string, sql: string) { const s = performance.now(); try { const r = await c.runAndReadAll(sql); console.log(label, Math.round(performance.now() - s), 'ms', JSON.stringify(r.getRows().slice(0,2), (k, v) => typeof v === 'bigint' ? Number(v) : v).slice(0, 150)); } catch (e) { console.log(label, 'FAIL', Math.round(performance.now() - s), String(e).slice(0, 300)); } }
const n=10000;
const cols = '{' + Array.from({ length: n }, (_, i) => `'c${i}': 'VARCHAR'`).join(',') + '}';
const base = `'${f}', header=true, columns=${cols}, delim=',', quote='"', escape='"', auto_detect=false`;
const na = `nullstr = [${PANDAS_NA.map((x) => `'${x}'`).join(', ')}]`;
const gl = Array.from({length:1000},(_, i)=>'c'+i).join(',');
await t('plain', `CREATE TEMP TABLE a AS SELECT ${gl} FROM read_csv(${base})`);
await t('ignore_errors', `CREATE TEMP TABLE b AS SELECT ${gl} FROM read_csv(${base}, ignore_errors=true)`);
await t('nullstr', `CREATE TEMP TABLE c AS SELECT ${gl} FROM read_csv(${base}, ${na})`);
await t('both', `CREATE TEMP TABLE d AS SELECT ${gl} FROM read_csv(${base}, ignore_errors=true, ${na})`);
await t('plain again', `CREATE TEMP TABLE e AS SELECT ${gl} FROM read_csv(${base})`);
