// The README's `## Errors` tables against the code: every `error` code the server can send
// is listed, and every code listed is still sent somewhere. A code is found where it is
// written, as a string literal in one of the forms below; a code built any other way (a
// variable, a template) makes the test fail until it is handled here, so that none slips by.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '..');

interface Found {
  code: string;
  /** HTTP status, when the form gives it as a number; null for "any" (a variable). */
  status?: number | null;
  where: string;
}

/** A literal holding no interpolation: 'x', "x" or `x`. */
const LITERAL = String.raw`'([^'\\\n]*)'|"([^"\\\n]*)"|\x60([^\x60$\\]*)\x60`;
const literalOf = (m: RegExpExecArray, from: number): string | undefined => m[from] ?? m[from + 1] ?? m[from + 2];

/** Source files of the server (tests excluded), with comment lines blanked so that documentation does not count. */
function sources(): { file: string; text: string }[] {
  return fs
    .globSync('src/**/*.ts', { cwd: ROOT })
    // src/protocol holds the reply schemas (`error: z.string()`), not answers.
    .filter((f) => !f.endsWith('.test.ts') && !f.startsWith('src/protocol/'))
    .sort()
    .map((file) => {
      const lines = fs.readFileSync(path.join(ROOT, file), 'utf8').split('\n');
      const text = lines.map((l) => (/^\s*(\/\/|\/\*|\*)/.test(l) ? '' : l)).join('\n');
      return { file, text };
    });
}

const lineOf = (text: string, index: number): number => text.slice(0, index).split('\n').length;

/**
 * Every occurrence of `call(` followed by a first argument: its literal, or the start of what
 * stands there instead (for the callers to accept or refuse).
 */
function firstArguments(text: string, call: string): { literal?: string; other?: string; index: number }[] {
  const out: { literal?: string; other?: string; index: number }[] = [];
  const re = new RegExp(String.raw`\b${call}\(\s*(?:${LITERAL}|([^\s)][^,)]*))`, 'g');
  for (let m; (m = re.exec(text)); ) {
    const literal = literalOf(m, 1);
    out.push(literal !== undefined ? { literal, index: m.index } : { other: m[4].trim(), index: m.index });
  }
  return out;
}

interface Extracted {
  socket: Found[];
  http: Found[];
  /** Forms the scan cannot read: each must be handled (and then listed in DYNAMIC) or written as a literal. */
  unhandled: string[];
}

/**
 * First arguments of `new OperationError(` that are not literals, and why their codes are
 * covered: the recipe step's code is one of RETRYABLE or 'operation failed' (both read from
 * the file below); the command process only passes on codes its child made with literals.
 */
const DYNAMIC_OPERATION_CODES = new Map([
  ['src/operations/history/index.ts', 'code'],
  ['src/engine/sandbox-process.ts', 'msg.failure.code'],
]);

/**
 * `error:` followed by no literal, and why that is no code of its own: the executor passes on
 * an OperationError's code (found above); `error: string` types the parameter of a helper
 * whose callers pass literals (reply(), fail()).
 */
const DYNAMIC_ERROR_FIELDS = new Map([['src/worker/executor.ts', 'err.code']]);

function extract(): Extracted {
  const socket: Found[] = [];
  const http: Found[] = [];
  const unhandled: string[] = [];
  for (const { file, text } of sources()) {
    const at = (index: number) => `${file}:${lineOf(text, index)}`;

    // Socket.IO: OperationError, whichever helper builds it (invalidParameter and the like
    // are found through the `new OperationError('…'` in their own body).
    for (const a of firstArguments(text, 'new OperationError')) {
      if (a.literal !== undefined) socket.push({ code: a.literal, where: at(a.index) });
      else if (DYNAMIC_OPERATION_CODES.get(file) !== a.other) unhandled.push(`${at(a.index)}: new OperationError(${a.other}, …)`);
    }
    // Socket.IO: the gateway's answers to requests it does not queue.
    if (file === 'src/gateway/sockets.ts') {
      for (const a of firstArguments(text, 'reply')) {
        if (a.literal !== undefined) socket.push({ code: a.literal, where: at(a.index) });
        else unhandled.push(`${at(a.index)}: reply(${a.other}, …)`);
      }
    }
    // HTTP: the upload's answers, `fail(status, code, …)`; `e.code ?? 'x'` is an ImportError's code (below) or x.
    for (const m of text.matchAll(/\bfail\(\s*([^,)]+),\s*([^,)]+),/g)) {
      const [status, code] = [m[1].trim(), m[2].trim()];
      const literal = new RegExp(`^(?:[\\w.]+\\s*\\?\\?\\s*)?(?:${LITERAL})$`).exec(code);
      if (!/^\d{3}$/.test(status) || !literal) unhandled.push(`${at(m.index)}: fail(${status}, ${code}, …)`);
      else http.push({ code: literalOf(literal, 1)!, status: Number(status), where: at(m.index) });
    }
    // HTTP: an ImportError is the upload's 400 (upload.ts's failure(), checked below).
    for (const a of firstArguments(text, 'new ImportError')) {
      if (a.literal !== undefined) http.push({ code: a.literal, status: 400, where: at(a.index) });
      else unhandled.push(`${at(a.index)}: new ImportError(${a.other}, …)`);
    }
    // Both: a message object `{ …, error: 'x', errorDescription … }` (or `error: cond ? 'x' : 'y'`);
    // HTTP when the statement sends it with a status (`.code(n)`, `writeHead(n`, `rawHttp(n`), else a job's answer.
    for (const m of text.matchAll(/\berror:\s*([^,}]*?)\s*,\s*errorDescription\b/g)) {
      const start = text.lastIndexOf('\n', m.index) + 1;
      const line = text.slice(start, text.indexOf('\n', m.index));
      const codes = [...m[1].matchAll(new RegExp(LITERAL, 'g'))].map((l) => literalOf(l, 1)!);
      const rest = m[1].replace(new RegExp(LITERAL, 'g'), '').replace(/^[\w.]+\s*\?\s*:\s*$/, '');
      if (m[1] === 'string' || DYNAMIC_ERROR_FIELDS.get(file) === m[1]) continue;
      if (codes.length === 0 || rest.trim() !== '') {
        unhandled.push(`${at(m.index)}: error: ${m[1]}`);
        continue;
      }
      const status = /(?:\.code|writeHead|rawHttp)\(\s*(\w+)/.exec(line);
      for (const code of codes) {
        if (status) http.push({ code, status: /^\d{3}$/.test(status[1]) ? Number(status[1]) : null, where: at(m.index) });
        else socket.push({ code, where: at(m.index) });
      }
    }
  }
  return { socket, http, unhandled };
}

/** The codes the dynamic OperationError sites may send, read from their source (see DYNAMIC_OPERATION_CODES). */
function recipeCodes(): string[] {
  const text = fs.readFileSync(path.join(ROOT, 'src/operations/history/index.ts'), 'utf8');
  const retryable = /const RETRYABLE = new Set\(\[([^\]]*)\]\)/.exec(text);
  const fallback = /RETRYABLE\.has\(err\.code\)\s*\?\s*err\.code\s*:\s*'([^']+)'/.exec(text);
  assert.ok(retryable && fallback, 'applyOperations no longer builds its step code from RETRYABLE: update test/error-codes.test.ts');
  return [...[...retryable[1].matchAll(/'([^']+)'/g)].map((m) => m[1]), fallback[1]];
}

interface Tables {
  /** Socket.IO codes, one per row. */
  socket: string[];
  /** HTTP rows: the statuses of the row and its codes. */
  http: { statuses: number[]; codes: string[]; row: string }[];
}

/** The tables of the README's `## Errors` section: the one headed `error` (Socket.IO) and the one headed `route` (HTTP). */
function readmeTables(readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8')): Tables {
  const start = readme.indexOf('\n## Errors\n');
  assert.ok(start >= 0, 'README.md has no "## Errors" section');
  const end = readme.indexOf('\n## ', start + 1);
  const section = readme.slice(start, end < 0 ? undefined : end);
  const tables: string[][][] = [];
  let current: string[][] | null = null;
  for (const line of section.split('\n')) {
    if (!line.startsWith('|')) {
      current = null;
      continue;
    }
    const cells = line.slice(1, line.endsWith('|') ? -1 : undefined).split('|').map((c) => c.trim());
    if (!current) tables.push((current = []));
    if (!cells.every((c) => /^:?-+:?$/.test(c))) current.push(cells);
  }
  const codes = (cell: string) => [...cell.matchAll(/`([^`]+)`/g)].map((m) => m[1]);
  const socketTable = tables.find((t) => t[0][0] === '`error`');
  const httpTable = tables.find((t) => t[0][0] === 'route');
  assert.ok(socketTable, 'the Errors section has no table headed `error` (Socket.IO)');
  assert.ok(httpTable, 'the Errors section has no table headed route (HTTP)');
  const errorColumn = httpTable[0].indexOf('`error`');
  const statusColumn = httpTable[0].indexOf('status');
  assert.ok(errorColumn > 0 && statusColumn > 0, 'the HTTP table needs the columns status and `error`');
  const socket = socketTable.slice(1).map((row) => {
    const found = codes(row[0]);
    assert.equal(found.length, 1, `Socket.IO table row without exactly one code: | ${row.join(' | ')} |`);
    return found[0];
  });
  const http = httpTable.slice(1).map((row) => ({
    statuses: [...row[statusColumn].matchAll(/\b\d{3}\b/g)].map((m) => Number(m[0])),
    codes: codes(row[errorColumn]),
    row: `| ${row.join(' | ')} |`,
  }));
  return { socket, http };
}

const unique = (codes: string[]) => [...new Set(codes)].sort();

test('the scan reads every place the server sets an error code', () => {
  const { socket, http, unhandled } = extract();
  assert.deepEqual(unhandled, [], 'codes built in a way this test cannot read: write them as literals, or handle the form in test/error-codes.test.ts');
  // Forms the scan relies on, so that a refactoring cannot make it find nothing.
  const upload = fs.readFileSync(path.join(ROOT, 'src/gateway/upload.ts'), 'utf8');
  assert.match(upload, /e instanceof ImportError[^\n]*fail\(400, e\.code/, 'an ImportError is no longer answered 400 with its code: update the test');
  const errors = fs.readFileSync(path.join(ROOT, 'src/operations/errors.ts'), 'utf8');
  assert.match(errors, /invalidParameter = [^\n]*new OperationError\('invalid parameters'/, 'invalidParameter no longer makes `invalid parameters`: update the test');
  const codes = unique(socket.map((f) => f.code));
  for (const expected of ['rate limited', 'busy', 'queue unavailable', 'invalid parameters', 'operation timed out', 'internal error', 'unknown session', 'worker lost']) {
    assert.ok(codes.includes(expected), `the scan no longer finds ${JSON.stringify(expected)}`);
  }
  assert.ok(http.some((f) => f.code === 'too many downloads' && f.status === 429));
  assert.ok(http.some((f) => f.code === 'unsupported file type' && f.status === 400));
});

test('every Socket.IO error code is in the README table, and every code there is sent', () => {
  const { socket } = extract();
  const sent = unique([...socket.map((f) => f.code), ...recipeCodes()]);
  const listed = readmeTables().socket;
  const twice = listed.filter((c, i) => listed.indexOf(c) !== i);
  assert.deepEqual(twice, [], 'codes listed twice in the Socket.IO table');
  const missing = sent.filter((c) => !listed.includes(c)).map((c) => `${c} (${socket.find((f) => f.code === c)?.where ?? 'applyOperations'})`);
  assert.deepEqual(missing, [], 'codes the server sends over Socket.IO that README.md "## Errors" does not list');
  const stale = listed.filter((c) => !sent.includes(c));
  assert.deepEqual(stale, [], 'codes README.md "## Errors" lists for Socket.IO that no code sends any more');
});

test('every HTTP error code is in the README table under its status, and every code there is sent', () => {
  const { http } = extract();
  const rows = readmeTables().http;
  const missing = http
    .filter((f) => !rows.some((r) => r.codes.includes(f.code) && (f.status == null || r.statuses.includes(f.status))))
    .map((f) => `${f.status ?? 'any'} ${f.code} (${f.where})`);
  assert.deepEqual(unique(missing), [], 'HTTP answers README.md "## Errors" does not list under their status');
  const stale = rows.flatMap((r) => r.codes.filter((c) => !http.some((f) => f.code === c && (f.status == null || r.statuses.includes(f.status)))).map((c) => `${c} in ${r.row.slice(0, 60)}…`));
  assert.deepEqual(stale, [], 'codes README.md "## Errors" lists for HTTP that no code sends with that status');
});

test('the README tables are read as meant (a row removed is noticed)', () => {
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const tables = readmeTables(readme);
  const row = readme.split('\n').find((l) => l.startsWith('| `rate limited` |'));
  assert.ok(row);
  assert.ok(!readmeTables(readme.replace(`${row}\n`, '')).socket.includes('rate limited'));
  assert.ok(tables.http.some((r) => r.codes.includes('file too large') && r.statuses.includes(413)));
});
