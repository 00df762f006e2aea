import { test } from 'node:test';
import assert from 'node:assert/strict';
import { uploadOk, serverWithClient } from './helpers/server.ts';
import { readTable } from './helpers/wire.ts';

// A dataset of few rows that an operation makes wide (splitColumn of one long value into
// thousands of columns) has few cells, but every statement over it holds buffers per column
// (vectors, Parquet writers): its jobs must not go to the small DuckDB instance (256 MB),
// where a full row of 3,000 columns ran out of memory ("failed to pin block").

const { server, client } = await serverWithClient();

test('a 5-row dataset split into 3,000 columns is read whole, searched and downloaded (not on the small instance)', async () => {
  const id = await uploadOk(server.url, 'few.csv', 'a,b,name,d\n1,x,p,2\n2,y,q,3\n3,z,r,4\n4,w,s,5\n5,v,t,6\n');
  const ok = (res: Record<string, any>) => assert.equal(res.success, true, JSON.stringify(res).slice(0, 400));
  ok(await client.request('newCellValue', id, { columnIndex: 2, rowIndex: 0, newValue: ','.repeat(2_999) + 'v2999' }));
  ok(await client.request('splitColumn', id, { columnIndex: 2, delimiter: ',', regex: false }));
  const meta = await client.request('metadata', id, {});
  ok(meta);
  const width = Object.keys(meta.columnInfo ?? meta.data?.columnInfo ?? {}).length || (meta.columns ?? meta.data?.columns)?.length;
  assert.ok(width >= 3_000, `columns: ${width}`);
  const t = await readTable(client, id, { columnIndexFrom: 0, columnIndexTo: width - 1 });
  assert.equal(t.rows.length, 5);
  assert.ok(t.rows[0].includes('v2999'), 'the last piece is in the first row');
  const found = await readTable(client, id, { searchQuery: 'v2999', searchIsRegex: false, searchColumnIndices: Array.from({ length: width }, (_, i) => i) });
  assert.deepEqual(found.index, [0]);
  const csv = await (await fetch(`${server.url}/downloadCSV/${id}`)).text();
  assert.equal(csv.split('\n').length, 7);
});
