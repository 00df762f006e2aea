import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, uploadOk, type TestServer } from './helpers/server.ts';
import { connect, type WillowClient } from './helpers/client.ts';
import { operations } from '../src/operations/index.ts';

// API.md, "Socket.IO": every successful changing operation (the Changing and History tables
// but `history`) answers `changed: true|false` and is then always followed by `dataChanged`
// {sessionID, requestID} — also when nothing changed, because the original front end
// completes a request only when its dataChanged arrives. A no-op makes no version; a failure
// sends no dataChanged. Driven from the registry: a changing operation without cases here
// fails the first test, so a new operation gets covered.

let server: TestServer;
let client: WillowClient;

// f float with a gap, s text, c constant int, n int with a gap, e all missing.
const FILE = 'f,s,c,n,e\n1.5,x,7,1,\n,a b,7,2,\n3.5,y,7,,\n';
const F = 0;
const S = 1;
const C = 2;
const N = 3;
const E = 4;

type Params = Record<string, unknown>;
type Request = [operation: string, params: Params];
interface Cases {
  /** Requests run first on the fresh session (their replies must succeed). */
  setup?: Request[];
  /** Parameters of a request that finds nothing to do, or why there is none. */
  noop: Params | { none: string };
  change: Params;
  failure: Params;
}

const CASES: Record<string, Cases> = {
  renameColumn: { noop: { column: 'f', newName: 'f' }, change: { column: 'f', newName: 'F' }, failure: { column: 'nope', newName: 'z' } },
  newCellValue: { noop: { columnIndex: S, rowIndex: 0, newValue: 'x' }, change: { columnIndex: S, rowIndex: 0, newValue: 'q' }, failure: { columnIndex: S, rowIndex: 99, newValue: 'q' } },
  emptyStringToNaN: { noop: { columnIndex: S }, change: { columnIndex: S }, failure: { columnIndex: 99 } },
  deleteRows: { noop: { rowIndices: [] }, change: { rowIndices: [0] }, failure: { rowIndices: [99] } },
  deleteColumns: { noop: { columnIndices: [] }, change: { columnIndices: [F] }, failure: { columnIndices: [F, S, C, N, E] } },
  changeColumnDataType: { noop: { column: 'f', newDataType: 'float64' }, change: { column: 'n', newDataType: 'str' }, failure: { column: 'f', newDataType: 'complex128' } },
  fillDown: { noop: { columnFrom: C, columnTo: C, method: 'ffill' }, change: { columnFrom: F, columnTo: F, method: 'ffill' }, failure: { columnFrom: F, columnTo: F, method: 'sideways' } },
  fillWithCustomValue: { noop: { columnIndex: C, newValue: 0 }, change: { columnIndex: F, newValue: 0 }, failure: { columnIndex: 99, newValue: 0 } },
  fillWithAverage: { noop: { columnIndex: C, metric: 'mean' }, change: { columnIndex: F, metric: 'mean' }, failure: { columnIndex: S, metric: 'mean' } },
  normalize: { noop: { columnIndex: C }, change: { columnIndex: F }, failure: { columnIndex: 99 } },
  standardize: { noop: { columnIndex: C }, change: { columnIndex: F }, failure: { columnIndex: 99 } },
  deleteRowsWithNA: { noop: { columnIndex: C }, change: { columnIndex: F }, failure: { columnIndex: 99 } },
  insertDuplicateColumn: { noop: { none: 'a copy is always a new column' }, change: { columnIndex: C }, failure: { columnIndex: 99 } },
  interpolate: { noop: { columnIndex: C, method: 'linear' }, change: { columnIndex: F, method: 'linear' }, failure: { columnIndex: F, method: 'bogus' } },
  findReplace: {
    noop: { columnIndex: S, toReplace: ['zzz'], replaceWith: ['q'], matchRegex: false },
    change: { columnIndex: S, toReplace: ['x'], replaceWith: ['q'], matchRegex: false },
    failure: { columnIndex: S, toReplace: ['x', 'y'], replaceWith: ['q'] },
  },
  generateDummies: { noop: { columnIndex: E, inplace: false }, change: { columnIndex: S, inplace: false }, failure: { columnIndex: 99, inplace: false } },
  splitColumn: { noop: { none: 'every text column splits into at least <col>_0' }, change: { columnIndex: S, delimiter: ' ' }, failure: { columnIndex: F, delimiter: ' ' } },
  combineColumns: { noop: { none: 'the combination is always a new column' }, change: { columnsToCombine: ['s', 'n'], seperator: '-', newName: 'sn', insertIndex: 0 }, failure: { columnsToCombine: ['s'] } },
  discretize: { noop: { none: 'values always become interval labels' }, change: { columnIndex: F, cutMode: 'discretization', numberOfBins: 2 }, failure: { columnIndex: F, cutMode: 'sideways', numberOfBins: 2 } },
  executeCommand: { noop: { command: 'SELECT * FROM df' }, change: { command: 'SELECT *, 1 AS z FROM df' }, failure: { command: 'SELECT nope FROM df' } },
  undo: { noop: { none: 'nothing to undo is an error' }, setup: [['renameColumn', { column: 'f', newName: 'F' }]], change: {}, failure: {} },
  redo: { noop: { none: 'nothing to redo is an error' }, setup: [['renameColumn', { column: 'f', newName: 'F' }]], change: {}, failure: {} },
  applyOperations: {
    noop: { operations: [{ operation: 'renameColumn', parameters: { column: 'f', newName: 'f' } }] },
    change: { operations: [{ operation: 'renameColumn', parameters: { column: 'f', newName: 'F' } }, { operation: 'normalize', parameters: { columnIndex: F } }] },
    failure: { operations: [{ operation: 'renameColumn', parameters: { column: 'nope', newName: 'z' } }] },
  },
};

// Requests a case needs between its no-op and its change. An empty field reads as missing,
// so the empty string emptyStringToNaN changes is made after its no-op request.
const BEFORE_CHANGE: Record<string, Request[]> = {
  emptyStringToNaN: [['executeCommand', { command: "SELECT f, CASE WHEN s = 'x' THEN '' ELSE s END AS s, c, n, e FROM df" }]],
  redo: [['undo', {}]],
};
// undo/redo: the failure is asked on a session with nothing to undo/redo.
const FAILS_ON_FRESH_SESSION = new Set(['undo', 'redo']);

const changing = operations.filter((op) => op.kind === 'change' || (op.kind === 'history' && !op.readOnly));

before(async () => {
  // One client sends every test's requests back to back, faster than the per-connection rate
  // limit allows once reads are cheap; the limit has tests of its own (limits.test.ts).
  server = await startServer({ SOCKET_RATE_LIMIT: 0 });
  client = await connect(server.url, 4);
});
after(async () => {
  client.close();
  await server.close();
});

async function versions(id: string): Promise<{ count: number; current: number; history: number }> {
  const { state, manifests } = await server.gateway.runtime.store.all(id);
  const history = await client.request('history', id);
  assert.equal(history.success, true, JSON.stringify(history));
  return { count: manifests.length, current: state.current, history: (history.operations as unknown[]).length };
}

/**
 * Send a request and wait until its reply and, for a success, its dataChanged have arrived.
 * Later requests of the session are answered in order, so once a metadata request sent
 * after a failure has its answer, a dataChanged of the failure would have come before it.
 */
async function send(id: string, operation: string, params: Params): Promise<{ reply: Record<string, any>; dataChanged: Record<string, any>[] }> {
  const reply = await client.request(operation, id, params);
  const follow = await client.request('metadata', id);
  assert.equal(follow.success, true, JSON.stringify(follow));
  const arrivals = client.arrivals();
  const at = arrivals.findIndex((a) => a.event === operation && a.body.requestID === reply.requestID);
  const dataChanged = arrivals.filter((a) => a.event === 'dataChanged' && a.body.requestID === reply.requestID);
  for (const d of dataChanged) {
    assert.ok(arrivals.indexOf(d) > at, `${operation}: dataChanged came before the reply`);
    assert.deepEqual(d.body, { sessionID: id, requestID: reply.requestID });
  }
  return { reply, dataChanged: dataChanged.map((d) => d.body) };
}

async function expectSuccess(id: string, operation: string, params: Params, changed: boolean, what: string): Promise<void> {
  const { reply, dataChanged } = await send(id, operation, params);
  assert.equal(reply.success, true, `${what}: ${JSON.stringify(reply)}`);
  assert.equal(reply.changed, changed, `${what}: changed`);
  assert.equal(dataChanged.length, 1, `${what}: exactly one dataChanged`);
}

test('every changing operation of the registry has cases here', () => {
  assert.ok(changing.length >= 20);
  const missing = changing.map((op) => op.name).filter((name) => !CASES[name]);
  assert.deepEqual(missing, [], `add no-op/change/failure cases for ${missing.join(', ')}`);
  assert.ok(!changing.some((op) => op.name === 'history'), 'history only reads');
});

for (const op of changing) {
  test(`${op.name}: no-op, change and failure over the wire`, async () => {
    const cases = CASES[op.name];
    assert.ok(cases, `no cases for ${op.name}`);
    const id = await uploadOk(server.url, 'd.csv', FILE);

    if (FAILS_ON_FRESH_SESSION.has(op.name)) {
      const { reply, dataChanged } = await send(id, op.name, cases.failure);
      assert.equal(reply.success, false, JSON.stringify(reply));
      assert.equal('changed' in reply, false);
      assert.deepEqual(dataChanged, [], 'a failure sends no dataChanged');
    }
    for (const [operation, params] of cases.setup ?? []) await expectSuccess(id, operation, params, true, `setup ${operation}`);

    if (!('none' in cases.noop)) {
      const before = await versions(id);
      await expectSuccess(id, op.name, cases.noop, false, 'no-op');
      assert.deepEqual(await versions(id), before, 'a no-op makes no version and no history entry');
    }

    for (const [operation, params] of BEFORE_CHANGE[op.name] ?? []) await expectSuccess(id, operation, params, true, `before change: ${operation}`);
    const before = await versions(id);
    await expectSuccess(id, op.name, cases.change, true, 'change');
    const afterChange = await versions(id);
    if (op.name === 'undo' || op.name === 'redo') assert.equal(afterChange.current, before.current + (op.name === 'undo' ? -1 : 1));
    else assert.equal(afterChange.count, before.count + 1, 'a change makes one version');

    if (!FAILS_ON_FRESH_SESSION.has(op.name)) {
      const { reply, dataChanged } = await send(id, op.name, cases.failure);
      assert.equal(reply.success, false, JSON.stringify(reply));
      assert.equal('changed' in reply, false);
      assert.deepEqual(dataChanged, [], 'a failure sends no dataChanged');
      assert.deepEqual(await versions(id), afterChange);
    }
  });
}

test('reads and history answer without changed and send no dataChanged', async () => {
  const id = await uploadOk(server.url, 'd.csv', FILE);
  for (const [operation, params] of [
    ['metadata', {}],
    ['data', { rowIndexFrom: 0, rowIndexTo: 1, columnIndexFrom: 0, columnIndexTo: 1 }],
    ['analyze', { column: 'f' }],
    ['history', {}],
  ] as Request[]) {
    const { reply, dataChanged } = await send(id, operation, params);
    assert.equal(reply.success, true, JSON.stringify(reply));
    assert.equal('changed' in reply, false, operation);
    assert.deepEqual(dataChanged, [], operation);
  }
});

test('the v2 client of the original front end gets dataChanged after a no-op too', async () => {
  const v2 = await connect(server.url, 2);
  try {
    const id = await uploadOk(server.url, 'd.csv', FILE);
    const reply = await v2.request('changeColumnDataType', id, { column: 'f', newDataType: 'float64' });
    assert.equal(reply.success, true);
    assert.equal(reply.changed, false);
    const [dataChanged] = (await v2.waitFor('dataChanged')).filter((d) => d.requestID === reply.requestID);
    assert.deepEqual(dataChanged, { sessionID: id, requestID: reply.requestID });
  } finally {
    v2.close();
  }
});

test("a change's own answer (changeColumnDataType's values made missing) reaches the client with changed, before dataChanged", async () => {
  const id = await uploadOk(server.url, 'd.csv', 'x,k\n1,0\nabc,1\n2.5,2\n');
  const { reply, dataChanged } = await send(id, 'changeColumnDataType', { column: 'x', newDataType: 'float' });
  assert.equal(reply.success, true, JSON.stringify(reply));
  assert.deepEqual([reply.changed, reply.valuesMadeMissing, reply.madeMissingExamples], [true, 1, ['abc']]);
  assert.equal(dataChanged.length, 1);
  const noop = await send(id, 'changeColumnDataType', { column: 'x', newDataType: 'float64' });
  assert.deepEqual([noop.reply.changed, noop.reply.valuesMadeMissing], [false, 0]);
});
