import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Duck } from '../src/engine/duck.ts';
import { readJsonDataset } from '../src/engine/import/json.ts';
import { WIDE_COLUMNS } from '../src/engine/import/wide.ts';

// Wide JSON records are staged a slice of records per statement (a statement parses a whole
// vector of records at once, in memory DuckDB's limit does not count). Slices far smaller
// than the records here (every record its own slice, or a few together): the rows must
// come back complete and in file order, keys in order of first appearance, with keys that
// appear late or not in every record.

test('wide JSON records staged in many slices keep every row, in order, with its own values', async () => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'willow-json-slices-'));
  const duck = await Duck.open({ threads: 2, memoryLimit: '1GB', tempDirectory: dir });
  try {
    const columns = WIDE_COLUMNS + 150;
    const rows = 23;
    const records = Array.from({ length: rows }, (_, r) => {
      const record: Record<string, unknown> = {};
      for (let c = 0; c < columns; c++) record[`k${c}`] = c % 3 === 0 ? r * 1000 + c : c % 3 === 1 ? `r${r}c${c}` : r % 4 === 0 ? null : r + c / 8;
      if (r % 5 === 2) record[`late${r}`] = `only ${r}`; // a key of this record alone
      return record;
    });
    const file = path.join(dir, 'wide.json');
    await fs.writeFile(file, JSON.stringify(records));
    for (const sliceBytes of [1, 3 * JSON.stringify(records[0]).length]) {
      const db = await duck.connect();
      try {
        const source = await readJsonDataset(db, file, Infinity, dir, sliceBytes);
        const late = [2, 7, 12, 17, 22].map((r) => `late${r}`);
        assert.deepEqual(source.names, [...Array.from({ length: columns }, (_, c) => `k${c}`), ...late]);
        const table = (await db.rowsJson(`SELECT * FROM (${source.sql})`)) as Record<string, unknown>[];
        assert.equal(table.length, rows);
        for (const [r, row] of table.entries()) {
          const values = Object.values(row);
          const want = [...Array.from({ length: columns }, (_, c) => records[r][`k${c}`]), ...late.map((k) => records[r][k] ?? null)];
          assert.deepEqual(values.map((v) => (typeof v === 'string' && /^-?\d+$/.test(v) ? Number(v) : v)), want, `row ${r} (slices of ${sliceBytes} bytes)`);
        }
        await Promise.all((source.ready?.files ?? []).map((f) => fs.rm(f, { force: true })));
      } finally {
        db.close();
      }
    }
  } finally {
    duck.close();
    await fs.rm(dir, { recursive: true, force: true });
  }
});
