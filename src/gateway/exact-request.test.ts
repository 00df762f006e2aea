import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InexactInteger, inexactIntegerAt, parseRequestJson } from './exact-request.ts';

test('integer literals a double does not hold are marked, with their path; every other number is JSON.parse’s', () => {
  const body = parseRequestJson('{"a":9007199254740993,"b":[1,9007199254740994,-9223372036854775807],"c":{"d":"9007199254740993","e":9007199254740993.0,"f":1e17,"g":0.1}}') as Record<string, any>;
  assert.ok(body.a instanceof InexactInteger);
  assert.equal(body.b[1], 9007199254740994);
  assert.ok(body.b[2] instanceof InexactInteger);
  // A float spelling of a whole number the double is not: refused as the integer literal is (trial).
  assert.ok(body.c.e instanceof InexactInteger);
  assert.deepEqual({ ...body.c, e: undefined }, { d: '9007199254740993', e: undefined, f: 1e17, g: 0.1 });
  const floats = parseRequestJson('[9.007199254740993e15,9007199254740992.0,1.5e17,9007199254740993.5,-9.223372036854775807E18,1e300,12345678901234567.25,18446744073709551615]') as unknown[];
  assert.deepEqual(floats.map((v) => (v instanceof InexactInteger ? `inexact ${v.source}` : v)), ['inexact 9.007199254740993e15', 9007199254740992, 1.5e17, 9007199254740994, 'inexact -9.223372036854775807E18', 1e300, 12345678901234568, 'inexact 18446744073709551615']);
  assert.deepEqual(inexactIntegerAt(body), { path: 'a', source: '9007199254740993' });
  assert.deepEqual(inexactIntegerAt({ ...body, a: 1 }), { path: 'b[2]', source: '-9223372036854775807' });
  assert.equal(inexactIntegerAt({ x: [1, 'y', null, { z: 2 }] }), null);
});

test('a body nested deeper than the reviver’s recursion reaches is read without it (and refused later for its depth)', () => {
  const deep = `${'['.repeat(5000)}9007199254740993${']'.repeat(5000)}`;
  let v = parseRequestJson(deep);
  for (let i = 0; i < 5000; i++) v = (v as unknown[])[0];
  assert.equal(v, 9007199254740992);
});
