import { test } from 'node:test';
import assert from 'node:assert/strict';
import { exactDecimal, exactInteger, floatJson, parseExact, textOf } from './exact-json.ts';

test('exactInteger: numbers within ±2^53, the exact digits beyond', () => {
  assert.equal(exactInteger(0n), 0);
  assert.equal(exactInteger(2n ** 53n), 2 ** 53);
  assert.equal(exactInteger(-(2n ** 53n)), -(2 ** 53));
  const cases: [bigint, string][] = [
    [2n ** 53n + 1n, '9007199254740993'],
    [123456789012345678n, '123456789012345678'],
    [-(2n ** 63n), '-9223372036854775808'],
    [2n ** 63n - 1n, '9223372036854775807'],
    [2n ** 64n - 1n, '18446744073709551615'],
  ];
  for (const [v, text] of cases) {
    assert.equal(JSON.stringify(exactInteger(v)), text);
    assert.equal(JSON.stringify({ min: exactInteger(v), list: [[exactInteger(v), 1]] }), `{"min":${text},"list":[[${text},1]]}`);
    assert.equal(textOf(exactInteger(v)), text);
  }
});

test('floatJson: as Python json.dumps writes a float beyond 2^53; unchanged within it and from 1e21', () => {
  // Expected texts from Python 3: json.dumps(x).
  const cases: [number, string][] = [
    [2 ** 53, '9007199254740992'],
    [2 ** 53 + 2, '9007199254740994.0'],
    [-(2 ** 53 + 2), '-9007199254740994.0'],
    [1e16, '1e+16'],
    [123456789012345678, '1.2345678901234568e+17'],
    [-9223372036854775808, '-9.223372036854776e+18'],
    [1.5e20, '1.5e+20'],
    [9.999999999999999e20, '9.999999999999999e+20'],
    [1e21, '1e+21'],
    [0.1, '0.1'],
    [1234.5, '1234.5'],
  ];
  for (const [x, text] of cases) assert.equal(JSON.stringify(floatJson(x)), text, String(x));
  assert.equal(floatJson(NaN), null);
  assert.equal(floatJson(-Infinity), null);
});

test('parseExact: integers beyond 2^53 come back as their digits, and are written as they came', () => {
  const text = '{"a":9007199254740993,"b":[-9223372036854775808,1.5,9007199254740992,12],"c":123456789012345680,"d":1e+300,"e":"9223372036854775807","f":100000000000000000000000000000000000000000000}';
  const parsed = parseExact(text) as Record<string, any>;
  assert.equal(JSON.stringify(parsed), text);
  assert.equal(parsed.b[1], 1.5);
  assert.equal(parsed.b[2], 9007199254740992);
  assert.equal(parsed.d, 1e300);
  assert.equal(parsed.e, '9223372036854775807');
  assert.ok(JSON.isRawJSON(parsed.a));
});

test('parseExact: floats and decimals a double does not carry are written on as they came; the rest are numbers', () => {
  // As analyze writes them in a reply (floatJson, exactDecimal): a mean beyond 2^53, an
  // exact quartile, a DECIMAL(38, 20); the distributed queue's results channel had turned
  // them into 273456789012345660, 198456789012345660 and 0.12345678901234568.
  const reply = { mean: floatJson(2.7345678901234566e17), std: floatJson(1.2909944487358056e17), q: exactDecimal(19845678901234567875n, 2), d: exactDecimal(12345678901234567891n, 20), big: floatJson(9007199254740994), start: floatJson(1.5e17) };
  const text = JSON.stringify(reply);
  assert.equal(text, '{"mean":2.7345678901234566e+17,"std":1.2909944487358056e+17,"q":198456789012345678.75,"d":0.12345678901234567891,"big":9007199254740994.0,"start":1.5e+17}');
  assert.equal(JSON.stringify(parseExact(text)), text);
  // Numbers a double writes back alike stay numbers (a small float written "1.0" by another
  // program too: its value is the same and code reading it wants a number).
  const plain = parseExact('{"a":1.5,"b":1.0,"c":-0.25,"d":1e-7,"e":123456.789,"f":0.1234567890123456}') as Record<string, unknown>;
  assert.deepEqual(plain, { a: 1.5, b: 1, c: -0.25, d: 1e-7, e: 123456.789, f: 0.1234567890123456 });
});

test('exactDecimal: a number when its text is the decimal\'s, the exact digits otherwise', () => {
  const cases: [bigint, number, string][] = [
    [150n, 2, '1.5'],
    [5n, 2, '0.05'],
    [-50n, 2, '-0.5'],
    [0n, 2, '0'],
    [200n, 2, '2'],
    [12345678901234567890123456789012345678n, 0, '12345678901234567890123456789012345678'],
    [12345678901234567825n, 2, '123456789012345678.25'],
    [-12345678901234567890123456789012345678n, 1, '-1234567890123456789012345678901234567.8'],
    [10000000000000000000000n, 0, '10000000000000000000000'],
  ];
  for (const [value, scale, text] of cases) assert.equal(JSON.stringify(exactDecimal(value, scale)), text, text);
});
