import { test } from 'node:test';
import assert from 'node:assert/strict';
import { z } from 'zod';
import { operations } from './index.ts';
import { describeOperations, DISCOVERY_OPERATION } from './discovery.ts';
import { roleOf as parameterRole, schemaShape } from './params.ts';

type Schema = { type?: unknown; properties?: Record<string, Schema>; anyOf?: Schema[]; items?: Schema; enum?: unknown[]; 'x-role'?: string; 'x-regexFlag'?: string };

test('operations: every registered operation is listed once, with its aliases, kind and summary', () => {
  const listed = describeOperations();
  const names = listed.map((o) => o.name);
  assert.equal(new Set(names).size, names.length, 'no name twice');
  for (const op of operations) {
    const d = listed.find((o) => o.name === op.name);
    assert.ok(d, `${op.name} is listed`);
    assert.equal(d.kind, op.kind);
    assert.deepEqual(d.aliases, op.aliases ?? []);
    assert.ok(d.summary.length > 10, `${op.name} has a summary`);
  }
  assert.equal(listed.length, operations.length + 1);
  assert.ok(listed.some((o) => o.name === DISCOVERY_OPERATION && o.kind === 'read'), 'discovery lists itself');
  assert.deepEqual(listed.find((o) => o.name === 'emptyStringToNaN')?.aliases, ['emptyStringToNan']);
});

test('operations: each parameters value is a JSON Schema (draft 2020-12) of an object that a validator can be built from', () => {
  for (const d of describeOperations()) {
    const s = d.parameters as Schema & { $schema?: string };
    assert.equal(s.$schema, 'https://json-schema.org/draft/2020-12/schema', d.name);
    assert.equal(s.type, 'object', d.name);
    assert.deepEqual(JSON.parse(JSON.stringify(s)), s, `${d.name}: plain JSON`);
    assert.doesNotThrow(() => z.fromJSONSchema(s as Parameters<typeof z.fromJSONSchema>[0]), d.name);
  }
});

test('operations: the published schemas accept what the server accepts and refuse what it refuses', () => {
  const byName = new Map(describeOperations().map((d) => [d.name, z.fromJSONSchema(d.parameters as Parameters<typeof z.fromJSONSchema>[0])]));
  // Legacy clients send numbers as strings: the input side of the schema says so too.
  assert.equal(byName.get('normalize')!.safeParse({ columnIndex: '2', rangeFrom: '0', rangeTo: 10 }).success, true);
  assert.equal(byName.get('normalize')!.safeParse({ columnIndex: -1 }).success, false, 'a position is ≥ 0');
  assert.equal(byName.get('fillWithAverage')!.safeParse({ columnIndex: 0, metric: 'mean' }).success, true);
  assert.equal(byName.get('fillWithAverage')!.safeParse({ columnIndex: 0, metric: 'average' }).success, false, 'a choice outside the list');
  assert.equal(byName.get('deleteRows')!.safeParse({}).success, false, 'a required parameter missing');
  assert.equal(byName.get('combineColumns')!.safeParse({ columnsToCombine: ['a', 1], seperator: '-' }).success, true);
});

function roleOf(s: Schema): string | undefined {
  return s['x-role'] ?? s.anyOf?.map(roleOf).find(Boolean);
}

test('operations: column, row, regex, choice and SQL parameters carry their x-role annotation', () => {
  const roles = new Map<string, string | undefined>();
  for (const d of describeOperations()) {
    for (const [name, s] of Object.entries((d.parameters as Schema).properties ?? {})) {
      const role = roleOf(s);
      roles.set(`${d.name}.${name}`, role);
      // Every parameter named like a column or row position is annotated as one.
      if (/^(columnIndex|columnFrom|columnTo|xColumnIndex|yColumnIndex|sortColumnIndex|columnIndexFrom|columnIndexTo)$/.test(name)) assert.equal(role, 'columnIndex', `${d.name}.${name}`);
      if (/^(columnIndices|filterColumnIndices|searchColumnIndices|yColumnIndices)$/.test(name)) assert.equal(role, 'columnIndices', `${d.name}.${name}`);
      if (/^(rowIndex|rowIndexFrom|rowIndexTo)$/.test(name)) assert.equal(role, 'rowIndex', `${d.name}.${name}`);
      if (name === 'rowIndices') assert.equal(role, 'rowIndices', `${d.name}.${name}`);
      if (name === 'column') assert.equal(role, 'column', `${d.name}.${name}`);
      if (role === 'choice') assert.ok((s.enum ?? s.anyOf?.find((b) => b.enum)?.enum ?? (s as { examples?: unknown[] }).examples)?.length, `${d.name}.${name} lists its choices`);
    }
  }
  assert.equal(roles.get('combineColumns.columnsToCombine'), 'columns');
  // Where a new column goes: a recipe records the column it went next to (recipe-columns.ts).
  assert.equal(roles.get('combineColumns.insertIndex'), 'columnInsertIndex');
  assert.equal(roles.get('executeCommand.command'), 'sql');
  assert.equal(roles.get('fillDown.method'), 'choice');
  assert.equal(roles.get('interpolate.method'), 'choice');
  assert.equal(roles.get('discretize.cutMode'), 'choice');
  assert.equal(roles.get('visualize.type'), 'choice');
  assert.equal(roles.get('metadata.filterType'), 'choice');
  const find = describeOperations().find((d) => d.name === 'findReplace')!.parameters as Schema;
  assert.equal(find.properties!.toReplace['x-role'], 'regex');
  assert.equal(find.properties!.toReplace['x-regexFlag'], 'matchRegex');
  const split = describeOperations().find((d) => d.name === 'splitColumn')!.parameters as Schema;
  assert.equal(split.properties!.delimiter['x-regexFlag'], 'regex');
  assert.equal(roleOf(describeOperations().find((d) => d.name === 'data')!.parameters.properties as unknown as Schema) ?? roles.get('data.searchQuery'), 'regex');
});

test('operations: the roles the server reads from the schema of a changing operation (params.ts roleOf) are the ones it publishes', () => {
  // History records the names behind column positions by these roles (recipe-columns.ts): one
  // the server could not see would leave that parameter replayed by position on another dataset.
  for (const op of operations.filter((o) => o.kind === 'change')) {
    const published = (describeOperations().find((d) => d.name === op.name)!.parameters as Schema).properties ?? {};
    const shape = schemaShape(op.params);
    assert.ok(shape, `${op.name}: parameters are an object`);
    for (const [name, s] of Object.entries(shape)) assert.equal(parameterRole(s), roleOf(published[name]), `${op.name}.${name}`);
  }
});

test('operations: a column parameter that needs numbers publishes the column types it takes (x-columnTypes)', () => {
  const typed = describeOperations().flatMap((d) => Object.entries((d.parameters as Schema).properties ?? {}).filter(([, s]) => (s as { 'x-columnTypes'?: unknown })['x-columnTypes'] !== undefined).map(([name, s]) => [d.name, name, (s as { 'x-columnTypes'?: unknown })['x-columnTypes']]));
  assert.deepEqual(typed.sort(), [
    ['discretize', 'columnIndex', ['int', 'float']],
    ['interpolate', 'columnIndex', ['int', 'float']],
    ['normalize', 'columnIndex', ['int', 'float']],
    ['standardize', 'columnIndex', ['int', 'float']],
  ]);
});
