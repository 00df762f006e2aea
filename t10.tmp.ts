import { DuckDBInstance } from '@duckdb/node-api';
import { TYPE_TESTS } from './src/engine/import/csv.ts';
const f = '/tmp/willow-bench-wide/wide-10000x1000.csv';
const inst = await DuckDBInstance.create(':memory:', { threads: '2', memory_limit: '1GB' });
const c = await inst.connect();
async function t(label: string, sql: string) { const s = performance.now(); try { const r = await c.runAndReadAll(sql); const rows = r.getRows(); console.log(label, Math.round(performance.now() - s), 'ms', rows.length, JSON.stringify(rows.slice(0,4), (k, v) => typeof v === 'bigint' ? Number(v) : v).slice(0, 200)); } catch (e) { console.log(label, 'FAIL', Math.round(performance.now() - s), String(e).slice(0, 300)); } }
const n=10000;
const cols = '{' + Array.from({ length: n }, (_, i) => `'c${i}': 'VARCHAR'`).join(',') + '}';
const scan = `read_csv('${f}', header=true, columns=${cols}, delim=',', quote='"', escape='"', auto_detect=false)`;
const gl = Array.from({length:1000},(_, i)=>'c'+i).join(',');
await t('stage', `CREATE TEMP TABLE g AS SELECT ${gl} FROM ${scan}`);
const kinds = ['i','d','b','t'];
const checks = kinds.map((k) => `bool_and(${(TYPE_TESTS as any)[k]('v')}) AS ${k}`).join(', ');
await t('V0', `SELECT k, count(v) AS n, ${checks} FROM (UNPIVOT (SELECT * FROM g) ON COLUMNS(*) INTO NAME k VALUE v) GROUP BY k ORDER BY k`);
const T = TYPE_TESTS as any;
const cls = `CASE WHEN TRY_CAST(v AS DOUBLE) IS NOT NULL THEN (CASE WHEN ${T.i('v')} THEN 1 WHEN ${T.d('v')} THEN 2 ELSE 0 END) WHEN lower(v) IN ('true', 'false') THEN 3 WHEN length(v) >= 8 AND ${T.t('v')} THEN 4 ELSE 0 END`;
await t('V1', `SELECT k, count(v) AS n, bool_and(c = 1) AS i, bool_and(c IN (1, 2)) AS d, bool_and(c = 3) AS b, bool_and(c = 4) AS t FROM (SELECT k, v, ${cls} AS c FROM (UNPIVOT (SELECT * FROM g) ON COLUMNS(*) INTO NAME k VALUE v)) GROUP BY k ORDER BY k`);
await t('V1b min', `SELECT k, count(v) AS n, min(c) AS lo, max(c) AS hi FROM (SELECT k, v, ${cls} AS c FROM (UNPIVOT (SELECT * FROM g) ON COLUMNS(*) INTO NAME k VALUE v)) GROUP BY k ORDER BY k`);
await t('V0 again', `SELECT k, count(v) AS n, ${checks} FROM (UNPIVOT (SELECT * FROM g) ON COLUMNS(*) INTO NAME k VALUE v) GROUP BY k ORDER BY k`);
