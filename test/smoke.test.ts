import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, uploadOk } from './helpers/server.ts';
import { connect } from './helpers/client.ts';

test('upload, metadata, data, download', async () => {
  const server = await startServer();
  try {
    const id = await uploadOk(server.url, 'a.csv', 'x,y,name\n1,2.5,foo\n2,,bar\n3,4.5,\n');
    const client = await connect(server.url);
    const meta = await client.request('metadata', id);
    assert.equal(meta.success, true, JSON.stringify(meta));
    assert.deepEqual(meta.dataSize, { rows: 3, columns: 3 });
    const data = await client.request('data', id, { rowIndexFrom: 0, rowIndexTo: 10, columnIndexFrom: 0, columnIndexTo: 2 });
    assert.equal(data.success, true, JSON.stringify(data));
    assert.deepEqual(JSON.parse(data.data), { columns: ['x', 'y', 'name'], index: [0, 1, 2], data: [[1, 2.5, 'foo'], [2, null, 'bar'], [3, 4.5, null]] });
    const csv = await (await fetch(`${server.url}/downloadCSV/${id}`)).text();
    assert.equal(csv, 'x,y,name\n1,2.5,foo\n2,,bar\n3,4.5,\n');
    client.close();
  } finally {
    await server.close();
  }
});
