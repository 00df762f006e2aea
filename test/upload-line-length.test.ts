import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { upload, serverWithClient, type TestServer } from './helpers/server.ts';
import { readTable } from './helpers/wire.ts';
import { assertNoHost } from './helpers/host.ts';
import { STREAM_HEAD_BYTES } from '../src/engine/import/index.ts';
import { PARALLEL_LINE_BYTES } from '../src/engine/import/line-length.ts';

// MAX_LINE_BYTES: a line up to the limit imports whole, a longer one refuses the file naming
// the line. DuckDB used to lose such lines (silently past its buffer, or as `skippedLines`).
// The limit is set low here so that the files stay small.

const MAX = 64 * 1024;
const { server, client } = await serverWithClient({ MAX_LINE_BYTES: MAX });

/** The refusal of a line too long: 400 naming the line, the limit and its variable, and no path of the server. */
function assertTooLong(res: { status: number; body: Record<string, any> }, line: number, max = MAX, dataDir = server.dataDir): void {
  assert.equal(res.status, 400, JSON.stringify(res.body).slice(0, 300));
  assert.equal(res.body.error, 'line too long');
  assert.equal(res.body.errorDescription, `line ${line} of the file is longer than ${max} bytes (in UTF-8), the longest line accepted (MAX_LINE_BYTES)`);
  assertNoHost(res.body.errorDescription, [dataDir]);
}

/** A line of `a,b` data of exactly `bytes` bytes: `<id>,xxx…`. */
const line = (id: number, bytes: number) => `${id},${'x'.repeat(bytes - String(id).length - 1)}`;

describe('MAX_LINE_BYTES', () => {
  test('a line of exactly the limit imports with its whole value, as do the lines around it', async () => {
    for (const newline of ['\n', '\r\n', '\r']) {
      const content = ['a,b', line(1, MAX), '2,y', line(3, MAX - 1)].join(newline) + newline;
      const res = await upload(server.url, 'at-limit.csv', content);
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.deepEqual([res.body.rows, res.body.skippedLines, res.body.paddedLines], [3, 0, 0]);
      const t = await readTable(client, res.body.sessionID);
      assert.deepEqual(t.rows, [
        [1, 'x'.repeat(MAX - 2)],
        [2, 'y'],
        [3, 'x'.repeat(MAX - 3)],
      ]);
    }
  });

  test('a line one byte over: 400 naming the line, for the header, a middle line and the last line without a line break', async () => {
    assertTooLong(await upload(server.url, 'header.csv', `a,${'b'.repeat(MAX - 1)}\n1,2\n`), 1);
    assertTooLong(await upload(server.url, 'middle.csv', ['a,b', '1,2', line(2, MAX + 1), '3,4', '5,6'].join('\n') + '\n'), 3);
    assertTooLong(await upload(server.url, 'middle-crlf.csv', ['a,b', '1,2', '3,4', line(3, MAX + 1), '5,6'].join('\r\n') + '\r\n'), 4);
    assertTooLong(await upload(server.url, 'last.csv', ['a,b', '1,2', line(2, MAX + 1)].join('\n')), 3);
    // Far over (the reported case: DuckDB dropped it and said nothing).
    assertTooLong(await upload(server.url, 'far.csv', `a,b\n1,${'x'.repeat(40 * MAX)}\n2,y\n`), 2);
    assertTooLong(await upload(server.url, 'one-column.tsv', `a\n${'x'.repeat(40 * MAX)}`), 2);
    // A line skipped by initialSkip still counts, as it is a line of the file.
    assertTooLong(await upload(server.url, 'skipped.csv', `${'#'.repeat(MAX + 1)}\na,b\n1,2\n`, { initialSkip: '1' }), 1);
  });

  test('a quoted field whose line breaks make its record longer than the limit: refused, naming the line it starts on', async () => {
    const field = `"${('y'.repeat(99) + '\n').repeat(Math.ceil((MAX + 200) / 100))}"`;
    assertTooLong(await upload(server.url, 'quoted.csv', `a,b\n1,2\n3,${field}\n4,5\n`), 3);
    // Just under: imported whole.
    const under = `"${('y'.repeat(99) + '\n').repeat(Math.floor((MAX - 10) / 100))}"`;
    const res = await upload(server.url, 'quoted-under.csv', `a,b\n1,2\n3,${under}\n4,5\n`);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.deepEqual((await readTable(client, res.body.sessionID)).rows.map((r) => [r[0], String(r[1]).length]), [
      [1, 1],
      [3, under.length - 2],
      [4, 1],
    ]);
  });

  test('Latin-1: lines measured once re-encoded as UTF-8 (é is two bytes), numbered as in the file', async () => {
    // 40,000 é: 40,000 bytes in Latin-1, 80,000 in UTF-8.
    const over = Buffer.from(`a,b\n1,2\n3,caf\xe9\n4,${'\xe9'.repeat(40_000)}\n5,6\n`, 'latin1');
    assertTooLong(await upload(server.url, 'latin1.csv', over), 4);
    const under = Buffer.from(`a,b\n1,caf\xe9\n2,${'\xe9'.repeat(MAX / 2 - 2)}\n`, 'latin1');
    const res = await upload(server.url, 'latin1-under.csv', under);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.deepEqual((await readTable(client, res.body.sessionID)).rows, [
      [1, 'café'],
      [2, 'é'.repeat(MAX / 2 - 2)],
    ]);
  });
});

/** ~`bytes` of regular lines of `a,b,c`. */
function regularLines(bytes: number, from = 0): string[] {
  const lines: string[] = [];
  for (let i = from, size = 0; size < bytes; i++) {
    const l = `${i},${i * 0.5},name ${i % 100}`;
    lines.push(l);
    size += l.length + 1;
  }
  return lines;
}

describe('MAX_LINE_BYTES on the streamed path (a large upload read while it arrives)', async () => {
  // Any arrival rate streams through the pipe, or is read from the file once whole.
  const piped = await serverWithClient({ MAX_LINE_BYTES: MAX, STREAM_IMPORT_MIN_RATE: 0, STREAM_IMPORT_MAX_RATE: 1e15 });
  const whole = await serverWithClient({ MAX_LINE_BYTES: MAX, STREAM_IMPORT_MIN_RATE: 0, STREAM_IMPORT_MAX_RATE: 1 });
  const head = regularLines(STREAM_HEAD_BYTES + 1024 * 1024);
  const rest = regularLines(1024 * 1024, head.length);
  for (const [mode, s] of [
    ['through the pipe', piped.server],
    ['from the file once whole', whole.server],
  ] as [string, TestServer][]) {
    test(`${mode}: a line over the limit past the head is refused, naming it; one at the limit imports`, async () => {
      const at = 1 + head.length + 1; // its line number: header, the head's lines, then it
      const over = ['a,b,c', ...head, `${head.length},1,${'z'.repeat(MAX)}`, ...rest].join('\n') + '\n';
      assertTooLong(await upload(s.url, 'late-long.csv', over), at, MAX, s.dataDir);
      const within = ['a,b,c', ...head, `${head.length},1,${'z'.repeat(MAX - String(head.length).length - 3)}`, ...rest].join('\n') + '\n';
      const res = await upload(s.url, 'late-at-limit.csv', within);
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.deepEqual([res.body.rows, res.body.skippedLines, res.body.paddedLines], [head.length + 1 + rest.length, 0, 0]);
    });
  }
});

describe('lines longer than DuckDB parallel reader takes safely', async () => {
  // DuckDB's parallel reader lost one line in a row of 16 MB lines read with 32 MB buffers,
  // without a word; such files are read on one thread. A smaller case of the same kind.
  const LIMIT = 4 * 1024 * 1024;
  const big = await serverWithClient({ MAX_LINE_BYTES: LIMIT });
  test('many lines of exactly the limit, over PARALLEL_LINE_BYTES: every one imported whole', async () => {
    assert.ok(LIMIT > PARALLEL_LINE_BYTES);
    const n = 12;
    const content = ['a,b', ...Array.from({ length: n }, (_, i) => line(i, LIMIT)), 'z,y'].join('\n') + '\n';
    const res = await upload(big.server.url, 'long-lines.csv', content);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.deepEqual([res.body.rows, res.body.skippedLines, res.body.paddedLines], [n + 1, 0, 0]);
    const download = await fetch(`${big.server.url}/downloadCSV/${res.body.sessionID}`);
    assert.equal(download.status, 200);
    const text = await download.text();
    assert.equal(text.replace(/\r\n/g, '\n'), content, 'the download is the upload, byte for byte');
    assertTooLong(await upload(big.server.url, 'over.csv', `a,b\n1,2\n${line(3, LIMIT + 1)}\n`), 3, LIMIT, big.server.dataDir);
  });
});
