import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { startServer, upload, uploadOk } from './helpers/server.ts';
import { assertNoHost } from './helpers/host.ts';

const server = await startServer();
after(() => server.close());

describe('the client\'s mistakes in an upload are 400s that name the problem', () => {
  test('random bytes named .csv, .tsv, .txt or .json: not a text file', async () => {
    for (const name of ['random.csv', 'random.tsv', 'random.txt', 'random.json']) {
      const res = await upload(server.url, name, crypto.randomBytes(100_000));
      assert.equal(res.status, 400, `${name}: ${JSON.stringify(res.body)}`);
      assert.equal(res.body.error, 'not a text file');
      assert.match(res.body.errorDescription, new RegExp(`"${name.replace('.', '\\.')}" is not text`));
    }
    // Text that merely has an odd control character or two still imports; so does UTF-16.
    await uploadOk(server.url, 'ok.csv', 'a,b\n1,x\u0007y\n2,z\n');
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('a,b\n1,é\n', 'utf16le')]);
    await uploadOk(server.url, 'utf16.csv', utf16);
  });

  test('title lines above the header: refused naming the first long line and the initialSkip to try, not imported as two junk rows', async () => {
    const lines = ['id,amount,note,when', ...Array.from({ length: 6 }, (_, i) => `${i},${i * 10},"n ${i}",2024-01-0${i + 1}`)];
    for (const eol of ['\n', '\r\n']) {
      const file = ['Report generated 2024-05-01', 'source: ERP', ...lines].join(eol) + eol;
      const res = await upload(server.url, 'report.csv', file);
      assert.equal(res.status, 400, JSON.stringify(res.body));
      assert.equal(res.body.error, 'header does not match the data');
      assert.match(res.body.errorDescription, /7 lines have more fields than the header \(1 field\) and only 1 fit it; line 3 is the first of them: .*initialSkip=2; nothing was imported/);
      // The hint is right: with it the file imports whole.
      const ok = await upload(server.url, 'report.csv', file, { initialSkip: '2' });
      assert.equal(ok.status, 200, JSON.stringify(ok.body));
      assert.deepEqual([ok.body.rows, ok.body.columns, ok.body.skippedLines], [6, 4, 0]);
    }
    // A few ragged lines among many that fit still import, counted (pandas on_bad_lines='skip').
    const some = await upload(server.url, 'some.csv', ['a,b', '1,2', '3,4,5', '6,7'].join('\n'));
    assert.equal(some.status, 200, JSON.stringify(some.body));
    assert.deepEqual([some.body.rows, some.body.skippedLines], [2, 1]);
    // Sampled, the rule is about the rows the file has, not the sample's: 3 ragged lines
    // among 40 that fit are no mismatch, though a 5% sample keeps 2 rows; with a Latin-1
    // file (read after transcoding) and mixed line endings (rewritten) alike.
    const body = Array.from({ length: 40 }, (_, i) => `${i},café ${i}`);
    body.splice(10, 0, '1,2,3', '4,5,6', '7,8,9');
    for (const [name, content] of [['sampled.csv', ['a,b', ...body].join('\n')], ['latin1.csv', Buffer.from(['a,b', ...body].join('\r\n'), 'latin1')], ['mixed.csv', ['a,b', ...body].map((l, i) => l + (i % 2 ? '\r\n' : '\n')).join('')]] as const) {
      const sampled = await upload(server.url, name, content, { sampleSize: '0.05', seed: '3' });
      assert.equal(sampled.status, 200, `${name}: ${JSON.stringify(sampled.body)}`);
      assert.deepEqual([sampled.body.rows, sampled.body.skippedLines], [2, 3], name);
      const whole = await upload(server.url, name, content);
      assert.deepEqual([whole.status, whole.body.rows, whole.body.skippedLines], [200, 40, 3], name);
    }
    // A sample of a file that does not fit its header is refused as the whole file is.
    const titled = ['Report', 'a,b', ...body.slice(0, 3)].join('\n');
    const refused = await upload(server.url, 'titled.csv', titled, { sampleSize: '0.5', seed: '1' });
    assert.equal(refused.status, 400, JSON.stringify(refused.body));
    assert.equal(refused.body.error, 'header does not match the data');
  });

  test('too many form fields: 400 naming the field limit, not 413', async () => {
    const fields: Record<string, string> = {};
    for (let i = 0; i < 40; i++) fields[`f${i}`] = 'x';
    const res = await upload(server.url, 'data.csv', 'a\n1\n', fields);
    assert.equal(res.status, 400, JSON.stringify(res.body));
    assert.equal(res.body.error, 'too many fields');
    assert.match(res.body.errorDescription, /more than 32 fields; the limit is 32/);
  });

  test('a form field longer than its limit: 400 naming the field', async () => {
    const res = await upload(server.url, 'data.csv', 'a\n1\n', { seed: '1'.repeat(2 * 1024 * 1024) });
    assert.equal(res.status, 400, JSON.stringify(res.body));
    assert.equal(res.body.error, 'field too large');
    assert.match(res.body.errorDescription, /"seed" is longer than 1048576 bytes/);
  });

  test('a multipart body cut off before its closing boundary, or a Content-Type without a boundary: 400, not 500', async () => {
    const post = (contentType: string, body: string) => fetch(`${server.url}/upload`, { method: 'POST', headers: { 'content-type': contentType }, body });
    const cut = await post('multipart/form-data; boundary=XX', '--XX\r\nContent-Disposition: form-data; name="file"; filename="a.csv"\r\n\r\na,b\n1,2');
    assert.equal(cut.status, 400);
    const cutBody = (await cut.json()) as { error: string; errorDescription: string };
    assert.equal(cutBody.error, 'incomplete upload');
    assert.match(cutBody.errorDescription, /no closing boundary/);
    const noBoundary = await post('multipart/form-data', '--XX\r\n\r\n');
    assert.equal(noBoundary.status, 400);
    assert.notEqual(((await noBoundary.json()) as { error: string }).error, 'internal error');
  });

  test('a line over DuckDB\'s old line limit (2,000,000 bytes) imports whole; one over MAX_LINE_BYTES is refused naming it, but no path of the server', async () => {
    // DuckDB refused these as "Maximum line size of 2000000 bytes exceeded" (unreadable
    // file); they are within MAX_LINE_BYTES (16 MiB by default).
    for (const [name, content, rows] of [
      ['long-line.csv', `a,b\n1,${'x'.repeat(2_100_000)}\n2,3\n`, 2],
      ['long-quoted.csv', `a,b\n1,2\n"${'y'.repeat(2_100_000)}",4\n`, 2],
    ] as const) {
      const res = await upload(server.url, name, content);
      assert.equal(res.status, 200, `${name}: ${JSON.stringify(res.body)}`);
      assert.deepEqual([res.body.rows, res.body.skippedLines], [rows, 0], name);
    }
    const res = await upload(server.url, 'too-long.csv', `a,b\n1,2\n"${'y'.repeat(17 * 1024 * 1024)}",4\n`);
    assert.equal(res.status, 400, JSON.stringify(res.body));
    assert.equal(res.body.error, 'line too long');
    assert.match(res.body.errorDescription, /^line 3 of the file is longer than 16777216 bytes \(in UTF-8\), the longest line accepted \(MAX_LINE_BYTES\)$/);
    assertNoHost(res.body.errorDescription, [server.dataDir]);
  });

  test('a quoted value that swallows the lines after it is refused naming its line; a bad value on one line is a skipped line', async () => {
    for (const [name, content, line] of [
      // Never closed: the rest of the file would be one value (pandas: "EOF inside string").
      ['eof.csv', 'a,b\n1,"unterminated\n2,3\n', 2],
      ['eof-later.csv', 'a,b\n1,x\r\n2,"open\r\n3,3\r\n4,4\r\n', 3],
      // Closed lines later, with text after the quote: three lines read as one record.
      ['closed-later.csv', 'a,b\n1,x\n2,"un""term\n3,3\n4,"ok"\n5,5\n', 3],
      // The wide path (more than 1,000 columns) reads lines its own way.
      ['wide.csv', `${Array.from({ length: 1200 }, (_, i) => `c${i}`).join(',')}\n${Array.from({ length: 1200 }, (_, i) => (i === 5 ? '"open' : String(i))).join(',')}\n${Array.from({ length: 1200 }, (_, i) => String(i)).join(',')}\n`, 2],
    ] as const) {
      const res = await upload(server.url, name, content);
      assert.equal(res.status, 400, `${name}: ${JSON.stringify(res.body)}`);
      assert.equal(res.body.error, 'unterminated quote', name);
      assert.match(res.body.errorDescription, new RegExp(`^line ${line} of the file opens a quoted value that is not closed`), name);
    }
    // Text after a closing quote on one line: that line alone is skipped, and counted.
    const one = await upload(server.url, 'one-line.csv', 'a,b,c\n1,5" screen,x\n2,ok,y\n3,"q"x,z\n4,w,w\n');
    assert.equal(one.status, 200, JSON.stringify(one.body));
    assert.deepEqual([one.body.rows, one.body.skippedLines], [3, 1]);
  });

  test('no upload is left behind', async () => {
    assert.deepEqual(await fs.readdir(path.join(server.dataDir, 'incoming')), []);
  });
});
