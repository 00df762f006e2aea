import { test } from 'node:test';
import assert from 'node:assert/strict';
import { adapterParser } from './adapter-parser.ts';

test('the Redis adapter parser keeps raw JSON integers and everything else MessagePack carries', () => {
  const packet = {
    type: 2,
    data: ['analyze', { min: JSON.rawJSON('-9223372036854775808'), frequencies: [[JSON.rawJSON('123456789012345678'), 2]], mean: 1.5, text: 'é', none: null }],
    nsp: '/',
  };
  const message = ['uid-1', packet, { rooms: ['abc'], except: [], flags: {} }];
  const back = adapterParser.decode(adapterParser.encode(message)) as typeof message;
  assert.equal(JSON.stringify(back), JSON.stringify(message));
  assert.match(JSON.stringify(back), /"min":-9223372036854775808,"frequencies":\[\[123456789012345678,2\]\]/);
  // Binary data and values without raw JSON come through as MessagePack carries them.
  const binary = { data: Buffer.from([1, 2, 3]), nested: { list: [1, 'a', true] } };
  assert.deepEqual(adapterParser.decode(adapterParser.encode(binary)), binary);
});

test('a key __proto__ (a column named so) stays an own key through the parser, raw values in it too', () => {
  const info = JSON.parse('{"__proto__": {"n": 1}, "b": {"n": 2}}') as Record<string, unknown>;
  Object.defineProperty(info, '__proto__', { value: { n: JSON.rawJSON('123456789012345678') }, enumerable: true, writable: true, configurable: true });
  const message = { columnInfo: info };
  const back = adapterParser.decode(adapterParser.encode(message)) as typeof message;
  assert.deepEqual(Object.keys(back.columnInfo), ['__proto__', 'b']);
  assert.equal(JSON.stringify(back), '{"columnInfo":{"__proto__":{"n":123456789012345678},"b":{"n":2}}}');
});
