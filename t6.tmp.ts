import { DuckDBInstance } from '@duckdb/node-api';
import { TYPE_TESTS } from './src/engine/import/csv.ts';
const f = '/tmp/willow-bench-wide/wide-10000x1000.csv';
const inst = await DuckDBInstance.create(':memory:', { threads: '2', memory_limit: '1GB' });
const c = await inst.connect();
async function t(label: string, sql: string) { const s = performance.now(); try { const r = await c.runAndReadAll(sql); console.log(label, Math.round(performance.now() - s), 'ms', JSON.stringify(r.getRows().slice(0,2), (k, v) => typeof v === 'bigint' ? Number(v) : v).slice(0, 150)); } catch (e) { console.log(label, 'FAIL', Math.round(performance.now() - s), String(e).slice(0, 300)); } }
const n=10000;
const cols = '{' + Array.from({ length: n }, (_, i) => `'c${i}': 'VARCHAR'`).join(',') + '}';
const scan = `read_csv('${f}', header=true, columns=${cols}, delim=',', quote='"', escape='"', auto_detect=false)`;
const g0 = Array.from({length:1000},(_, i)=>'c'+i).join(',');
await t('text table', `CREATE TEMP TABLE g AS SELECT ${g0} FROM ${scan}`);
const kinds = ['i','d','b','t'];
const checks = kinds.map((k) => `bool_and(${(TYPE_TESTS as any)[k]('v')}) AS ${k}`).join(', ');
await t('unpivot only', `SELECT count(*) FROM (SELECT k, count(v) FROM (UNPIVOT g ON COLUMNS(*) INTO NAME k VALUE v) GROUP BY k)`);
await t('current', `SELECT count(*), sum(i::int), sum(d::int) FROM (SELECT k, count(v) AS n, ${checks} FROM (UNPIVOT g ON COLUMNS(*) INTO NAME k VALUE v) GROUP BY k)`);
const checks2 = `bool_and(TRY_CAST(v AS DOUBLE) IS NOT NULL) AS num`;
await t('cast only', `SELECT count(*) FROM (SELECT k, count(v) AS n, ${checks2} FROM (UNPIVOT g ON COLUMNS(*) INTO NAME k VALUE v) GROUP BY k)`);
// staged: first a cheap classification per value
const cls = `CASE WHEN TRY_CAST(v AS DOUBLE) IS NULL THEN (CASE WHEN lower(v) IN ('true','false') THEN 'b' WHEN ${TYPE_TESTS.t('v')} THEN 't' ELSE 's' END) WHEN ${TYPE_TESTS.i('v')} THEN 'i' WHEN ${TYPE_TESTS.d('v')} THEN 'd' ELSE 's' END`;
await t('classify', `SELECT count(*), count(*) FILTER (WHERE i), count(*) FILTER (WHERE d) FROM (SELECT k, count(v) AS n, bool_and(c = 'i') AS i, bool_and(c IN ('i','d')) AS d, bool_and(c='b') AS b, bool_and(c='t') AS t FROM (SELECT k, v, ${cls} AS c FROM (UNPIVOT g ON COLUMNS(*) INTO NAME k VALUE v)) GROUP BY k)`);
await t('current again', `SELECT count(*), sum(i::int), sum(d::int) FROM (SELECT k, count(v) AS n, ${checks} FROM (UNPIVOT g ON COLUMNS(*) INTO NAME k VALUE v) GROUP BY k)`);
// per column aggregates without unpivot, 100 at a time
