import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { engineHarness, expectFailure, withKeyColumn, type EngineHarness } from '../../../test/helpers/engine.ts';

let h: EngineHarness;
before(async () => {
  h = await engineHarness();
});
after(async () => {
  await h.close();
});

const fails = (id: string, params: Record<string, unknown>, error: string) => expectFailure(h, id, 'changeColumnDataType', params, error);


async function convert(csv: string, newDataType: string, dateFormat?: string, extra: Record<string, string> = {}): Promise<[string, unknown[]]> {
  const id = await h.load(withKeyColumn(csv));
  await h.ok(id, 'changeColumnDataType', { column: 'x', newDataType, ...(dateFormat === undefined ? {} : { dateFormat }), ...extra });
  const t = await h.table(id);
  return [t.types[0], t.rows.map((r) => r[0])];
}

test('text → int/float: unparseable values become missing; text → int takes whole numbers only, a fraction is missing', async () => {
  const csv = 'x\n7\n-2.7\nabc\n\n 3 \n1e3\n1_000\n';
  assert.deepEqual(await convert(csv, 'float'), ['float', [7, -2.7, null, null, 3, 1000, null]]);
  assert.deepEqual(await convert(csv, 'float64'), ['float', [7, -2.7, null, null, 3, 1000, null]]);
  assert.deepEqual(await convert(csv, 'int'), ['int', [7, null, null, null, 3, 1000, null]]);
  assert.deepEqual(await convert(csv, 'int32'), ['int', [7, null, null, null, 3, 1000, null]]);
});

test('text → int: a whole number in any spelling is that integer exactly; a fraction or a value beyond int64 is missing and counted', async () => {
  // [text, the integer as text or null (missing)]
  const cases: [string, string | null][] = [
    ['2.5', null], ['-2.7', null], ['1e3', '1000'], ['2.0', '2'], ['-0.0', '0'], ['+5', '5'], ['5.', '5'], ['.5', null],
    ['9223372036854775807', '9223372036854775807'], ['-9223372036854775808', '-9223372036854775808'],
    ['9223372036854775808', null], ['12345678901234567890123', null], ['-9223372036854775809', null],
    ['1.5e1', '15'], ['120e-1', '12'], ['0.05e2', '5'], ['00.50e1', '5'], ['1e18', '1000000000000000000'], ['1e19', null], ['1e30', null],
    // A double would read these as 9007199254740992 and 2: text is read digit by digit.
    ['9007199254740993.0', '9007199254740993'], ['2.0000000000000000001', null], ['9.223372036854775807e18', '9223372036854775807'],
    ['1e-30', null], ['0e999999999999', '0'], ['1e999999999999', null], ['inf', null], ['-Infinity', null], ['abc', null],
  ];
  const id = await h.load(withKeyColumn(`x\n${cases.map(([t]) => t).join('\n')}\n`));
  const res = await h.ok(id, 'changeColumnDataType', { column: 'x', newDataType: 'int' });
  const lost = cases.filter(([, v]) => v === null).map(([t]) => t);
  assert.equal(res.valuesMadeMissing, lost.length);
  assert.deepEqual(res.madeMissingExamples, [...lost].sort().slice(0, 5));
  // Read back as text: a client's JSON.parse would round the large ones.
  await h.ok(id, 'changeColumnDataType', { column: 'x', newDataType: 'str' });
  const got = await h.column(id, 'x');
  cases.forEach(([text, expected], i) => assert.equal(got[i], expected, text));
});

test('text → int with decimal and thousands: "1.000,00" is 1000, "1.234,56" a fraction, missing and counted as written', async () => {
  const id = await h.load(withKeyColumn('x\n"1.234,56"\n"1.000,00"\n7\n"-0,5"\n"12.345"\nabc\n'));
  const res = await h.ok(id, 'changeColumnDataType', { column: 'x', newDataType: 'int', decimal: ',', thousands: '.' });
  assert.deepEqual([res.valuesMadeMissing, res.madeMissingExamples], [3, ['-0,5', '1.234,56', 'abc']]);
  assert.deepEqual(await h.column(id, 'x'), [null, 1000, 7, null, 12345, null]);
});

test('text → number with decimal and thousands separators (pandas read_csv decimal=, thousands=)', async () => {
  const id = await h.load(withKeyColumn('x\n"1,5"\n"1.234,56"\n"10,00"\n"€2,75"\n"-0,25"\n'));
  const res = await h.ok(id, 'changeColumnDataType', { column: 'x', newDataType: 'float', decimal: ',', thousands: '.' });
  assert.deepEqual([res.valuesMadeMissing, res.madeMissingExamples], [1, ['€2,75']], 'counted as the text was');
  assert.deepEqual(await h.column(id, 'x'), [1.5, 1234.56, 10, null, -0.25]);
  assert.deepEqual((await convert('x\n"1 000"\n"2,500"\n7\n', 'int', undefined, { thousands: ',' }))[1], [null, 2500, 7]);
  // Refused: two equal separators, or one that would change what a number is.
  for (const [params, pattern] of [
    [{ decimal: ',', thousands: ',' }, /decimal and thousands are both ","/],
    [{ decimal: '0' }, /decimal must be one character other than a digit/],
    [{ thousands: ' ' }, /thousands must be one character other than/],
    [{ decimal: ',,' }, /decimal must be one character/],
  ] as const) {
    const bad = await h.load(withKeyColumn('x\n"1,5"\n'));
    const r = await h.run(bad, 'changeColumnDataType', { column: 'x', newDataType: 'float', ...params });
    assert.equal(r.success, false, JSON.stringify(params));
    assert.match(r.errorDescription, pattern);
  }
});

test('float → int truncates toward zero, missing (NaN too) stays missing; int → float', async () => {
  // A float column holding NaN (`NAN` alone would make the column text, which pandas reads so).
  const nan = await h.loadWithNaN(withKeyColumn('x\n2.9\n-2.9\n\nNAN\n0.0\n'));
  assert.equal((await h.table(nan)).types[0], 'float');
  await h.ok(nan, 'changeColumnDataType', { column: 'x', newDataType: 'int64' });
  assert.deepEqual(await h.column(nan, 'x'), [2, -2, null, null, 0]);
  // A float beyond int64 holds no integer: missing and counted, as infinity is, not a failure.
  const id = await h.loadSql(`SELECT CAST(x AS DOUBLE) AS x FROM (VALUES ('2.9'), ('1e30'), ('-9.3e18'), ('9.2e18')) v(x)`);
  const res = await h.ok(id, 'changeColumnDataType', { column: 'x', newDataType: 'int' });
  assert.deepEqual([res.valuesMadeMissing, res.madeMissingExamples], [2, ['-9.3e+18', '1e+30']]);
  await h.ok(id, 'changeColumnDataType', { column: 'x', newDataType: 'str' });
  assert.deepEqual(await h.column(id, 'x'), ['2', null, null, '9200000000000000000']);
  assert.deepEqual(await convert('x\n1\n\n-3\n', 'float'), ['float', [1, null, -3]]);
});

test('numbers, bools and datetimes → text as Python prints them; datetimes in ISO 8601', async () => {
  assert.deepEqual(await convert('x\n1\n\n-3\n', 'str'), ['string', ['1', null, '-3']]);
  assert.deepEqual(await convert('x\n2.5\n3.0\n\n0.00001\n', 'string'), ['string', ['2.5', '3.0', null, '1e-05']]);
  assert.deepEqual(await convert('x\ntrue\nfalse\n\n', 'object'), ['string', ['True', 'False', null]]);
  assert.deepEqual(await convert('x\n2020-01-02\n2020-01-02 03:04:05.25\n\n', 'str'), ['string', ['2020-01-02T00:00:00', '2020-01-02T03:04:05.250000', null]]);
});

test('text → datetime: each common layout is detected, with and without times; unparseable values missing', async () => {
  const layouts: [string, string[]][] = [
    ['ISO 8601', ['2020-01-02', '2020-01-02T03:04:05', '2020-01-02 03:04:05.5']],
    ['%m/%d/%Y', ['03/15/2021', '03/15/2021 10:11', '03/15/2021 10:11:12']],
    ['%d/%m/%Y', ['15/03/2021', '15/03/2021 10:11', '15/03/2021 10:11:12']],
    ['%m-%d-%Y', ['03-15-2021', '03-15-2021 10:11', '03-15-2021 10:11:12']],
    ['%d.%m.%Y', ['15.03.2021', '15.03.2021 10:11', '15.03.2021 10:11:12']],
    ['%B %d, %Y', ['"March 15, 2021"', '"Mar 15, 2021"', 'March 15 2021']],
    ['%d %B %Y', ['15 March 2021', '15 Mar 2021', '15 Mar 2021']],
  ];
  for (const [format, values] of layouts) {
    const id = await h.load(withKeyColumn(`x\n${values.join('\n')}\nnot a date\n\n`));
    const res = await h.ok(id, 'changeColumnDataType', { column: 'x', newDataType: 'datetime' });
    assert.equal(res.detectedDateFormat, format);
    assert.deepEqual([res.valuesMadeMissing, res.madeMissingExamples], [1, ['not a date']], format);
    const t = await h.table(id);
    assert.equal(t.types[0], 'datetime', format);
    assert.equal(t.rows.filter((r) => r[0] !== null).length, 3, format);
  }
});

test('text → datetime: one layout for the whole column, the one that reads the most values; the others are counted', async () => {
  // Day first shows in 25/12: read day first throughout, not 03/04 as March 4th.
  const id = await h.load(withKeyColumn('x\n03/04/2024\n25/12/2024\n01/02/2024\n'));
  const res = await h.ok(id, 'changeColumnDataType', { column: 'x', newDataType: 'datetime' });
  assert.deepEqual([res.detectedDateFormat, res.valuesMadeMissing], ['%d/%m/%Y', 0]);
  assert.deepEqual(await h.column(id, 'x'), ['2024-04-03T00:00:00.000', '2024-12-25T00:00:00.000', '2024-02-01T00:00:00.000']);
  // Every value reads both ways: month first, as pandas reads them.
  assert.deepEqual((await convert('x\n03/04/2024\n01/02/2024\n', 'datetime'))[1], ['2024-03-04T00:00:00.000', '2024-01-02T00:00:00.000']);
  // More month-first values: the day-first one becomes missing, and is reported; the ISO one
  // and the one with a month name, which no layout reads as another date, are read.
  const mixed = await h.load(withKeyColumn('x\n12/25/2024\n12/31/2024\n11/30/2024\n25/12/2024\n2024-01-02\n"January 5, 2020"\n'));
  const m = await h.ok(mixed, 'changeColumnDataType', { column: 'x', newDataType: 'datetime' });
  assert.deepEqual([m.detectedDateFormat, m.valuesMadeMissing, m.madeMissingExamples], ['%m/%d/%Y', 1, ['25/12/2024']]);
  assert.deepEqual(await h.column(mixed, 'x'), ['2024-12-25T00:00:00.000', '2024-12-31T00:00:00.000', '2024-11-30T00:00:00.000', null, '2024-01-02T00:00:00.000', '2020-01-05T00:00:00.000']);
  // Mostly ISO: the ambiguous ones all in one order (the one that reads more of them), never per value.
  const iso = await h.load(withKeyColumn('x\n2024-01-01\n2024-01-02\n2024-01-03\n2024-01-04\n03/04/2024\n25/12/2024\n13/01/2024\n'));
  const i = await h.ok(iso, 'changeColumnDataType', { column: 'x', newDataType: 'datetime' });
  assert.deepEqual([i.detectedDateFormat, i.valuesMadeMissing], ['ISO 8601', 0]);
  assert.deepEqual((await h.column(iso, 'x')).slice(4), ['2024-04-03T00:00:00.000', '2024-12-25T00:00:00.000', '2024-01-13T00:00:00.000']);
});

test('text → datetime on a long column: the layout detected on a sample applies to every value, and every failure is counted', async () => {
  // 300,000 day-first dates (detection reads a sample spread over them), a month-first one at row 150,001, missing values.
  const id = await h.loadSql(
    `SELECT CASE WHEN i = 150001 THEN '12/31/2021' WHEN i % 1000 = 7 THEN NULL ELSE strftime(DATE '2000-01-01' + CAST(i % 9000 AS INTEGER), '%d/%m/%Y') END AS x FROM range(300000) r(i)`,
  );
  const res = await h.ok(id, 'changeColumnDataType', { column: 'x', newDataType: 'datetime' });
  assert.deepEqual([res.detectedDateFormat, res.valuesMadeMissing, res.madeMissingExamples], ['%d/%m/%Y', 1, ['12/31/2021']]);
  const values = await h.column(id, 'x');
  assert.equal(values[150001], null);
  assert.equal(values[2], '2000-01-03T00:00:00.000');
  assert.equal(values.filter((v) => v === null).length, 301);
});

test('text → datetime with dateFormat', async () => {
  const csv = 'x\n02/01/2020\n31/12/2021\n2020-01-02\n';
  assert.deepEqual(await convert(csv, 'datetime64[ns]', '%d/%m/%Y'), ['datetime', ['2020-01-02T00:00:00.000', '2021-12-31T00:00:00.000', null]]);
  // Without a format, the layout that reads the most (day first here), and ISO 8601 beside it.
  assert.deepEqual(await convert(csv, 'datetime64'), ['datetime', ['2020-01-02T00:00:00.000', '2021-12-31T00:00:00.000', '2020-01-02T00:00:00.000']]);
});

test('text → datetime: values with a UTC offset become UTC times (pandas utc=True), values without one stay as written', async () => {
  const csv = 'x\n2024-03-01T10:00:00+02:00\n2024-03-01T08:00:00Z\n2024-03-01T10:00:00\n2024-03-01 10:00:00.25-05:30\n2024-03-01T10:00+0200\n2024-03-01T23:30:00-02\n 2024-03-01T10:00:00+01:00 \n2024-03-01\n2024-03-01T08:00:00z\n2024-03-01T08:00z\n';
  assert.deepEqual(await convert(csv, 'datetime'), [
    'datetime',
    ['2024-03-01T08:00:00.000', '2024-03-01T08:00:00.000', '2024-03-01T10:00:00.000', '2024-03-01T15:30:00.250', '2024-03-01T08:00:00.000', '2024-03-02T01:30:00.000', '2024-03-01T09:00:00.000', '2024-03-01T00:00:00.000', '2024-03-01T08:00:00.000', '2024-03-01T08:00:00.000'],
  ]);
  // %z in a format: ±hh:mm, ±hhmm and, as Python's strptime reads it, Z.
  const zoned = 'x\n01/03/2024 10:00 +02:00\n01/03/2024 08:00 Z\n01/03/2024 10:00 -0130\n01/03/2024 10:00\n';
  assert.deepEqual(await convert(zoned, 'datetime', '%d/%m/%Y %H:%M %z'), ['datetime', ['2024-03-01T08:00:00.000', '2024-03-01T08:00:00.000', '2024-03-01T11:30:00.000', null]]);
});

test('bool ↔ numbers and text → bool', async () => {
  assert.deepEqual(await convert('x\ntrue\nfalse\n\n', 'int'), ['int', [1, 0, null]]);
  assert.deepEqual(await convert('x\ntrue\nfalse\n', 'float'), ['float', [1, 0]]);
  assert.deepEqual(await convert('x\n2\n0\n\n', 'bool'), ['bool', [true, false, null]]);
  assert.deepEqual(await convert('x\nTrue\nfalse\n1\n0\nmaybe\n\n', 'boolean'), ['bool', [true, false, true, false, null, null]]);
});

test('text → bool reads the spellings pandas and SQL users write, in any case, with spaces around', async () => {
  const csv = 'x\nyes\nNo\n Y \nn\nT\nf\nTRUE\nFalse\n1\n0\nYES\n';
  assert.deepEqual(await convert(csv, 'bool'), ['bool', [true, false, true, false, true, false, true, false, true, false, true]]);
  // The trial's column: 500 yes/no values, none lost.
  const id = await h.loadSql(`SELECT CASE WHEN i % 3 = 0 THEN 'no' ELSE 'yes' END AS x FROM range(500) r(i)`);
  assert.equal((await h.ok(id, 'changeColumnDataType', { column: 'x', newDataType: 'bool' })).valuesMadeMissing, 0);
  assert.equal((await h.column(id, 'x')).filter((v) => v === true).length, 333);
});

test('every conversion answers how many values it made missing and the most frequent of them', async () => {
  const answer = async (csv: string, newDataType: string) => {
    const id = await h.load(withKeyColumn(csv));
    const res = await h.ok(id, 'changeColumnDataType', { column: 'x', newDataType });
    return [res.valuesMadeMissing, res.madeMissingExamples];
  };
  // Missing and blank values were not there to lose.
  assert.deepEqual(await answer('x\n1\nabc\n?\nabc\n"  "\n\nabc\n2.5\n', 'float'), [4, ['abc', '?']]);
  assert.deepEqual(await answer('x\n1\nabc\n7\n', 'int'), [1, ['abc']]);
  assert.deepEqual(await answer('x\nyes\nmaybe\n', 'bool'), [1, ['maybe']]);
  assert.deepEqual(await answer('x\n1\n2\n', 'float'), [0, []]);
  assert.deepEqual(await answer('x\n1.5\n\n', 'str'), [0, []]);
  assert.deepEqual(await answer('x\n1\n2\n', 'int'), [0, []]);
  // Infinity holds no integer (NaN is missing already).
  const id = await h.loadSql(`SELECT CAST(x AS DOUBLE) AS x FROM (VALUES ('1.5'), ('inf'), ('nan'), ('-inf')) v(x)`);
  const res = await h.ok(id, 'changeColumnDataType', { column: 'x', newDataType: 'int' });
  assert.deepEqual([res.valuesMadeMissing, [...res.madeMissingExamples].sort()], [2, ['-inf', 'inf']]);
  assert.deepEqual(await h.column(id, 'x'), [1, null, null, null]);
});

test('the examples of values made missing are few and short, however many and long they are', async () => {
  const id = await h.loadSql(`SELECT CASE WHEN i % 2 = 0 THEN CAST(i AS VARCHAR) ELSE 'x' || i || repeat('x', 1000) END AS x FROM range(100000) r(i)`);
  const res = await h.ok(id, 'changeColumnDataType', { column: 'x', newDataType: 'float' });
  assert.equal(res.valuesMadeMissing, 50000);
  assert.equal(res.madeMissingExamples.length, 5);
  for (const e of res.madeMissingExamples) assert.match(e, /^x\d+x+$/), assert.equal(e.length, 60);
});

test('a conversion no value survives is refused, naming the column and examples; the dataset is unchanged', async () => {
  const id = await h.load('größe,y\nyes?,0\nno!,1\nyes?,2\n,3\n');
  const before = await h.table(id);
  const res = await h.run(id, 'changeColumnDataType', { column: 'größe', newDataType: 'bool' });
  assert.equal(res.error, 'invalid conversion');
  assert.match(res.errorDescription, /column "größe" reads as bool: all 3 would become missing \(e\.g\. "yes\?", "no!"\)/);
  await fails(id, { column: 'größe', newDataType: 'float' }, 'invalid conversion');
  await fails(id, { column: 'größe', newDataType: 'datetime' }, 'invalid conversion');
  await fails(id, { column: 'größe', newDataType: 'datetime', dateFormat: '%Y' }, 'invalid conversion');
  assert.deepEqual(await h.table(id), before);
  assert.equal((await h.ok(id, 'history')).operations.length, 0);
  // A column with nothing in it has nothing to lose.
  const empty = await h.load('x,y\n,1\n"  ",2\n');
  assert.equal((await h.ok(empty, 'changeColumnDataType', { column: 'x', newDataType: 'int' })).valuesMadeMissing, 0);
});

test('datetime → int gives nanoseconds since the epoch (pandas), int → datetime reads them back', async () => {
  assert.deepEqual(await convert('x\n1970-01-01 00:00:01\n\n', 'int'), ['int', [1000000000, null]]);
  assert.deepEqual(await convert('x\n1000000000\n\n', 'datetime'), ['datetime', ['1970-01-01T00:00:01.000', null]]);
});

test('conversions pandas refuses are errors; converting to the same type changes nothing', async () => {
  const id = await h.load('d,b,i\n2020-01-02,true,1\n');
  await fails(id, { column: 'd', newDataType: 'float' }, 'invalid conversion');
  await fails(id, { column: 'd', newDataType: 'bool' }, 'invalid conversion');
  await fails(id, { column: 'b', newDataType: 'datetime' }, 'invalid conversion');
  assert.equal((await h.ok(id, 'changeColumnDataType', { column: 'i', newDataType: 'int64' })).changed, false);
  assert.equal((await h.ok(id, 'changeColumnDataType', { column: 'd', newDataType: 'datetime64[ns]' })).changed, false);
});

test('changeColumnDataType on a header-only dataset, unicode names and values, other columns untouched', async () => {
  const empty = await h.load('größe,x\n');
  await h.ok(empty, 'changeColumnDataType', { column: 'größe', newDataType: 'int' });
  assert.deepEqual(await h.table(empty), { columns: ['größe', 'x'], types: ['int', 'string'], rows: [] });
  const id = await h.load('名前,n\n１２,1\n12,2\n');
  await h.ok(id, 'changeColumnDataType', { column: '名前', newDataType: 'int' });
  assert.deepEqual(await h.table(id), { columns: ['名前', 'n'], types: ['int', 'int'], rows: [[null, 1], [12, 2]] });
});

test('changeColumnDataType refuses bad parameters', async () => {
  const id = await h.load('x,y\n01/02/2020,1\n');
  await fails(id, { column: 'zz', newDataType: 'int' }, 'unknown column');
  await fails(id, { column: 'x', newDataType: 'complex128' }, 'invalid data type');
  await fails(id, { column: 'x', newDataType: 'datetime', dateFormat: '%Q' }, 'invalid parameters');
  await fails(id, { column: 'x' }, 'invalid parameters');
  await fails(id, { newDataType: 'int' }, 'invalid parameters');
  await fails(id, { column: 'x', newDataType: 3 }, 'invalid parameters');
  const res = await h.run(id, 'changeColumnDataType', { column: 'x', newDataType: 'complex128' });
  assert.match(res.errorDescription, /accepted: int, int64/);
});

test('changeColumnDataType undo and redo', async () => {
  const id = await h.load('x,y\n1.5,a\n2.5,b\n');
  const before = await h.table(id);
  await h.ok(id, 'changeColumnDataType', { column: 'x', newDataType: 'str' });
  const after = await h.table(id);
  assert.deepEqual(after, { columns: ['x', 'y'], types: ['string', 'string'], rows: [['1.5', 'a'], ['2.5', 'b']] });
  await h.ok(id, 'undo');
  assert.deepEqual(await h.table(id), before);
  await h.ok(id, 'redo');
  assert.deepEqual(await h.table(id), after);
});

test('changeColumnDataType to str: time stamps as Python prints them, every value, written without a dictionary as their column was (the plumbing: materialize.test.ts); repeated numbers keep theirs', async () => {
  // 100,000 distinct time stamps (some with microseconds, some missing) and 100,000 numbers of 10 values
  const id = await h.loadSql(`SELECT CASE WHEN i % 997 = 0 THEN NULL ELSE TIMESTAMP '2020-01-01' + to_microseconds(i * 1000003) END AS t, i % 10 AS k FROM range(100000) r(i)`);
  const { manifest: m0 } = await h.rt.store.current(id);
  const file = (name: string, m = m0) => {
    const c = m.columns.find((c) => c.name === name)!;
    return { path: h.rt.store.filePath(id, c.file), field: c.field };
  };
  const dictionaries = (f: { path: string; field: string }) =>
    h.rt.duck.withConnection(async (db) => Number(await db.scalar(`SELECT count(*) FILTER (WHERE dictionary_page_offset IS NOT NULL) FROM parquet_metadata('${f.path}') WHERE path_in_schema = '${f.field}'`)));
  assert.equal(await dictionaries(file('t')), 0, 'the time stamps were written without a dictionary');
  assert.ok((await dictionaries(file('k'))) > 0, 'the repeated numbers were written with one');
  await h.ok(id, 'changeColumnDataType', { column: 't', newDataType: 'str' });
  await h.ok(id, 'changeColumnDataType', { column: 'k', newDataType: 'str' });
  const { manifest: m1 } = await h.rt.store.current(id);
  assert.equal(await dictionaries(file('t', m1)), 0);
  assert.ok((await dictionaries(file('k', m1))) > 0);
  // Python's isoformat of each time stamp, computed here from its microseconds
  const isoformat = (i: number): string | null => {
    if (i % 997 === 0) return null;
    const us = i * 1000003;
    const base = new Date(Date.UTC(2020, 0, 1) + Math.floor(us / 1000)).toISOString().slice(0, 19);
    return us % 1_000_000 ? `${base}.${String(us % 1_000_000).padStart(6, '0')}` : base;
  };
  const after = await h.table(id);
  assert.equal(after.rows.length, 100_000);
  for (let r = 0; r < after.rows.length; r++) {
    const [ts, ks] = after.rows[r] as [string | null, string];
    if (ts !== isoformat(r) || ks !== String(r % 10)) assert.fail(`row ${r}: ${JSON.stringify([ts, ks])}, expected ${JSON.stringify([isoformat(r), String(r % 10)])}`);
  }
});
