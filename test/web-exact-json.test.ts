import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Encoder } from 'socket.io-parser';
import { exactIntegers, exactParser, isIntegerText, parseExact } from '../web/src/exact-json.ts';

// How the web client reads the server's JSON (web/src/exact-json.ts): integers beyond 2^53
// keep their digits, as strings; everything else is what JSON.parse makes of it. Node 24's
// JSON.parse hands revivers the source text, as Chromium does.

test('integers beyond 2^53 keep their digits; the others stay numbers', () => {
  const text = '{"a": 9007199254740993, "b": -9223372036854775808, "c": 18446744073709551615, "d": [1, -2, 9007199254740991, -9007199254740991]}';
  assert.deepEqual(parseExact(text), { a: '9007199254740993', b: '-9223372036854775808', c: '18446744073709551615', d: [1, -2, 9007199254740991, -9007199254740991] });
  // JSON.parse alone rounds them: what the page showed.
  assert.equal((JSON.parse(text) as { a: number }).a, 9007199254740992);
});

test('numbers a double holds exactly stay numbers, whatever their size', () => {
  assert.deepEqual(parseExact('[9007199254740992, -9007199254740992, 0, -0, 1e21, 1e300, 2.5, 0.1, 123456789012345678.25]'), [2 ** 53, -(2 ** 53), 0, -0, 1e21, 1e300, 2.5, 0.1, 123456789012345678.25]);
  assert.ok(Object.is((parseExact('-0') as number), -0));
  // Only integers are kept as text: a float (its exponent or fraction) is a double anyway.
  assert.equal(parseExact('12345678901234567890.5'), 12345678901234567890.5);
  assert.equal(parseExact('1.2345678901234568e+17'), 1.2345678901234568e17);
});

test('text, booleans, null and nesting are untouched', () => {
  const value = { s: '9007199254740993', t: true, n: null, o: { list: [{ x: 'y' }] } };
  assert.deepEqual(parseExact(JSON.stringify(value)), value);
});

test('without the source text (an older browser) a number stays the double JSON.parse made', () => {
  assert.equal(exactIntegers('', 9007199254740992), 9007199254740992);
  assert.equal(exactIntegers('', 9007199254740992, {}), 9007199254740992);
  assert.equal(exactIntegers('', 9007199254740992, { source: '9007199254740993' }), '9007199254740993');
});

test("a data slice's text (the `data` string of a reply) and a whole Socket.IO packet", async () => {
  const slice = '{"columns":["id"],"index":[0,1],"data":[[9007199254740993],[-9223372036854775808]]}';
  assert.deepEqual(parseExact(slice), { columns: ['id'], index: [0, 1], data: [['9007199254740993'], ['-9223372036854775808']] });
  // A reply as the server's encoder writes it (raw digits in the packet's JSON), through the client's decoder.
  const packet = '2["analyze",{"requestID":"r1","success":true,"data":{"min":-9223372036854775808,"max":9007199254740993,"invalid":0}}]';
  const decoder = new exactParser.Decoder();
  const decoded = await new Promise<{ data?: unknown }>((resolve) => {
    decoder.on('decoded', (packet) => resolve(packet));
    decoder.add(packet);
  });
  assert.deepEqual(decoded.data, ['analyze', { requestID: 'r1', success: true, data: { min: '-9223372036854775808', max: '9007199254740993', invalid: 0 } }]);
  assert.equal(exactParser.Encoder, Encoder, "requests are encoded by Socket.IO's own encoder");
});

test('isIntegerText', () => {
  assert.equal(isIntegerText('-9223372036854775808'), true);
  assert.equal(isIntegerText('12a'), false);
  assert.equal(isIntegerText(12), false);
  assert.equal(isIntegerText('1.5'), false);
});
