import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Duck } from '../duck.ts';
import { appendParquet, ParquetAppendError } from './parquet-append.ts';
import { parquetOptions } from '../parquet-layout.ts';

// Every type the importer writes, NULLs, NaN, repeated text (dictionary pages and bloom
// filters), long text, and row groups of several sizes (the head's last one is short).
const rowsSql = (from: number, to: number) => `
  SELECT range AS i,
         CASE WHEN range % 11 = 0 THEN NULL WHEN range % 13 = 0 THEN 'NaN'::DOUBLE ELSE range / 7 END AS d,
         CASE WHEN range % 5 = 0 THEN NULL ELSE 'k' || (range % 17) END AS k,
         repeat(chr(97 + (range % 26)::INTEGER), (range % 40)::INTEGER) || range AS t,
         CASE WHEN range % 3 = 0 THEN NULL ELSE range % 2 = 0 END AS b,
         TIMESTAMP '2020-01-01' + INTERVAL (range) SECOND AS ts
  FROM range(${from}, ${to})`;

test('appendParquet gives the rows of both files in order, every value, and stays readable by filters and positions', async () => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'willow-append-'));
  const duck = await Duck.open({ threads: 2, memoryLimit: '512MB', tempDirectory: dir });
  try {
    const db = await duck.connect();
    const a = path.join(dir, 'a.parquet');
    const b = path.join(dir, 'b.parquet');
    await db.run(`COPY (${rowsSql(0, 130_000)}) TO '${a}' ${parquetOptions(50_000)}`);
    await db.run(`COPY (${rowsSql(130_000, 300_001)}) TO '${b}' ${parquetOptions(60_000)}`);
    const groupSizes = async (f: string) => (await db.rows(`SELECT row_group_id, any_value(row_group_num_rows) AS n FROM parquet_metadata('${f}') GROUP BY ALL ORDER BY 1`)).map((g) => Number(g.n));
    const expectedGroups = [...(await groupSizes(a)), ...(await groupSizes(b))];
    assert.ok(expectedGroups.length >= 5);
    await appendParquet(a, b);
    assert.equal(Number(await db.scalar(`SELECT count(*) FROM read_parquet('${a}')`)), 300_001);
    // Every value, in order, against the same rows computed afresh (NaN equals NaN in DuckDB's IS NOT DISTINCT FROM).
    const differ = await db.scalar(`
      SELECT count(*) FROM (SELECT *, file_row_number AS p FROM read_parquet('${a}', file_row_number = true)) x
      FULL JOIN (SELECT *, row_number() OVER () - 1 AS p FROM (${rowsSql(0, 300_001)})) y ON x.p = y.p
      WHERE x.p IS NULL OR y.p IS NULL OR x.i IS DISTINCT FROM y.i OR x.d IS DISTINCT FROM y.d OR x.k IS DISTINCT FROM y.k
         OR x.t IS DISTINCT FROM y.t OR x.b IS DISTINCT FROM y.b OR x.ts IS DISTINCT FROM y.ts OR x.p IS DISTINCT FROM x.i`);
    assert.equal(Number(differ), 0);
    // Filters use the row groups' statistics and bloom filters: they must still find the appended rows.
    assert.equal(Number(await db.scalar(`SELECT count(*) FROM read_parquet('${a}') WHERE k = 'k3'`)), Number(await db.scalar(`SELECT count(*) FROM (${rowsSql(0, 300_001)}) WHERE k = 'k3'`)));
    assert.equal(String(await db.scalar(`SELECT t FROM read_parquet('${a}') WHERE i = 299_999`)), String(await db.scalar(`SELECT t FROM (${rowsSql(299_999, 300_000)})`)));
    assert.equal(Number(await db.scalar(`SELECT i FROM read_parquet('${a}', file_row_number = true) WHERE file_row_number = 250_000`)), 250_000);
    assert.deepEqual(await groupSizes(a), expectedGroups);
    // b is left as it was.
    assert.equal(Number(await db.scalar(`SELECT count(*) FROM read_parquet('${b}')`)), 170_001);
    db.close();
  } finally {
    duck.close();
    await fs.rm(dir, { recursive: true, force: true });
  }
});

test('appendParquet refuses files of different schemas and leaves the target as it was', async () => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'willow-append-'));
  const duck = await Duck.open({ threads: 1, memoryLimit: '256MB', tempDirectory: dir });
  try {
    const db = await duck.connect();
    const a = path.join(dir, 'a.parquet');
    const b = path.join(dir, 'b.parquet');
    await db.run(`COPY (SELECT range AS x FROM range(10)) TO '${a}' ${parquetOptions()}`);
    await db.run(`COPY (SELECT range::VARCHAR AS x FROM range(10)) TO '${b}' ${parquetOptions()}`);
    const before = await fs.readFile(a);
    await assert.rejects(appendParquet(a, b), ParquetAppendError);
    assert.ok((await fs.readFile(a)).equals(before));
    db.close();
  } finally {
    duck.close();
    await fs.rm(dir, { recursive: true, force: true });
  }
});
