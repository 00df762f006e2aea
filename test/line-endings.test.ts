import { test } from 'node:test';
import assert from 'node:assert/strict';
import { upload, uploadOk, serverWithClient, cpuTasks } from './helpers/server.ts';
import { readTable } from './helpers/wire.ts';
import { utf16le, windows1252 } from './helpers/fixtures.ts';

// Files whose lines end in a mix of \r\n, \n and \r import like pandas reads them, over the
// wire through /upload; files with one kind are read in place.

const { server, client } = await serverWithClient();

const ENDINGS = { crlf: '\r\n', lf: '\n', cr: '\r' } as const;
type Ending = keyof typeof ENDINGS;
const KINDS = Object.keys(ENDINGS) as Ending[];

/** Every sequence of `n` endings. */
function sequences(n: number): Ending[][] {
  if (n === 0) return [[]];
  return sequences(n - 1).flatMap((s) => KINDS.map((k) => [...s, k]));
}


test('every mix of endings after the header and each data line, with and without a final ending', async () => {
  // The 3^3 mixes of the first three endings; the last line ends with each kind or none in turn.
  for (const [n, first] of sequences(3).entries()) {
    for (const last of [[...KINDS, null][n % 4]]) {
      const e = first.map((k) => ENDINGS[k]);
      const content = `a,b${e[0]}1,x${e[1]}2,y${e[2]}3,z${last ? ENDINGS[last] : ''}`;
      const res = await upload(server.url, 'mix.csv', content);
      const label = JSON.stringify(content);
      assert.equal(res.status, 200, `${label}: ${JSON.stringify(res.body)}`);
      assert.equal(res.body.rows, 3, label);
      assert.equal(res.body.skippedLines, 0, label);
      assert.equal(res.body.paddedLines, 0, label);
      const t = await readTable(client, res.body.sessionID);
      assert.deepEqual(t.columns, ['a', 'b'], label);
      assert.deepEqual(t.types, ['int', 'string'], label);
      assert.deepEqual(t.rows, [
        [1, 'x'],
        [2, 'y'],
        [3, 'z'],
      ], label);
    }
  }
});

test('line breaks inside quoted fields stay exactly as they are, whatever the file ends its lines with', async () => {
  for (const [name, breaks] of Object.entries({ crlf: '\r\n', lf: '\n', cr: '\r', all: '\r\n\n\r' })) {
    for (const mix of [['crlf', 'lf', 'cr'], ['cr', 'crlf', 'lf'], ['lf', 'cr', 'crlf'], [name === 'all' ? 'lf' : name, name === 'all' ? 'lf' : name, name === 'all' ? 'lf' : name]] as Ending[][]) {
      const e = mix.map((k) => ENDINGS[k]);
      const content = `id,text,"quoted${breaks}name"${e[0]}1,"x${breaks}y",p${e[1]}2,"say ""hi""${breaks}",q${e[2]}3,"${breaks}",r${e[0]}`;
      const label = `${name} in ${mix.join('/')}`;
      const res = await upload(server.url, 'quoted.csv', content);
      assert.equal(res.status, 200, `${label}: ${JSON.stringify(res.body)}`);
      const t = await readTable(client, res.body.sessionID);
      assert.deepEqual(t.columns, ['id', 'text', `quoted${breaks}name`], label);
      assert.deepEqual(t.rows, [
        [1, `x${breaks}y`, 'p'],
        [2, `say "hi"${breaks}`, 'q'],
        [3, breaks, 'r'],
      ], label);
    }
  }
});

test('blank lines of any kind between lines are skipped, as pandas does', async () => {
  const content = 'a,b\r\n\r\n1,x\n\n\r2,y\r\r\n\r3,z\n\r\n';
  const res = await upload(server.url, 'blank.csv', content);
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assert.equal(res.body.rows, 3);
  assert.deepEqual((await readTable(client, res.body.sessionID)).rows, [
    [1, 'x'],
    [2, 'y'],
    [3, 'z'],
  ]);
  // Blank lines before the header too.
  const before = await readTable(client, await uploadOk(server.url, 'blank-head.csv', '\r\n\n\ra,b\r1,x\n2,y\r\n'));
  assert.deepEqual(before.columns, ['a', 'b']);
  assert.deepEqual(before.rows, [
    [1, 'x'],
    [2, 'y'],
  ]);
});

test('the other import rules hold on a mixed file: ragged lines, initialSkip, headerIncluded, sampling, tab delimiter', async () => {
  const ragged = await upload(server.url, 'ragged.csv', 'a,b,c\r\n1,2,3\n4,5\r6,7,8,9\r\n10,11,12\n13\r"x\ry",2,3\n');
  assert.equal(ragged.status, 200, JSON.stringify(ragged.body));
  assert.equal(ragged.body.skippedLines, 1);
  assert.equal(ragged.body.paddedLines, 2);
  // Numbered as an editor does: \r\n, \n and a bare \r each end a line.
  assert.deepEqual(ragged.body.skippedLineExamples, [{ line: 4, text: '6,7,8,9' }]);
  // Lines after a \r\n are named without the break.
  const crlf = await upload(server.url, 'crlf.csv', 'a,b,c\r\n1,2,3\r\n4,"multi\r\nline",6\r\n7,8\r\n9,10,11,12\r\n');
  assert.deepEqual([crlf.body.skippedLineExamples, crlf.body.paddedLineExamples], [[{ line: 6, text: '9,10,11,12' }], [{ line: 5, text: '7,8' }]]);
  assert.deepEqual(ragged.body.paddedLineExamples, [
    { line: 3, text: '4,5' },
    { line: 6, text: '13' },
  ]);
  const t = await readTable(client, ragged.body.sessionID);
  assert.deepEqual(t.types, ['string', 'int', 'int']);
  assert.deepEqual(t.rows, [
    ['1', 2, 3],
    ['4', 5, null],
    ['10', 11, 12],
    ['13', null, null],
    ['x\ry', 2, 3],
  ]);

  const skipped = await readTable(client, await uploadOk(server.url, 'skip.csv', 'junk\rmore junk\r\na,b\n1,2\r3,4\r\n', { initialSkip: '2' }));
  assert.deepEqual(skipped.columns, ['a', 'b']);
  assert.deepEqual(skipped.rows, [
    [1, 2],
    [3, 4],
  ]);

  const noHeader = await readTable(client, await uploadOk(server.url, 'nohead.csv', 'a,b\r\n1,2\r3,4\n', { headerIncluded: 'false' }));
  assert.deepEqual(noHeader.columns, ['0', '1']);
  assert.deepEqual(noHeader.rows, [
    ['a', 'b'],
    ['1', '2'],
    ['3', '4'],
  ]);

  const lines = ['n'];
  for (let i = 0; i < 1000; i++) lines.push(String(i));
  const mixed = lines.map((l, i) => l + (i % 3 === 0 ? '\r\n' : i % 3 === 1 ? '\n' : '\r')).join('');
  const plain = lines.join('\n') + '\n';
  const a = await readTable(client, await uploadOk(server.url, 'm.csv', mixed, { sampleSize: '0.1', seed: '7' }));
  const b = await readTable(client, await uploadOk(server.url, 'p.csv', plain, { sampleSize: '0.1', seed: '7' }));
  assert.equal(a.rows.length, 100);
  assert.deepEqual(a.rows, b.rows, 'the same sample as the same data with one kind of ending');

  const tab = await readTable(client, await uploadOk(server.url, 't.tsv', 'a\tb\r\n1\t"x,\ry"\n2\ty\r'));
  assert.deepEqual(tab.rows, [
    [1, 'x,\ry'],
    [2, 'y'],
  ]);
});

test('mixed endings in other encodings: Windows-1252 and UTF-16', async () => {
  const text = 'name,price\r\ncafé,1\nMüller,2\r£,3\r\n';
  for (const bytes of [windows1252(text), utf16le(text)]) {
    const t = await readTable(client, await uploadOk(server.url, 'enc.csv', bytes));
    assert.deepEqual(t.rows, [
      ['café', 1],
      ['Müller', 2],
      ['£', 3],
    ]);
  }
});

test('a file with one kind of ending is read in place; only a mixed one is rewritten', async () => {
  for (const e of ['\n', '\r\n', '\r']) {
    const tasks = await cpuTasks(server, async () => {
      const t = await readTable(client, await uploadOk(server.url, 'one.csv', `a,b${e}1,"x${e}y"${e}2,z${e}`));
      assert.deepEqual(t.rows, [
        [1, `x${e}y`],
        [2, 'z'],
      ]);
    });
    assert.deepEqual(tasks, [], JSON.stringify(e));
  }
  assert.deepEqual(await cpuTasks(server, async () => void (await uploadOk(server.url, 'two.csv', 'a\r\n1\n'))), ['transcode']);
});

test('a large file whose odd line ending comes late (after every sample) imports whole', async () => {
  const rows = 300_000;
  for (const [body, odd] of [
    ['\n', '\r'],
    ['\r\n', '\n'],
    ['\r\n', '\r'],
    ['\r', '\r\n'],
  ]) {
    const parts: string[] = ['id,value,label' + body];
    for (let i = 0; i < rows; i++) parts.push(`${i},${i * 0.5},"l${i}"${i === rows - 3 ? odd : body}`);
    const content = parts.join('');
    assert.ok(content.length > 5_000_000);
    const res = await upload(server.url, 'late.csv', content);
    const label = `${JSON.stringify(body)} then ${JSON.stringify(odd)}`;
    assert.equal(res.status, 200, `${label}: ${JSON.stringify(res.body)}`);
    assert.equal(res.body.rows, rows, label);
    assert.equal(res.body.skippedLines, 0, label);
    const meta = await client.request('metadata', res.body.sessionID);
    assert.deepEqual(meta.columns, ['id', 'value', 'label']);
    assert.deepEqual(['id', 'value', 'label'].map((c) => meta.columnInfo[c].dataType), ['int', 'float', 'string'], label);
    const tail = await client.request('data', res.body.sessionID, { rowIndexFrom: rows - 4, rowIndexTo: rows - 1, columnIndexFrom: 0, columnIndexTo: 2 });
    assert.deepEqual(JSON.parse(tail.data).data, [rows - 4, rows - 3, rows - 2, rows - 1].map((i) => [i, i * 0.5, `l${i}`]), label);
  }
});
