import { DuckDBInstance } from '@duckdb/node-api';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { execFileSync } from 'node:child_process';
import { PANDAS_NA } from './src/engine/import/na.ts';
const rows = process.argv[2] ?? '3000000';
const only = (process.argv[3] ?? 'A,B,C,D').split(',');
const csv = `/work/wt/io9/bench/out/bench-${rows}.csv`;
const inst = await DuckDBInstance.create(':memory:', { threads: process.env.TH ?? '2', memory_limit: '1GB' });
const db = await inst.connect();
const lit = (s: string) => `'${s.replaceAll("'", "''")}'`;
const cols = `{'c0': 'BIGINT', 'c1': 'DOUBLE', 'c2': 'BIGINT', 'c3': 'VARCHAR', 'c4': 'VARCHAR', 'c5': 'VARCHAR', 'c6': 'TIMESTAMP', 'c7': 'DOUBLE'}`;
const sel = `c0, c1, c2, c3, c4, CASE WHEN c5 IS NULL THEN NULL WHEN lower(c5) = 'true' THEN true WHEN lower(c5) = 'false' THEN false ELSE error('x') END AS c5, c6, c7`;
let k = 0;
const typed = (src: string, extra = '') => `COPY (SELECT ${sel} FROM read_csv(${lit(src)}, auto_detect = false, delim = ',', quote = '"', escape = '"', new_line = '\\n', header = true, skip = 0, null_padding = false, ignore_errors = true, store_rejects = true, rejects_table = 'rj${++k}', rejects_scan = 'rs${k}', nullstr = [${PANDAS_NA.map(lit).join(', ')}], columns = ${cols}${extra})) TO '/tmp/io9x/t.parquet' (FORMAT parquet, COMPRESSION snappy, ROW_GROUP_SIZE 122880)`;
const floor = (src: string) => `COPY (SELECT * FROM read_csv(${lit(src)})) TO '/tmp/io9x/f.parquet' (FORMAT parquet)`;
function fifo(): string {
  const f = `/tmp/io9x/p${Math.random()}`;
  execFileSync('mkfifo', [f]);
  const cat = spawn('sh', ['-c', `cat ${csv} > ${f}`], { stdio: 'ignore' });
  cat.on('exit', () => fs.rmSync(f, { force: true }));
  return f;
}
async function t(label: string, sql: string) {
  const s = performance.now(); const c = process.cpuUsage();
  await db.run(sql);
  const d = process.cpuUsage(c);
  console.log(label.padEnd(40), 'wall', Math.round(performance.now() - s), 'cpu', Math.round((d.user + d.system) / 1000));
}
for (let r = 0; r < Number(process.env.REPS ?? 3); r++) {
  if (only.includes('A')) await t('A floor file', floor(csv));
  if (only.includes('B')) await t('B typed file', typed(csv));
  if (only.includes('C')) await t('C typed fifo', typed(fifo()));
  if (only.includes('D')) await t('D floor fifo', floor(fifo()));
  if (only.includes('E')) await t('E typed file, no rejects/nullstr', typed(csv).replace(/store_rejects.*?nullstr = \[.*?\], /, ''));
  if (only.includes('F')) await t('F typed file, nullstr only empty', typed(csv).replace(/nullstr = \[.*?\]/, "nullstr = ['']"));
  if (only.includes('H')) await t('H typed file, flag BOOLEAN native', typed(csv).replace(/CASE WHEN c5.*?END AS c5/, 'c5').replace("'c5': 'VARCHAR'", "'c5': 'BOOLEAN'"));
  if (only.includes('G')) await t('G typed file, no store_rejects', typed(csv).replace(/store_rejects.*?rejects_scan = '[^']*', /, ''));
}
