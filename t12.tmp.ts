import { DuckDBInstance } from '@duckdb/node-api';
import fs from 'node:fs';
const dir = '/tmp/wd/sessions/e53cb91a1e6cec472906da93cd80e0/files/';
const files = fs.readdirSync(dir).map((f) => dir + f);
const inst = await DuckDBInstance.create(':memory:', { threads: '1', memory_limit: '1GB' });
const c = await inst.connect();
async function t(label: string, sql: string) { const s = performance.now(); try { const r = await c.runAndReadAll(sql); const rows = r.getRows(); console.log(label, Math.round(performance.now() - s), 'ms', rows.length, String(rows[0]?.[0])); } catch (e) { console.log(label, 'FAIL', Math.round(performance.now() - s), String(e).slice(0, 200)); } }
const src = files.map((f, k) => `read_parquet('${f}') t${k}`).join(' POSITIONAL JOIN ');
await t('view', `CREATE VIEW df AS SELECT * FROM ${src}`);
await t('count', `SELECT count(*) FROM (SELECT * FROM df LIMIT 900)`);
await t('copy parquet', `COPY (SELECT * FROM df LIMIT 900) TO '/tmp/w/r.parquet' (FORMAT parquet)`);
await t('copy parquet rg 100', `COPY (SELECT * FROM df LIMIT 900) TO '/tmp/w/r.parquet' (FORMAT parquet, ROW_GROUP_SIZE 100)`);
await t('copy 2000 cols', `COPY (SELECT COLUMNS(c -> c < 'c2') FROM df LIMIT 900) TO '/tmp/w/r.parquet' (FORMAT parquet)`);
await t('table', `CREATE TABLE r AS SELECT * FROM df LIMIT 900`);
await t('mem', `SELECT sum(memory_usage_bytes)/1e6 FROM duckdb_memory()`);
