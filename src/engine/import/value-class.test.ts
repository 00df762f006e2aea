import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Duck } from '../duck.ts';
import { literal } from '../sql.ts';
import { TYPE_TESTS } from './csv.ts';
import { valueClass } from './wide.ts';

// valueClass (the wide path's one-expression classifier) must decide exactly as the
// TYPE_TESTS do, including on values where DuckDB's casts and pandas' parsers disagree.
const VALUES = [
  '0', '7', '-3', '+5', ' 5 ', '007', '9223372036854775807', '9223372036854775808', '-9223372036854775809', ' 12345678901234567890123 ', '1_000', '0x10', '１２',
  '2.5', '.5', '5.', '1e5', '1E-3', '-1.5e+10', 'inf', '-Infinity', 'INF', 'nan', 'NAN', 'Nan', '1.2.3', '1,5', '',
  'true', 'FALSE', ' true', 'yes', 't', '2020-01-01', '2020-1-1', '2020-01-01 10:00', '2020-01-01T10:00:00.5', '2020-13-01', '2020/01/01', '10:00',
  '2020-01-01T10:00:00Z', '2020-01-01 10:00+02', '2020-01-01T10:00:00.5-0130', '2020-01-01T10:00:00+02:00', '2020-01-01T10:00:00z', '2020-13-01T10:00:00Z', '2020-01-01Z',
  'text', 'e5', '-', '+', '.',
];

test('valueClass puts each value in the class TYPE_TESTS give it', async () => {
  const duck = await Duck.open({ threads: 1, memoryLimit: '256MB', tempDirectory: '/tmp' });
  const db = await duck.connect();
  try {
    for (const v of VALUES) {
      const row = await db.one(
        `SELECT ${valueClass('v')} AS c, ${(['i', 'd', 'b', 't', 'z', 'w'] as const).map((k) => `coalesce(${TYPE_TESTS[k]('v')}, false) AS ${k}`).join(', ')} FROM (SELECT ${literal(v)} AS v)`,
      );
      // 5: written as an integer (w) but beyond int64 (not i), a number (d) all the same.
      const expected = row.i ? 1 : row.d ? (row.w ? 5 : 2) : row.b ? 3 : row.t ? 4 : row.z ? 6 : 0;
      assert.equal(Number(row.c), expected, `${JSON.stringify(v)}: tests say ${JSON.stringify({ i: row.i, d: row.d, b: row.b, t: row.t, z: row.z, w: row.w })}`);
      // Zoned and naive time stamps are two kinds: a column mixing them is text.
      assert.ok(!(row.t && row.z), `${JSON.stringify(v)} is both a naive and a zoned time stamp`);
      // Every integer is a float too: "all values are 1, 2 or 5" is "all pass test d".
      if (row.i) assert.equal(row.d, true, `${JSON.stringify(v)} is an integer but not a float`);
      if (row.i) assert.equal(row.w, true, `${JSON.stringify(v)} is an integer but not written as one`);
    }
  } finally {
    db.close();
    duck.close();
  }
});
