import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Duck, type Db } from '../src/engine/duck.ts';
import { readJsonDataset } from '../src/engine/import/json.ts';
import { WIDE_COLUMNS } from '../src/engine/import/wide.ts';

// Wide JSON records are taken apart once each into lists of keys and values, and a record
// whose keys are not exactly all the keys in their order has its values put in that order
// (src/engine/import/json.ts, wideRecords). The reference is the same file read without a
// scratch folder: one from_json of every key's struct, by position, typed by inferTypes.
// Every value, type, name and the row order must be the same, for records that lack keys,
// hold them in another order, repeat one, hold none, or bring a key of their own late; with
// the records in one slice, in slices of a few, and each in its own.

const BASE = WIDE_COLUMNS + 60;

/** The JSON text of value (r, c): integers, floats, text that looks like numbers, booleans, dates, nested values, nulls. */
function value(r: number, c: number): string {
  switch (c % 9) {
    case 0:
      return String(r * 1000 + c);
    case 1:
      return r % 7 === 3 ? 'null' : `${r}.${c % 10}5`;
    case 2:
      return JSON.stringify(`t${(r * c) % 13} "q" ü`);
    case 3:
      return r % 2 ? 'true' : 'false';
    case 4:
      return JSON.stringify(`2021-0${1 + (r % 9)}-1${c % 10}`);
    case 5:
      return r % 5 === 0 ? '{"x": [1, 2, {"y": null}]}' : '[1, "a"]';
    case 6:
      return c === 6 ? 'null' : r % 3 === 0 ? '1e5' : '-0.0';
    case 7:
      return r === 4 ? JSON.stringify('12') : String(r - c); // one text among integers
    default:
      return r % 4 === 0 ? JSON.stringify('') : '12345678901234567890';
  }
}

/** Record r as JSON text, its fields in the given order, each field once unless repeated on purpose. */
function record(fields: [string, string][]): string {
  return `{${fields.map(([k, v]) => `${JSON.stringify(k)}: ${v}`).join(', ')}}`;
}

function records(firstWide: boolean): string[] {
  const base = (r: number) => Array.from({ length: BASE }, (_, c): [string, string] => [`k${c}`, value(r, c)]);
  const out: string[] = [];
  for (let r = 0; r < 40; r++) {
    let fields = base(r);
    if (r === 0 && !firstWide) fields = fields.slice(0, 3);
    else if (r % 10 === 3) fields = fields.reverse();
    else if (r % 10 === 5) fields = fields.filter((_, c) => c % 11 !== 2); // lacks some keys
    else if (r % 10 === 7) fields = [...fields.slice(0, 9), ['k3', '"repeated"'], ...fields.slice(9)]; // k3 twice: the last counts (pandas)
    else if (r === 8) fields = [];
    else if (r === 9) fields = [...fields, ['K5', '"upper"'], [`late${r}`, '7']]; // differs only in case; a key of its own
    else if (r === 21) fields = [[`late${r}`, '"x"'], ...fields.slice(5)];
    out.push(record(fields));
  }
  return out;
}

async function table(db: Db, sql: string): Promise<{ types: string[]; rows: unknown[][] }> {
  const types = (await db.describe(`SELECT * FROM (${sql})`)).map((c) => c.type);
  const rows = (await db.rowsJson(`SELECT * FROM (${sql})`)).map((r) => Object.values(r));
  return { types, rows };
}

/**
 * Read `file` as wide (staged in `dir`, slices of `sliceBytes`) and compare names, types and
 * every row with the reference read in one statement; `more` checks the wide read further.
 * The wide read's files are removed.
 */
async function compareWide(db: Db, file: string, dir: string, sliceBytes: number, reference: { names: string[] }, want: { types: string[]; rows: unknown[][] }, more?: (source: Awaited<ReturnType<typeof readJsonDataset>>) => void): Promise<void> {
  const source = await readJsonDataset(db, file, Infinity, dir, sliceBytes);
  try {
    assert.ok(source.ready, 'read as wide');
    assert.deepEqual(source.names, reference.names);
    const got = await table(db, source.sql);
    assert.deepEqual(got.types, want.types, `types (slices of ${sliceBytes} bytes)`);
    assert.equal(got.rows.length, want.rows.length);
    for (let r = 0; r < want.rows.length; r++) assert.deepEqual(got.rows[r], want.rows[r], `row ${r} (slices of ${sliceBytes} bytes)`);
    more?.(source);
  } finally {
    await Promise.all((source.ready?.files ?? []).map((f) => fs.rm(f, { force: true })));
  }
}

for (const firstWide of [true, false]) {
  test(`wide JSON records ${firstWide ? '(first record wide)' : '(first record narrow)'} read the same as one statement over every key`, async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'willow-json-records-'));
    const duck = await Duck.open({ threads: 2, memoryLimit: '1GB', tempDirectory: dir });
    try {
      const texts = records(firstWide);
      const file = path.join(dir, 'wide.json');
      await fs.writeFile(file, `[${texts.join(',\n')}]`);
      const db = await duck.connect();
      try {
        const reference = await readJsonDataset(db, file, Infinity, undefined);
        assert.equal(reference.ready, undefined, 'the reference is read in one statement');
        const want = await table(db, reference.sql);
        assert.ok(reference.names.length > BASE, 'late keys are columns');
        assert.ok(new Set(want.types).size >= 4, `several types: ${[...new Set(want.types)]}`);
        for (const sliceBytes of [1, 3 * texts[1].length, 1 << 30]) {
          await compareWide(db, file, dir, sliceBytes, reference, want, (source) => {
            // The present counts kept for metadata are those of the values.
            const present = source.ready!.columns.map((c) => c.present);
            const counted = want.rows[0].map((_, j) => want.rows.filter((row) => row[j] !== null).length);
            assert.deepEqual(present, counted);
          });
        }
        // Nothing of the import is left in the database (its tables are shared by connections).
        const left = await db.rows(`SELECT table_name FROM duckdb_tables() WHERE NOT temporary`);
        assert.deepEqual(left, []);
      } finally {
        db.close();
      }
    } finally {
      duck.close();
      await fs.rm(dir, { recursive: true, force: true });
    }
  });
}

test('wide JSON arrays of rows (some shorter) read the same as one statement over every value', async () => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'willow-json-records-'));
  const duck = await Duck.open({ threads: 2, memoryLimit: '1GB', tempDirectory: dir });
  try {
    const texts = Array.from({ length: 30 }, (_, r) => `[${Array.from({ length: r % 6 === 4 ? BASE - 7 : BASE }, (_, c) => value(r, c)).join(', ')}]`);
    const file = path.join(dir, 'rows.json');
    await fs.writeFile(file, `[${texts.join(',\n')}]`);
    const db = await duck.connect();
    try {
      const reference = await readJsonDataset(db, file, Infinity, undefined);
      const want = await table(db, reference.sql);
      for (const sliceBytes of [1, 3 * texts[0].length, 1 << 30]) await compareWide(db, file, dir, sliceBytes, reference, want);
      assert.deepEqual(await db.rows(`SELECT table_name FROM duckdb_tables() WHERE NOT temporary`), []);
    } finally {
      db.close();
    }
  } finally {
    duck.close();
    await fs.rm(dir, { recursive: true, force: true });
  }
});

test('wide JSON records past MAX_COLUMNS are refused, and leave nothing behind', async () => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'willow-json-records-'));
  const duck = await Duck.open({ threads: 2, memoryLimit: '1GB', tempDirectory: dir });
  try {
    const file = path.join(dir, 'wide.json');
    await fs.writeFile(file, JSON.stringify([Object.fromEntries(Array.from({ length: BASE }, (_, c) => [`k${c}`, c])), { extra: 1 }]));
    const db = await duck.connect();
    try {
      await assert.rejects(readJsonDataset(db, file, BASE, dir), /the file has 1061 columns; the limit is 1060/);
      assert.deepEqual(await db.rows(`SELECT table_name FROM duckdb_tables()`), []);
      assert.deepEqual(await fs.readdir(dir), ['wide.json']);
    } finally {
      db.close();
    }
  } finally {
    duck.close();
    await fs.rm(dir, { recursive: true, force: true });
  }
});
