import { DuckDBInstance } from '@duckdb/node-api';
const f = '/tmp/willow-bench-wide/wide-10000x1000.csv';
const inst = await DuckDBInstance.create(':memory:', { threads: '2', memory_limit: '1GB' });
const c = await inst.connect();
const n = 10000;
async function t(label: string, sql: string) { const s = performance.now(); try { const r = await c.runAndReadAll(sql); console.log(label, Math.round(performance.now() - s), 'ms', JSON.stringify(r.getRows().slice(0,1), (k, v) => typeof v === 'bigint' ? Number(v) : v).slice(0, 100)); } catch (e) { console.log(label, 'FAIL', Math.round(performance.now() - s), String(e).slice(0, 300)); } }
const lines = `read_csv('${f}', columns={'line':'VARCHAR'}, header=false, skip=1, delim='\x01\x02\x03\x04', quote='', escape='', auto_detect=false, max_line_size=8388608, buffer_size=16777216, new_line='\\n')`;
await t('count lines', `SELECT count(*), max(length(line)) FROM ${lines}`);
await t('split count', `SELECT sum(len(string_split(line, ','))) FROM ${lines}`);
await t('rows table', `CREATE TEMP TABLE r AS SELECT string_split(line, ',') AS l FROM ${lines}`);
await t('infer', `SELECT count(*) FROM (SELECT k, count(v) AS n, bool_and(regexp_matches(v, '^\\s*[-+]?\\d+\\s*$') AND TRY_CAST(v AS BIGINT) IS NOT NULL) AS i, bool_and(regexp_matches(v, '^\\s*[-+]?((\\d+\\.?\\d*|\\.\\d+)(e[-+]?\\d+)?|inf|infinity)\\s*$', 'i') AND TRY_CAST(v AS DOUBLE) IS NOT NULL) AS d, bool_and(lower(v) IN ('true','false')) AS b FROM (SELECT generate_subscripts(l, 1) AS k, unnest(l) AS v FROM r) WHERE v <> '' GROUP BY k)`);
await t('infer-unnest-only', `SELECT count(*) FROM (SELECT k, count(v) FROM (SELECT generate_subscripts(l, 1) AS k, unnest(l) AS v FROM r) GROUP BY k)`);
for (const g of [0, 1]) {
  const exprs = Array.from({length: 1000}, (_, j) => `TRY_CAST(l[${g*1000+j+1}] AS BIGINT) AS c${g*1000+j}`).join(',');
  await t('copy group from table ' + g, `COPY (SELECT ${exprs} FROM r) TO '/tmp/w/lg${g}.parquet' (FORMAT parquet)`);
  await t('copy group from lines ' + g, `COPY (SELECT ${exprs.replaceAll('l[', 'string_split(line, \',\')[')} FROM ${lines}) TO '/tmp/w/lh${g}.parquet' (FORMAT parquet)`);
}
const exprs2 = Array.from({length: 2000}, (_, j) => `TRY_CAST(l[${j+1}] AS BIGINT) AS c${j}`).join(',');
await t('copy 2000 from table', `COPY (SELECT ${exprs2} FROM r) TO '/tmp/w/l2k.parquet' (FORMAT parquet)`);
