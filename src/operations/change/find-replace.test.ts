import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { engineHarness, type EngineHarness } from '../../../test/helpers/engine.ts';

let h: EngineHarness;
before(async () => {
  h = await engineHarness();
});
after(async () => {
  await h.close();
});

async function replaced(content: string, params: Record<string, unknown>): Promise<{ columns: string[]; types: string[]; rows: unknown[][]; changed: boolean }> {
  const id = await h.load(content);
  const res = await h.ok(id, 'findReplace', { columnIndex: 0, matchRegex: false, ...params });
  return { ...(await h.table(id)), changed: res.changed };
}

test('findReplace: whole text values, unicode, missing untouched, pairs applied in order', async () => {
  const t = await replaced('fruit,n\napple,1\nbanana,2\napple pie,3\n,4\nÄpfel,5\n', { toReplace: ['apple', 'Äpfel'], replaceWith: ['pear', 'Birne'] });
  assert.deepEqual(t.rows, [['pear', 1], ['banana', 2], ['apple pie', 3], [null, 4], ['Birne', 5]]);
  assert.deepEqual(t.types, ['string', 'int']);
  // a → b, then b → c: both end as c, as the original's loop of replace() calls does
  const chain = await replaced('s\na\nb\nc\n', { toReplace: ['a', 'b'], replaceWith: ['b', 'c'] });
  assert.deepEqual(chain.rows, [['c'], ['c'], ['c']]);
  // numbers in the lists are matched by their str(): 5 finds the text "5"
  const digits = await replaced('s\n5\nx\n', { toReplace: [5], replaceWith: [6] });
  assert.deepEqual(digits.rows, [['6'], ['x']]);
  // null as replacement is a missing value
  const gone = await replaced('s\na\nb\n', { toReplace: ['a'], replaceWith: [null] });
  assert.deepEqual(gone.rows, [[null], ['b']]);
});

test('findReplace: numeric columns match the number; the replacement takes the column type or widens it', async () => {
  const content = 'n\n5\n7\n5\n\n';
  let t = await replaced(content, { toReplace: ['5'], replaceWith: ['6'] });
  assert.deepEqual([t.types, t.rows], [['int'], [[6], [7], [6], [null]]]);
  t = await replaced(content, { toReplace: ['5.0'], replaceWith: [8] });
  assert.deepEqual([t.types, t.rows], [['int'], [[8], [7], [8], [null]]]);
  t = await replaced(content, { toReplace: [5], replaceWith: ['2.5'] });
  assert.deepEqual([t.types, t.rows], [['float'], [[2.5], [7], [2.5], [null]]]);
  t = await replaced(content, { toReplace: ['5'], replaceWith: ['five'] });
  assert.deepEqual([t.types, t.rows], [['string'], [['five'], ['7'], ['five'], [null]]]);
  // float('nan') matches missing values, as pandas' replace(np.nan, …) does
  t = await replaced(content, { toReplace: ['nan'], replaceWith: ['0'] });
  assert.deepEqual([t.types, t.rows], [['int'], [[5], [7], [5], [0]]]);
  const floats = 'x\n1.5\n2.0\n3.25\n';
  t = await replaced(floats, { toReplace: ['2'], replaceWith: ['x'] });
  assert.deepEqual([t.types, t.rows], [['string'], [['1.5'], ['x'], ['3.25']]]);
  t = await replaced(floats, { toReplace: [1.5, '3.25'], replaceWith: [0, '-1e-05'] });
  assert.deepEqual([t.types, t.rows], [['float'], [[0], [2], [-0.00001]]]);
  // a number that is not there: nothing changes, not even the type
  t = await replaced(content, { toReplace: ['9'], replaceWith: ['abc'] });
  assert.deepEqual([t.changed, t.types], [false, ['int']]);
});

test('findReplace: regex substitutes every match in text values, with \\1 group references, in order', async () => {
  let t = await replaced('d\n2020-01-15\ndate 1999-12-31 and 2001-02-03\nnone\n\n', { toReplace: ['(\\d{4})-(\\d{2})-(\\d{2})'], replaceWith: ['\\3/\\2/\\1'], matchRegex: true });
  assert.deepEqual(t.rows, [['15/01/2020'], ['date 31/12/1999 and 03/02/2001'], ['none'], [null]]);
  t = await replaced('s\na-b-c\nab\n', { toReplace: ['-', 'a', 'b'], replaceWith: ['+', 'b', 'c'], matchRegex: true });
  assert.deepEqual(t.rows, [['c+c+c'], ['cc']]);
  t = await replaced('s\nJohn Smith\n', { toReplace: ['(\\w+) (\\w+)'], replaceWith: ['\\g<2>, \\g<1>'], matchRegex: 'true' });
  assert.deepEqual(t.rows, [['Smith, John']]);
  t = await replaced('s\nÉcole été\n', { toReplace: ['é'], replaceWith: ['e'], matchRegex: true });
  assert.deepEqual(t.rows, [['École ete']]);
  // only strings are touched by a regex replacement; no match is no change
  t = await replaced('n\n15\n', { toReplace: ['1'], replaceWith: ['x'], matchRegex: true });
  assert.deepEqual([t.changed, t.types, t.rows], [false, ['int'], [[15]]]);
  // ... and the answer says why nothing changed
  const numbers = await h.load('price\n1.5\n');
  const res = await h.ok(numbers, 'findReplace', { columnIndex: 0, toReplace: ['\\.'], replaceWith: [','], matchRegex: true });
  assert.equal(res.changed, false);
  assert.match(res.unchangedReason, /^a regex replaces within text values, and column "price" holds float values: convert it to string first/);
  t = await replaced('s\nabc\n', { toReplace: ['z+'], replaceWith: ['y'], matchRegex: true });
  assert.equal(t.changed, false);
});

test('findReplace: bool columns compare their text form', async () => {
  let t = await replaced('b\nTrue\nFalse\n', { toReplace: ['True'], replaceWith: ['false'] });
  assert.deepEqual([t.types, t.rows], [['bool'], [[false], [false]]]);
  t = await replaced('b\nTrue\nFalse\n', { toReplace: ['True'], replaceWith: ['yes'] });
  assert.deepEqual([t.types, t.rows], [['string'], [['yes'], ['False']]]);
});

test('findReplace: bad parameters, empty dataset', async () => {
  const id = await h.load('s,n\na,1\n');
  const expectError = async (params: Record<string, unknown>, error: string, description: RegExp) => {
    const res = await h.run(id, 'findReplace', params);
    assert.equal(res.success, false, JSON.stringify(params));
    assert.equal(res.error, error);
    assert.match(res.errorDescription, description);
  };
  await expectError({ columnIndex: 0, toReplace: ['a', 'b'], replaceWith: ['c'], matchRegex: false }, 'invalid parameters', /toReplace has 2 values and replaceWith 1/);
  await expectError({ columnIndex: 0, toReplace: ['(a'], replaceWith: ['c'], matchRegex: true }, 'invalid regex', /toReplace\[0\] "\(a"/);
  await expectError({ columnIndex: 5, toReplace: ['a'], replaceWith: ['c'] }, 'index out of range', /columnIndex 5/);
  await expectError({ columnIndex: 0, toReplace: [{}], replaceWith: ['c'] }, 'invalid parameters', /toReplace/);
  const res = await h.ok(id, 'findReplace', { columnIndex: 0, toReplace: [], replaceWith: [] });
  assert.equal(res.changed, false);
  const empty = await h.load('s,n\na,1\n');
  await h.ok(empty, 'deleteRows', { rowIndices: [0] });
  assert.equal((await h.ok(empty, 'findReplace', { columnIndex: 1, toReplace: ['1'], replaceWith: ['2'] })).changed, false);
  assert.equal((await h.ok(empty, 'findReplace', { columnIndex: 0, toReplace: ['a'], replaceWith: ['b'], matchRegex: true })).changed, false);
});

test('findReplace: undo restores exactly the previous table, redo the replaced one', async () => {
  const id = await h.load('n,s\n5,a\n6,b\n');
  const before = await h.table(id);
  await h.ok(id, 'findReplace', { columnIndex: 0, toReplace: ['5'], replaceWith: ['x'], matchRegex: false });
  const after1 = await h.table(id);
  assert.deepEqual(after1, { columns: ['n', 's'], types: ['string', 'string'], rows: [['x', 'a'], ['6', 'b']] });
  await h.ok(id, 'undo');
  assert.deepEqual(await h.table(id), before);
  await h.ok(id, 'redo');
  assert.deepEqual(await h.table(id), after1);
});

test("findReplace: the replacement is a Python re.sub template: named groups, \\g<…>, two-digit groups, escapes", async () => {
  const names = 'n\nAlice Smith\nEve O\'Neil\n';
  let t = await replaced(names, { toReplace: ['(?P<first>\\w+) (?P<last>\\w+)'], replaceWith: ['\\g<last>, \\g<first>'], matchRegex: true });
  assert.deepEqual(t.rows, [['Smith, Alice'], ["O, Eve'Neil"]]);
  t = await replaced(names, { toReplace: ['(\\w+) (\\w+)'], replaceWith: ['[\\g<0>] \\g<2>\\1'], matchRegex: true });
  assert.deepEqual(t.rows, [['[Alice Smith] SmithAlice'], ["[Eve O] OEve'Neil"]]);
  // \10 is group 10 when there are ten groups (Python reads two digits), and groups past 9 work
  const letters = 's\nabcdefghijkl\n';
  const eleven = '(a)(b)(c)(d)(e)(f)(g)(h)(i)(j)(k)';
  t = await replaced(letters, { toReplace: [eleven], replaceWith: ['\\11\\10-\\1\\g<11>0'], matchRegex: true });
  assert.deepEqual(t.rows, [['kj-ak0l']]);
  // escapes as Python reads them: \\ one backslash, \n \t characters, \$ and $1 as written
  t = await replaced('s\na.b\n', { toReplace: ['\\.'], replaceWith: ['\\\\|\\n|\\t|$1|\\$|\\.'], matchRegex: true });
  assert.deepEqual(t.rows, [['a\\|\n|\t|$1|\\$|\\.b']]);
  // \0 is the NUL character in Python's templates, not the whole match
  t = await replaced('s\nab\n', { toReplace: ['a'], replaceWith: ['<\\0>'], matchRegex: true });
  assert.deepEqual(t.rows, [['<\u0000>b']]);
  // Python's {,n} is {0,n}; \Z is the end of the text
  t = await replaced('s\naaab\n', { toReplace: ['a{,2}b\\Z'], replaceWith: ['-'], matchRegex: true });
  assert.deepEqual(t.rows, [['a-']]);
  // a (?#comment) is ignored, as in Python
  t = await replaced('s\nab\n', { toReplace: ['a(?#the a)(b)'], replaceWith: ['\\1'], matchRegex: true });
  assert.deepEqual(t.rows, [['b']]);
  // \w \d \s are Unicode's, as Python's on text (RE2's alone stop at É, ٣ or a no-break space)
  t = await replaced('n\nZoë Ñúñez\nÉcole\u00a0été ٣٤\n', { toReplace: ['(\\w+)\\s(\\w+)'], replaceWith: ['\\2, \\1'], matchRegex: true });
  assert.deepEqual(t.rows, [['Ñúñez, Zoë'], ['été, École ٣٤']]);
  t = await replaced('n\nÉcole-été 12٣\n', { toReplace: ['[\\w-]+', '\\d+', '\\W'], replaceWith: ['<\\g<0>>', '#', '_'], matchRegex: true });
  assert.deepEqual(t.rows, [['_École_été_____']], 'as Python 3 gives it');
});

test('findReplace: invalid group references and Python regex syntax RE2 lacks are refused, naming the pair', async () => {
  const id = await h.load('s\nAlice Smith\n');
  const before = await h.table(id);
  const expectError = async (toReplace: string, replaceWith: string, description: RegExp) => {
    const res = await h.run(id, 'findReplace', { columnIndex: 0, toReplace: ['x', toReplace], replaceWith: ['y', replaceWith], matchRegex: true });
    assert.equal(res.success, false, `${toReplace} → ${replaceWith}`);
    assert.equal(res.error, 'invalid regex');
    assert.match(res.errorDescription, description);
  };
  await expectError('(\\w+) (\\w+)', '\\3', /^replaceWith\[1\] "\\\\3" refers to group 3, but toReplace\[1\] "\(\\\\w\+\) \(\\\\w\+\)" has 2 groups/);
  await expectError('(\\w+) (\\w+)', '\\10', /refers to group 10, but .* has 2 groups/);
  await expectError('(\\w+) (\\w+)', '\\g<3>', /refers to group 3, but .* has 2 groups/);
  await expectError('(?P<first>\\w+) (\\w+)', '\\g<last>', /refers to group "last", but .* has no group of that name \(its named groups: first\)/);
  await expectError('(\\w+)', '\\g<1', /replaceWith\[1\] "\\\\g<1" is not a valid replacement: missing >, unterminated name/);
  await expectError('(\\w+)', 'a\\', /replaceWith\[1\] "a\\\\" is not a valid replacement: bad escape \(end of pattern\)/);
  await expectError('(\\w+)', '\\q', /bad escape \\q/);
  await expectError('(a)'.repeat(12), '\\1\\2\\3\\4\\5\\6\\7\\8\\9\\10', /^replaceWith\[1\] ".*" is not a valid replacement: uses 10 different groups; at most 9 can be used in one replacement$/);
  await expectError('a(?=b)', 'x', /^toReplace\[1\] "a\(\?=b\)" uses a lookahead \(\?=…\), which is not supported/);
  await expectError('(?<!a)b', 'x', /negative lookbehind \(\?<!…\)/);
  await expectError('(?P<w>a)(?P=w)', 'x', /backreference \(\?P=w\)/);
  await expectError('(a)\\1', 'x', /backreference \\1/);
  await expectError('a*+', 'x', /possessive quantifier \*\+/);
  await expectError('(?>a)', 'x', /atomic group/);
  await expectError('(?x) a', 'x', /flag x \(verbose\)/);
  await expectError('(?<w>a)', 'x', /uses \(\?<w>…\), which is not Python syntax: write \(\?P<w>…\)/);
  await expectError('(?P<w>a)(?P<w>b)', 'x', /redefinition of group name "w"/);
  assert.deepEqual(await h.table(id), before);
});

/** Column `n` of a session as text (changeColumnDataType to str): every digit of an int64, which JSON numbers would round. */
async function exactColumn(id: string): Promise<unknown[]> {
  const t = await h.table(id);
  const i = t.columns.indexOf('n');
  const type = t.types[i];
  if (type === 'int') await h.ok(id, 'changeColumnDataType', { column: 'n', newDataType: 'str' });
  return [type, await h.column(id, 'n')];
}

test('findReplace on an int column is exact over the whole int64 range: 9007199254740993 is not 9007199254740992', async () => {
  const csv = 'n\n9007199254740992\n9007199254740993\n9223372036854775807\n-9223372036854775808\n5\n\n';
  const load = async (params: Record<string, unknown>) => {
    const id = await h.load(csv);
    const res = await h.ok(id, 'findReplace', { columnIndex: 0, matchRegex: false, ...params });
    return [res.changed, ...(await exactColumn(id))];
  };
  // Found as text, exactly; the replacement exact too (it was written through a double).
  assert.deepEqual(await load({ toReplace: ['9007199254740993'], replaceWith: ['9223372036854775806'] }), [
    true, 'int', ['9007199254740992', '9223372036854775806', '9223372036854775807', '-9223372036854775808', '5', null],
  ]);
  // A JSON number beyond 2^53 that a double holds exactly finds that integer only.
  assert.deepEqual(await load({ toReplace: [9007199254740992], replaceWith: [1] }), [true, 'int', ['1', '9007199254740993', '9223372036854775807', '-9223372036854775808', '5', null]]);
  // Numerals written otherwise stand for their exact integer: 9007199254740993.0, 9.007199254740993e15, 5_0e-1.
  assert.deepEqual(await load({ toReplace: ['9.007199254740993e15', '9223372036854775807', '-9223372036854775808', '5_0e-1'], replaceWith: ['9007199254740995.0', '-9223372036854775807', '', '9007199254740993'] }), [
    true, 'int', ['9007199254740992', '9007199254740995', '-9223372036854775807', null, '9007199254740993', null],
  ]);
  // An integer that is in no int64 column matches nothing; a missing value is found by 'nan' (float('nan')).
  assert.deepEqual(await load({ toReplace: ['9223372036854775808', '9007199254740993.5'], replaceWith: [1, 2] }), [false, 'int', ['9007199254740992', '9007199254740993', '9223372036854775807', '-9223372036854775808', '5', null]]);
  assert.deepEqual(await load({ toReplace: ['nan'], replaceWith: ['9007199254740993'] }), [true, 'int', ['9007199254740992', '9007199254740993', '9223372036854775807', '-9223372036854775808', '5', '9007199254740993']]);
  // A replacement beyond int64 makes the column text, every digit kept (pandas: object).
  assert.deepEqual(await load({ toReplace: ['5'], replaceWith: ['9223372036854775808'] }), [
    true, 'string', ['9007199254740992', '9007199254740993', '9223372036854775807', '-9223372036854775808', '9223372036854775808', null],
  ]);
});

test('newCellValue and fillWithCustomValue store integers beyond 2^53 exactly in an int column, however they are written', async () => {
  for (const value of ['9007199254740993.0', '9.007199254740993e15', ' 9007199254740993 ']) {
    const id = await h.load('n\n1\n\n');
    await h.ok(id, 'newCellValue', { columnIndex: 0, rowIndex: 0, newValue: value });
    await h.ok(id, 'fillWithCustomValue', { columnIndex: 0, newValue: value });
    assert.deepEqual(await exactColumn(id), ['int', ['9007199254740993', '9007199254740993']], value);
  }
  // A JSON number beyond 2^53 that a double holds exactly keeps the column int.
  const id = await h.load('n\n1\n\n');
  await h.ok(id, 'newCellValue', { columnIndex: 0, rowIndex: 0, newValue: 9007199254740994 });
  await h.ok(id, 'fillWithCustomValue', { columnIndex: 0, newValue: 1e17 });
  assert.deepEqual(await exactColumn(id), ['int', ['9007199254740994', '100000000000000000']]);
});
