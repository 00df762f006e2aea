import fs from 'node:fs/promises';
import { ident, literal } from '../sql.ts';
import { ImportError } from './types.ts';
import { clientText } from '../../operations/errors.ts';
import { uniqueColumnNames } from './names.ts';
import { tooManyColumns, writeTypedGroups, WIDE_COLUMNS } from './wide.ts';
import { WIDE_GROUP } from '../column-groups.ts';
import { castExpr, inferTypes, NotUtf8Error, type CsvSource } from './csv.ts';
import { checkJsonFile } from './json-syntax.ts';
import type { Db } from '../duck.ts';

let counter = 0;
const unique = (prefix: string) => `${prefix}_${process.pid}_${++counter}_${Math.random().toString(36).slice(2, 8)}`;

/** The bound records of an array are read with first (see readJsonDataset). */
const RECORD_BYTES = 16 * 1024 * 1024;

/**
 * JSON datasets, in the shapes pandas.read_json reads:
 * - records: `[{"a": 1, "b": "x"}, …]` (also one object per line, JSON Lines), columns in
 *   order of first appearance; arrays of arrays `[[1, "x"], …]` give columns 0, 1, …;
 * - split: `{"columns": [...], "index": [...], "data": [[...], ...]}`;
 * - columns: `{"a": {"0": 1, "1": 2}, "b": {...}}` (or `{"a": [1, 2], …}`).
 * Values are taken as JSON text, then typed by their text forms (a string's characters,
 * anything else its JSON text: nested objects and arrays too) like CSV fields, so JSON and
 * CSV imports infer the same way; a text column that held anything but strings is named in
 * `jsonValues` (see typed). DuckDB parses the file.
 *
 * `checkSyntax` checks that the file is complete, strict JSON (checkJsonFile by default; the
 * import runs it on a CPU thread), beside DuckDB's parse: DuckDB's reader is lenient (a
 * trailing comma, an array cut off after a comma), and a file it would import short must be
 * refused. Its error, which says where the file went wrong, wins over DuckDB's.
 */
export async function readJsonDataset(db: Db, file: string, maxColumns = Infinity, tmpDir?: string, sliceBytes = SLICE_BYTES, checkSyntax: (file: string) => Promise<unknown> = checkJsonFile): Promise<CsvSource> {
  const checked = checkSyntax(file);
  // Awaited below, after DuckDB's read: not an unhandled rejection meanwhile.
  checked.catch(() => {});
  const first = await firstCharacter(file);
  const size = (await fs.stat(file)).size;
  // One top-level value may be the whole file (split / columns orientation). DuckDB's reader
  // allocates buffers of maximum_object_size per thread, so the records of an array are
  // first read with a bound of RECORD_BYTES, and with the file's size only if one is larger.
  const whole = Math.min(2 ** 32 - 1, Math.max(16 * 1024 * 1024, size + 1));
  // A table of the database, not of this connection: wide records are parsed on several
  // connections at once (wideRecords). Dropped before returning; nothing returned reads it.
  const docs = unique('json');
  const format = first === '[' ? 'array' : 'unstructured';
  const read = (maxObject: number) => db.run(`CREATE TABLE ${docs} AS SELECT json FROM read_json_objects(${literal(file)}, format = ${literal(format)}, maximum_object_size = ${maxObject})`);
  try {
    try {
      if (format === 'array' && whole > RECORD_BYTES) {
        await read(RECORD_BYTES).catch((err: Error) => {
          if (!/maximum_object_size/i.test(err.message)) throw err;
          return db.run(`DROP TABLE IF EXISTS ${docs}`).then(() => read(whole));
        });
      } else await read(whole);
    } catch (err) {
      // The syntax check's finding says where the file is wrong; DuckDB's says less, or is
      // about bytes that are not UTF-8 (the check does not decode them).
      await checked;
      // Bytes that are not UTF-8 where detection did not look: transcode and read again.
      if (/invalid UTF-8/i.test((err as Error).message)) throw new NotUtf8Error(null);
      throw new ImportError('invalid JSON', `the file is not valid JSON: ${cleanMessage(err)}`);
    }
    await checked;
    if (first === '') throw new ImportError('empty file', 'the file holds no JSON value');
    if (first !== '[' && first !== '{') throw new ImportError('invalid JSON', 'expected an array of records or an object (pandas split or columns orientation) at the top level');
    const count = Number(await db.scalar(`SELECT count(*) FROM ${docs}`));
    if (count === 0) throw new ImportError('empty file', first === '[' ? 'the JSON array has no records' : 'the file holds no JSON value');

    if (first === '{' && count === 1) return await objectDataset(db, docs, maxColumns, tmpDir);
    return await recordsDataset(db, docs, maxColumns, tmpDir, sliceBytes);
  } finally {
    await db.run(`DROP TABLE IF EXISTS ${docs}`);
  }
}

/** An array of records (or of row arrays), or JSON Lines: one row per value. */
async function recordsDataset(db: Db, docs: string, maxColumns: number, tmpDir: string | undefined, sliceBytes: number): Promise<CsvSource> {
  const kinds = await db.rows(`SELECT ${rootType('json')} AS t, count(*) AS n FROM ${docs} GROUP BY ALL`);
  const types = new Set(kinds.map((k) => String(k.t)));
  if (types.size === 1 && types.has('ARRAY')) {
    const width = Number(await db.scalar(`SELECT max(json_array_length(json)) FROM ${docs}`));
    if (!(width > 0)) throw new ImportError('empty file', 'the JSON rows have no values');
    if (width > maxColumns) throw tooManyColumns(width, maxColumns);
    if (tmpDir && width > WIDE_COLUMNS) return wideRows(db, docs, width, tmpDir, sliceBytes);
    const names = Array.from({ length: width }, (_, i) => String(i));
    // Each row parsed once into a list of its values' JSON texts.
    const rows = `(SELECT from_json(json, '["JSON"]') AS l, rowid AS r FROM ${docs})`;
    return typed(db, (from, to) => `SELECT ${columnRange(from, to, (i) => `l[${i + 1}]`)} FROM ${rows} ORDER BY r`, names, tmpDir);
  }
  if (types.size !== 1 || !types.has('OBJECT')) {
    // JSON's own names for what DuckDB calls UBIGINT, DOUBLE, VARCHAR…
    const jsonName = (t: string) => (/INT|DOUBLE|DECIMAL|FLOAT/.test(t) ? 'number' : t === 'VARCHAR' ? 'string' : t.toLowerCase());
    const found = [...new Set([...types].map(jsonName))].join(', ');
    throw new ImportError('invalid JSON', `expected an array of records (objects); found ${found} values`);
  }
  // Wide when its first record alone has more than WIDE_COLUMNS keys (no need to take every
  // record apart for their keys first), or when all of them together have.
  if (tmpDir && Number(await db.scalar(`SELECT json_array_length(json_keys(json)) FROM ${docs} WHERE rowid = 0`)) > WIDE_COLUMNS) return wideRecords(db, docs, maxColumns, tmpDir, sliceBytes);
  const { keys, repeated } = await recordKeys(db, docs, sliceBytes);
  if (keys.length === 0) throw new ImportError('empty file', 'the JSON records have no fields');
  if (keys.length > maxColumns) throw tooManyColumns(keys.length, maxColumns);
  if (tmpDir && keys.length > WIDE_COLUMNS) return wideRecords(db, docs, maxColumns, tmpDir, sliceBytes);
  // A key repeated within a record keeps its last value, as Python's json and pandas do;
  // from_json below would keep the first. Such files (found by recordKeys on its way) take
  // the records apart as lists of keys and values instead, and line those up by key.
  if (repeated) return repeatedKeyRecords(db, docs, keys, tmpDir);
  // The fields as a struct of those keys (from_json walks each record once, looking its keys
  // up in the struct's), taken by position: by name, SQL would match `id` to `Id` (names
  // differing only in case).
  const structure = JSON.stringify(Object.fromEntries(keys.map((k) => [k, 'JSON'])));
  // In the table's order (DuckDB preserves insertion order): a sort of wide rows costs memory.
  const select = (from: number, to: number) => `SELECT ${columnRange(from, to, (i) => `struct_extract_at(s, ${i + 1})`)} FROM (SELECT from_json(json, ${literal(structure)}) AS s FROM ${docs})`;
  return typed(db, select, uniqueColumnNames(keys), tmpDir);
}

/**
 * Records of more than WIDE_COLUMNS keys in all (see recordsDataset), typed and written as
 * Parquet files of WIDE_GROUP columns in `tmpDir`. Each record is taken apart once, into the
 * list of its keys and the list of its values (a MAP cast: DuckDB parses the text once), a
 * slice of about `sliceBytes` of records per statement (DuckDB takes the records of a whole
 * vector apart at once, in memory its limit does not count, about 3.5 times their text),
 * PARSE_CONCURRENCY slices side by side. A record whose keys are not exactly all the keys
 * in their order (one lacking some, or holding them otherwise ordered, or twice) has its
 * values put in that order, missing ones NULL and of a key repeated the last. Then each
 * column group is typed and written from the lists (writeTypedGroups, without staging: the
 * lists are a table already), two groups side by side.
 *
 * Why: a from_json of each group's keys parsed every record once per group, 20 times for
 * 10,000 keys (500-column groups, to share the memory limit with the records' text): 168 MB
 * of 1,000 records took 21.8 s of CPU, 18.3 s on 2 cores; this way 1 parse, the rest as
 * for a CSV file of the same values.
 */
async function wideRecords(db: Db, docs: string, maxColumns: number, tmpDir: string, sliceBytes: number): Promise<CsvSource> {
  const slices = await recordSlices(db, docs, sliceBytes);
  // Tables of the database (the other connections read them), one per slice of records, in
  // record order: the lists of each record's keys (ks) and values (vs).
  const parsed = slices.map(() => unique('json_slice'));
  const keys = unique('json_keys');
  const order = unique('json_order');
  const aligned: string[] = [];
  const tables = () => [...parsed, ...aligned, keys, order];
  const siblings = await Promise.all(Array.from({ length: Math.min(PARSE_CONCURRENCY, slices.length) - 1 }, () => db.sibling()));
  const side = (work: (conn: Db, k: number) => Promise<void>) => sideBySide([db, ...siblings], slices.length, work);
  try {
    await side((conn, k) => conn.run(`CREATE TABLE ${parsed[k]} AS SELECT map_keys(m) AS ks, map_values(m) AS vs FROM (SELECT json::MAP(VARCHAR, VARCHAR) AS m FROM ${docs} WHERE rowid BETWEEN ${slices[k].a} AND ${slices[k].b})`));
    await db.run(`DROP TABLE ${docs}`);
    // The keys in order of first appearance (pandas' column order): by the first record
    // holding each key, then by its first place in that record; each distinct list of keys
    // of a slice unnested once.
    const firsts = parsed.map((t, k) => `SELECT unnest(ks) AS k, r * 4294967296 + generate_subscripts(ks, 1) AS pos FROM (SELECT ks, min(rowid) + ${slices[k].a} AS r FROM ${t} GROUP BY ks)`);
    await db.run(`CREATE TABLE ${keys} AS SELECT k, (row_number() OVER (ORDER BY min(pos)) - 1)::INTEGER AS i FROM (${firsts.join(' UNION ALL ')}) GROUP BY k`);
    const width = Number(await db.scalar(`SELECT count(*) FROM ${keys}`));
    if (width === 0) throw new ImportError('empty file', 'the JSON records have no fields');
    if (width > maxColumns) throw tooManyColumns(width, maxColumns);
    const names = (await db.rows(`SELECT k FROM ${keys} ORDER BY i`)).map((r) => String(r.k));
    await db.run(`CREATE TABLE ${order} AS SELECT list(k ORDER BY i) AS ks FROM ${keys}`);
    // A slice whose records all have exactly those keys in that order keeps its lists.
    await side(async (conn, k) => {
      const regular = await conn.scalar(`SELECT bool_and(t.ks = o.ks) FROM ${parsed[k]} AS t, ${order} AS o`);
      // The keys' lists are no longer needed: their memory goes to the groups' writers.
      if (regular === true) {
        await conn.run(`ALTER TABLE ${parsed[k]} DROP COLUMN ks`);
        aligned[k] = parsed[k];
        return;
      }
      aligned[k] = unique('json_aligned');
      await conn.run(`CREATE TABLE ${aligned[k]} AS ${alignedValues(parsed[k], keys, order, width)}`);
      await conn.run(`DROP TABLE ${parsed[k]}`);
    });
    const rows = aligned.map((t) => `SELECT vs FROM ${t}`).join(' UNION ALL ');
    const select = (from: number, to: number) => `SELECT ${columnRange(from, to, (i) => `vs[${i + 1}]`)} FROM (${rows})`;
    const { sql, ready } = await writeTypedGroups(db, select, width, tmpDir, { concurrency: PARSE_CONCURRENCY, staged: false });
    return { sql, names: uniqueColumnNames(names), skippedLines: 0, paddedLines: 0, ready };
  } finally {
    for (const s of siblings) s.close();
    for (const t of new Set(tables())) if (t) await db.run(`DROP TABLE IF EXISTS ${t}`);
  }
}

/**
 * The value lists (vs) of the records of `parsed` (ks, vs) in record order, each put in the
 * order of the keys' lists `order` (`width` keys; `keys`: each key k and its index i): a
 * record whose keys are exactly those keeps its list, any other gets its values by key,
 * NULL for a key it lacks, the last value of a key it repeats (pandas' rule: Python's json keeps
 * the last).
 */
function alignedValues(parsed: string, keys: string, order: string, width: number): string {
  return `WITH src AS (SELECT rowid AS r, ks, vs FROM ${parsed}),
    odd AS (SELECT src.r, src.ks, src.vs FROM src, ${order} AS o WHERE src.ks IS DISTINCT FROM o.ks),
    cells AS (SELECT e.r, key.i, arg_max_null(e.v, e.p) AS v FROM (SELECT r, unnest(ks) AS k, unnest(vs) AS v, generate_subscripts(ks, 1) AS p FROM odd) AS e JOIN ${keys} AS key ON key.k = e.k GROUP BY e.r, key.i),
    fixed AS (SELECT odd.r, list(cells.v ORDER BY n.i) AS vs FROM odd CROSS JOIN range(${width}) AS n(i) LEFT JOIN cells ON cells.r = odd.r AND cells.i = n.i GROUP BY odd.r)
    SELECT CASE WHEN fixed.r IS NULL THEN src.vs ELSE fixed.vs END AS vs FROM src LEFT JOIN fixed ON fixed.r = src.r ORDER BY src.r`;
}

/** Slices of wide records parsed at once, and column groups typed and written at once, each on a connection of its own. */
const PARSE_CONCURRENCY = 2;

/**
 * `work(conn, k)` for k = 0…count−1 on the connections `conns` side by side, each taking the
 * next k when done with one. A failure stops the others at their next k; it is thrown once
 * all have stopped (no statement of this work still runs then).
 */
async function sideBySide(conns: Db[], count: number, work: (conn: Db, k: number) => Promise<void>): Promise<void> {
  let next = 0;
  const settled = await Promise.allSettled(
    conns.map(async (conn) => {
      for (let k = next++; k < count; k = next++) await work(conn, k).catch((err) => ((next = count), Promise.reject(err)));
    }),
  );
  const failed = settled.find((r) => r.status === 'rejected');
  if (failed) throw (failed as PromiseRejectedResult).reason;
}

/**
 * Rows given as arrays (`[[1, "x"], …]`) `width` values wide, more than WIDE_COLUMNS: as
 * wideRecords, each row taken apart once into the list of its values' texts, a slice of
 * about `sliceBytes` per statement, PARSE_CONCURRENCY slices side by side, then each column
 * group typed and written from the lists (value i of a row is column i; a shorter row's
 * missing values are NULL). Per group, the rows were parsed again, once per group.
 */
async function wideRows(db: Db, docs: string, width: number, tmpDir: string, sliceBytes: number): Promise<CsvSource> {
  const slices = await recordSlices(db, docs, sliceBytes);
  const parsed = slices.map(() => unique('json_rows'));
  const siblings = await Promise.all(Array.from({ length: Math.min(PARSE_CONCURRENCY, slices.length) - 1 }, () => db.sibling()));
  try {
    await sideBySide([db, ...siblings], slices.length, (conn, k) =>
      conn.run(`CREATE TABLE ${parsed[k]} AS SELECT from_json(json, '["VARCHAR"]') AS vs FROM ${docs} WHERE rowid BETWEEN ${slices[k].a} AND ${slices[k].b}`),
    );
    await db.run(`DROP TABLE ${docs}`);
    const rows = parsed.map((t) => `SELECT vs FROM ${t}`).join(' UNION ALL ');
    const select = (from: number, to: number) => `SELECT ${columnRange(from, to, (i) => `vs[${i + 1}]`)} FROM (${rows})`;
    const { sql, ready } = await writeTypedGroups(db, select, width, tmpDir, { concurrency: PARSE_CONCURRENCY, staged: false });
    return { sql, names: Array.from({ length: width }, (_, i) => String(i)), skippedLines: 0, paddedLines: 0, ready };
  } finally {
    for (const s of siblings) s.close();
    for (const t of parsed) await db.run(`DROP TABLE IF EXISTS ${t}`);
  }
}

/**
 * The type json_type gives a JSON value's root (OBJECT, ARRAY, VARCHAR, BOOLEAN, NULL, or
 * DOUBLE for any number), told by its first character: the values come from
 * read_json_objects, which has checked them. json_type would parse each value whole, every
 * value of a vector at once (a 168 MB file of 1,000 records: about 600 MB outside DuckDB's
 * memory limit).
 */
function rootType(json: string): string {
  return `CASE regexp_extract(${json}, '^[ \t\n\r]*(.)', 1) WHEN '{' THEN 'OBJECT' WHEN '[' THEN 'ARRAY' WHEN '"' THEN 'VARCHAR' WHEN 't' THEN 'BOOLEAN' WHEN 'f' THEN 'BOOLEAN' WHEN 'n' THEN 'NULL' ELSE 'DOUBLE' END`;
}

/**
 * Row ranges (rowid a…b) of the records of `docs`, in order, of about `bytes` of JSON text
 * each (a record larger than that is a slice alone). A statement parses the records
 * of a whole vector (2,048) at once, in memory DuckDB's limit does not count (about 3.5 times
 * the text), so wide records are parsed a slice per statement.
 */
async function recordSlices(db: Db, docs: string, bytes: number): Promise<{ a: number; b: number }[]> {
  const rows = await db.rows(
    `SELECT min(r) AS a, max(r) AS b FROM (SELECT r, (sum(n) OVER (ORDER BY r) - n) // ${bytes} AS s FROM (SELECT rowid AS r, length(json) AS n FROM ${docs})) GROUP BY s ORDER BY a`,
  );
  return rows.map((r) => ({ a: Number(r.a), b: Number(r.b) }));
}

/**
 * Text of records one statement takes apart at once. A vector of DuckDB holds 2,048 rows: the
 * key lists of 2,048 records of 10,000 keys would need 330 MB at once, so the records are
 * taken in slices of about this much JSON text.
 */
const SLICE_BYTES = 16 * 1024 * 1024;

/**
 * The keys of the records of `docs` in order of first appearance (pandas' column order):
 * by the first record holding each key, then by its place in that record. Computed per
 * slice of records (SLICE_BYTES), each distinct list of keys taken apart once. `repeated`:
 * some record holds a key twice (told from those distinct lists, at no cost of its own).
 */
async function recordKeys(db: Db, docs: string, sliceBytes: number): Promise<{ keys: string[]; repeated: boolean }> {
  const slices = await recordSlices(db, docs, sliceBytes);
  const first = new Map<string, { r: number; i: number }>();
  let repeated = false;
  for (const { a, b } of slices) {
    const rows = await db.rows(`
      SELECT k, min(r) AS r, arg_min(i, r) AS i, bool_or(d) AS d FROM (
        SELECT unnest(ks) AS k, generate_subscripts(ks, 1) AS i, r, d FROM (SELECT ks, min(rowid) AS r, len(ks) > len(list_distinct(ks)) AS d FROM (SELECT json_keys(json) AS ks, rowid FROM ${docs} WHERE rowid BETWEEN ${a} AND ${b}) GROUP BY ks)
      ) GROUP BY k`);
    // Slices come in row order: a key seen in an earlier slice keeps its place.
    for (const row of rows) {
      if (!first.has(String(row.k))) first.set(String(row.k), { r: Number(row.r), i: Number(row.i) });
      if (row.d === true) repeated = true;
    }
  }
  return { keys: [...first.entries()].sort(([, x], [, y]) => x.r - y.r || x.i - y.i).map(([k]) => k), repeated };
}

/**
 * Records of which some hold a key twice (`keys`: all their keys in column order, at most
 * WIDE_COLUMNS): each record taken apart once into the lists of its keys and values (a MAP
 * cast keeps every entry), and its values put in the order of `keys` by alignedValues, the
 * last value of a key repeated. Only files with such records pay for the alignment.
 */
async function repeatedKeyRecords(db: Db, docs: string, keys: string[], tmpDir: string | undefined): Promise<CsvSource> {
  const parsed = unique('json_repeated');
  const keyTable = unique('json_keys');
  const order = unique('json_order');
  const aligned = unique('json_aligned');
  try {
    await db.run(`CREATE TEMP TABLE ${parsed} AS SELECT map_keys(m) AS ks, map_values(m) AS vs FROM (SELECT json::MAP(VARCHAR, JSON) AS m FROM ${docs})`);
    await db.run(`CREATE TEMP TABLE ${keyTable} AS SELECT k, i FROM (VALUES ${keys.map((k, i) => `(${literal(k)}, ${i})`).join(', ')}) AS t(k, i)`);
    await db.run(`CREATE TEMP TABLE ${order} AS SELECT list(k ORDER BY i) AS ks FROM ${keyTable}`);
    await db.run(`CREATE TEMP TABLE ${aligned} AS ${alignedValues(parsed, keyTable, order, keys.length)}`);
    return await typed(db, (from, to) => `SELECT ${columnRange(from, to, (i) => `vs[${i + 1}]`)} FROM ${aligned}`, uniqueColumnNames(keys), tmpDir);
  } finally {
    // typed copies the values into a table of its own (or, wide, into files) before returning.
    for (const t of [parsed, keyTable, order, aligned]) await db.run(`DROP TABLE IF EXISTS ${t}`);
  }
}

/**
 * A single object: pandas' split orientation, or its default `columns` orientation. The
 * document is parsed by casts to MAP / LIST types, which DuckDB does in one pass each
 * (json_each over a large document is far more memory-hungry).
 */
async function objectDataset(db: Db, docs: string, maxColumns: number, tmpDir: string | undefined): Promise<CsvSource> {
  const top = unique('top');
  await db.run(`CREATE TEMP TABLE ${top} AS SELECT e.key AS k, e.value AS v, json_type(e.value) AS t, ord FROM (SELECT unnest(map_entries(m)) AS e, unnest(generate_series(1, len(map_keys(m)))) AS ord FROM (SELECT json::MAP(VARCHAR, JSON) AS m FROM ${docs}))`);
  const entries = await db.rows(`SELECT k, t, ord FROM ${top} ORDER BY ord`);
  // A key given twice keeps its first place and its last value, as a Python dict parsed by
  // json (pandas) does: `last` maps each key, in order of first appearance, to its last entry.
  const last = new Map(entries.map((e) => [String(e.k), Number(e.ord)]));
  const keys = [...last.keys()];
  if (keys.length === 0) throw new ImportError('empty file', 'the JSON object has no columns');
  const typeOf = new Map(entries.map((e) => [String(e.k), String(e.t)]));
  const entry = (k: string) => `ord = ${last.get(k)}`;
  const isSplit = typeOf.get('data') === 'ARRAY' && keys.every((k) => ['columns', 'index', 'data', 'name'].includes(k));
  if (!isSplit && keys.length > maxColumns) throw tooManyColumns(keys.length, maxColumns);

  if (typeOf.get('data') === 'ARRAY' && keys.every((k) => ['columns', 'index', 'data', 'name'].includes(k))) {
    const columnsType = typeOf.get('columns');
    if (columnsType !== undefined && columnsType !== 'ARRAY') throw new ImportError('invalid JSON', 'split orientation: "columns" must be an array of names');
    const rows = unique('rows');
    // One list of JSON values per row, in document order.
    await db.run(`CREATE TEMP TABLE ${rows} AS SELECT unnest(from_json(v, '[["JSON"]]')) AS r FROM ${top} WHERE ${entry('data')}`);
    const given = columnsType === undefined ? [] : ((await db.one(`SELECT from_json(v, '["VARCHAR"]') AS c FROM ${top} WHERE ${entry('columns')}`)).c as { items: unknown[] }).items.map((v) => (v === null ? '' : String(v)));
    const width = Math.max(given.length, Number(await db.scalar(`SELECT coalesce(max(len(r)), 0) FROM ${rows}`)));
    const names = columnsType === undefined ? Array.from({ length: width }, (_, i) => String(i)) : uniqueColumnNames(given);
    if (names.length === 0) throw new ImportError('empty file', 'split orientation: there are no columns');
    if (names.length > maxColumns) throw tooManyColumns(names.length, maxColumns);
    return typed(db, (from, to) => `SELECT ${columnRange(from, to, (i) => `r[${i + 1}]`)} FROM ${rows} ORDER BY rowid`, names, tmpDir);
  }

  // columns orientation: {column: {rowLabel: value}} or {column: [values]}.
  // (Of a key given twice, only its last value's type counts: typeOf keeps the last.)
  if (![...typeOf.values()].every((t) => t === 'OBJECT' || t === 'ARRAY')) {
    throw new ImportError('invalid JSON', 'expected an array of records, or an object of columns ({"column": {"row": value}}) or pandas split orientation ({"columns", "index", "data"})');
  }
  // Cells (column ord, row label, position within the column, JSON value); rows then come in
  // order of first appearance, column by column. Of a row label given twice in a column, the
  // last value counts (pandas' rule, as for keys).
  const cells = unique('cells');
  await db.run(`CREATE TEMP TABLE ${cells} AS
    SELECT ord, unnest(map_keys(m)) AS rk, unnest(generate_series(1, len(map_keys(m)))) AS p, unnest(map_values(m)) AS v
      FROM (SELECT ord, v::MAP(VARCHAR, JSON) AS m FROM ${top} WHERE t = 'OBJECT' AND ord IN (${[...last.values()].join(', ')}))
    UNION ALL
    SELECT ord, (unnest(generate_series(1, len(l))) - 1)::VARCHAR AS rk, unnest(generate_series(1, len(l))) AS p, unnest(l) AS v
      FROM (SELECT ord, v::JSON[] AS l FROM ${top} WHERE t = 'ARRAY' AND ord IN (${[...last.values()].join(', ')}))`);
  const ords = [...last.values()];
  // Rows in order of first appearance: the same order for every group, as the key is unique per row.
  return typed(db, (from, to) => `SELECT ${columnRange(from, to, (i) => `arg_max_null(v, p) FILTER (WHERE ord = ${ords[i]})`)} FROM ${cells} GROUP BY rk ORDER BY min(ord::HUGEINT * 18446744073709551616 + p)`, uniqueColumnNames(keys), tmpDir);
}

/**
 * Type the columns c0…c<n-1> of JSON values by their text forms, like CSV fields;
 * `select(from, to)` gives the columns c<from>…c<to-1> (JSON, SQL NULL for a null or an
 * absent key) of every row, in row order. A column typed as text that held any value but a
 * string is named in `jsonValues`: a JSON download gives those values their types back
 * (ColumnEntry.jsonValues). Told apart in the same pass that makes the text forms (a
 * boolean k<i> beside each c<i>), not by parsing the records again.
 * A wide dataset (more than WIDE_COLUMNS columns) is typed and written a column group at a
 * time into `tmpDir` (writeTypedGroups): one statement over all its columns would not fit in
 * memory; its text columns are not named in `jsonValues` (left for later: the groups are
 * typed by wide.ts, which CSV imports share).
 */
async function typed(db: Db, select: (from: number, to: number) => string | string[], names: string[], tmpDir: string | undefined): Promise<CsvSource> {
  const texts = (from: number, to: number, kinds: boolean) =>
    [select(from, to)].flat().map((part) => `SELECT ${columnRange(from, to, (i) => textForm(`c${i}`))}${kinds ? `, ${range(from, to, (i) => `NOT starts_with(c${i}, '"') AS k${i}`)}` : ''} FROM (${part})`);
  if (names.length > WIDE_COLUMNS && tmpDir) {
    // Half groups: the staged table (a 256 KB block per column and thread) shares the memory
    // limit with the whole text of the file, staged in `docs`.
    const { sql, ready } = await writeTypedGroups(db, (from, to) => texts(from, to, false), names.length, tmpDir, { groupSize: WIDE_GROUP / 2 });
    return { sql, names, skippedLines: 0, paddedLines: 0, ready };
  }
  const table = unique('jsontext');
  const parts = texts(0, names.length, true);
  await db.run(`CREATE TEMP TABLE ${table} AS ${parts[0]}`);
  for (const part of parts.slice(1)) await db.run(`INSERT INTO ${table} ${part}`);
  const fields = names.map((_, i) => `c${i}`);
  const types = await inferTypes(db, table, fields);
  const casts = fields.map((f, i) => `${castExpr(f, types[i])} AS ${ident(f)}`);
  const text = fields.flatMap((_, i) => (types[i] === 'VARCHAR' ? [i] : []));
  const held = text.length > 0 ? await db.one(`SELECT ${text.map((i) => `bool_or(k${i}) AS k${i}`).join(', ')} FROM ${table}`) : {};
  const jsonValues = text.filter((i) => held[`k${i}`] === true);
  return { sql: `SELECT ${casts.join(', ')} FROM ${table}`, names, skippedLines: 0, paddedLines: 0, jsonValues };
}

/** The text form of JSON value `c`: a string's own characters, any other value's JSON text (NULL stays NULL). */
function textForm(c: string): string {
  return `CASE WHEN starts_with(${c}, '"') THEN ${c} ->> '$' ELSE ${c}::VARCHAR END`;
}

/** c<from>…c<to-1> as the expressions `value(i)`, e.g. `l[i + 1] AS c<i>`. */
function columnRange(from: number, to: number, value: (i: number) => string): string {
  return range(from, to, (i) => `${value(i)} AS c${i}`);
}

/** `item(i)` for i = from…to-1, comma-separated. */
function range(from: number, to: number, item: (i: number) => string): string {
  return Array.from({ length: to - from }, (_, k) => item(from + k)).join(', ');
}

async function firstCharacter(file: string): Promise<string> {
  const handle = await fs.open(file, 'r');
  try {
    const buf = Buffer.alloc(4096);
    const { bytesRead } = await handle.read(buf, 0, buf.length, 0);
    const text = buf.subarray(0, bytesRead).toString('utf8').replace(/^\uFEFF/, '').trimStart();
    return text[0] ?? '';
  } finally {
    await handle.close();
  }
}

/** DuckDB's reason a JSON file did not read, for the client: without its prefix, the file's path or internal names. */
function cleanMessage(err: unknown): string {
  return clientText((err as Error).message.split('\n')[0].replace(/^Invalid Input Error: /, '').replace(/ in file "[^"]*"/, ''));
}
