import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { JsonSyntax, JsonSyntaxError, checkJsonFile } from './json-syntax.ts';

// The strict check that stands before DuckDB's lenient JSON reader: what it accepts, where it
// says a file went wrong, and that the answer does not depend on how the bytes were cut into
// chunks (a file is read a megabyte at a time; any byte may end a chunk).

/** The checker's answer for `text` fed in chunks of `size` bytes: the count of values, or the error's offset and message. */
function check(text: string | Buffer, size = Infinity): { values: number } | { offset: number; message: string } {
  const bytes = typeof text === 'string' ? Buffer.from(text) : text;
  const syntax = new JsonSyntax();
  try {
    const step = Math.min(size, Math.max(1, bytes.length));
    for (let o = 0; o < bytes.length; o += step) syntax.push(bytes.subarray(o, o + step));
    syntax.end();
    return { values: syntax.values };
  } catch (err) {
    if (!(err instanceof JsonSyntaxError)) throw err;
    return { offset: err.offset, message: err.message };
  }
}

const VALID: [string, number][] = [
  ['[{"a":1},{"a":2}]', 1],
  ['[]', 1],
  ['  [ {"a" : 1 , "b":[ ] , "c":{ }} ]\r\n\t ', 1],
  ['{"a":{"0":1,"1":2},"b":[1,2]}', 1],
  ['{"columns":["a"],"index":[0],"data":[[1]]}', 1],
  ['{"a":1}\n{"a":2}\n', 2],
  ['{"a":1}\r\n\r\n{"a":2}', 2],
  ['{"a":1}\r{"a":2}\r', 2], // old Mac line ends
  ['['.repeat(10_000) + ']'.repeat(10_000), 1],
  ['{\n  "a": 1\n}\n{\n  "a": 2\n}', 2], // pretty-printed JSON Lines: each value begins on a new line
  ['[[1,"x",true],[2,"y",false]]', 1],
  ['[0, -0, 12, -3.25, 1e5, 1E+5, 2.5e-3, 0.0]', 1],
  ['["", "\\"\\\\\\/\\b\\f\\n\\r\\t", "\\u00e9\\uD83D\\uDE00", "é ü 中"]', 1],
  ['[true, false, null]', 1],
  ['[{"a": NaN, "b": Infinity, "c": -Infinity}]', 1], // as Python's json writes floats
  ['\ufeff[{"a":1}]', 1],
  ['42', 1], // valid JSON: the import refuses a scalar for its shape, not its syntax
  ['', 0],
  [' \n ', 0],
];

const INVALID: [string, RegExp, number][] = [
  // Cut off: DuckDB took these two as the records before the comma.
  ['[{"a":1},{"a":2},', /ends after a "," inside the array opened at byte 0: the file is cut off/, 17],
  ['[{"a":1},', /ends after a "," inside the array/, 9],
  ['[{"a":1},{"a":2', /ends inside the object opened at byte 9/, 15],
  ['[{"a":1},{"a":2}', /ends inside the array/, 16],
  ['[{"a":"x', /ends inside a string, in the object opened at byte 1/, 8],
  ['[{"a":"x\\', /ends inside a string/, 9],
  ['[{"a":1', /ends inside the object/, 7],
  ['[{"a":tr', /ends inside the object/, 8],
  ['{"a":{"0":1}', /ends inside the object opened at byte 0/, 12],
  ['{"a":1}\n{"a":', /ends after a ":" inside the object opened at byte 8/, 13],
  ['-', /ends inside a value/, 1],
  // Trailing commas: DuckDB accepted them within values.
  ['[{"a":1},{"a":2},]', /"\]" where a value must come \(a trailing comma in an array\)/, 17],
  ['[{"a":1,}]', /"}" where a key .* \(a trailing comma in an object\)/, 8],
  ['[[1,2,],[3]]', /trailing comma in an array/, 6],
  ['{"a":{"0":1},}', /trailing comma in an object/, 13],
  ['{"a":1}\n{"a":2,}', /trailing comma in an object/, 15],
  // Anything after the value but whitespace.
  ['[{"a":1}] x', /"x" after the end of the JSON value \(which ended at byte 8\)/, 10],
  ['[{"a":1}]]', /"\]" after the end of the JSON value/, 9],
  ['[{"a":1}],', /"," after the end/, 9],
  ['[1]\n[2]', /"\[" after the end of the JSON value/, 4],
  ['{"a":1}{"a":2}', /after the end of the JSON value \(which ended at byte 6\) on the same line: .*JSON Lines: each value starts on a line of its own/, 7],
  ['{"a":1}\n,', /"," where a value must come/, 8],
  ['[{"a":1}]\u0000', /byte 0x00 after the end/, 9],
  // Tokens.
  ['[{"a":nan}]', /"a" in what should be null/, 7],
  ['[{"a":inf}]', /"i" where a value must come/, 6],
  ['[{"a":01}]', /leading zero/, 7],
  ['[{"a":1.}]', /after a decimal point/, 8],
  ['[{"a":1e}]', /exponent/, 8],
  ['[{"a":+1}]', /"\+" where a value must come/, 6],
  ['[{"a":.5}]', /"\." where a value must come/, 6],
  ["[{'a':1}]", /"'" where a key/, 2],
  ['[{"a" 1}]', /where a ":" must follow the key/, 6],
  ['[1 2]', /"2" where a "," or "\]" must come in the array opened at byte 0/, 3],
  ['[{"a":1]', /"\]" closes the object opened at byte 1/, 7],
  ['[{"a":"x\ty"}]', /control character \(byte 0x09\) inside a string/, 8],
  ['[{"a":"\\q"}]', /invalid escape \\q/, 8],
  ['[{"a":"\\u12G4"}]', /4 hexadecimal digits/, 11],
  ['[,]', /"," where a value must come/, 1],
  ['['.repeat(10_001), /nested more than 10,000 levels deep/, 10_000],
];

test('complete, strict JSON passes, and its top-level values are counted', () => {
  for (const [text, values] of VALID) assert.deepEqual(check(text), { values }, JSON.stringify(text));
});

test('anything else is refused at the byte where it goes wrong, saying what is wrong', () => {
  for (const [text, message, offset] of INVALID) {
    const got = check(text);
    assert.ok('message' in got, `${JSON.stringify(text)} passed`);
    assert.match(got.message, message, JSON.stringify(text));
    assert.equal(got.offset, offset, `${JSON.stringify(text)}: ${got.message}`);
  }
});

test('the answer is the same however the bytes are cut into chunks', () => {
  for (const [text] of [...VALID, ...INVALID]) {
    const whole = check(text);
    for (const size of [1, 2, 3, 5]) assert.deepEqual(check(text, size), whole, `${JSON.stringify(text)} in chunks of ${size}`);
  }
});

test('checkJsonFile: a refused file is an ImportError with line, column (in characters) and byte', async () => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'willow-json-syntax-'));
  try {
    const file = path.join(dir, 'cut.json');
    await fs.writeFile(file, '[\n  {"né": "ü", "b": 1},\n  {"né": "x", "b": 2},\n');
    await assert.rejects(checkJsonFile(file), (err: Error & { code?: string }) => {
      assert.equal(err.name, 'ImportError');
      assert.equal(err.code, 'invalid JSON');
      assert.match(err.message, /^the file is not valid JSON: at line 4, column 1 \(byte 51\): the file ends after a "," inside the array opened at byte 0: the file is cut off or incomplete; nothing was imported$/);
      return true;
    });
    await fs.writeFile(file, '[{"né": "ü", "b": 1,}]');
    await assert.rejects(checkJsonFile(file), /at line 1, column 21 \(byte 22\): "}" where a key/);
    await fs.writeFile(file, '{"a": 1}\n{"a": 2}\n');
    assert.equal(await checkJsonFile(file), 2);
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
});
