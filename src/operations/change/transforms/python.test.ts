import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pyFloat, pyFloatRepr, pyStr } from './python.ts';

test('pyFloatRepr prints as Python repr(float)', () => {
  const cases: [number, string][] = [
    [3, '3.0'], [2.5, '2.5'], [-0.25, '-0.25'], [0, '0.0'], [-0, '-0.0'], [0.1 + 0.2, '0.30000000000000004'],
    [1e16, '1e+16'], [1234567890123456, '1234567890123456.0'], [9999999999999998, '9999999999999998.0'],
    [0.0001, '0.0001'], [0.00001, '1e-05'], [1.5e-5, '1.5e-05'], [1.5e300, '1.5e+300'], [123456789.123, '123456789.123'],
    [NaN, 'nan'], [Infinity, 'inf'], [-Infinity, '-inf'], [5e-324, '5e-324'],
  ];
  for (const [x, text] of cases) assert.equal(pyFloatRepr(x), text, String(x));
});

test('pyStr and pyFloat follow str() and float()', () => {
  assert.deepEqual([pyStr(5), pyStr(2.5), pyStr(true), pyStr(null), pyStr('x')], ['5', '2.5', 'True', 'None', 'x']);
  assert.deepEqual([' 5 ', '5.', '.5', '1e3', '1_000', '-inf', 'NaN', true, 7].map((v) => pyFloat(v)), [5, 5, 0.5, 1000, 1000, -Infinity, NaN, 1, 7]);
  assert.deepEqual(['', 'abc', '1,5', '_1', null].map((v) => pyFloat(v)), [null, null, null, null, null]);
});
