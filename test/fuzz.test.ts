import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import crypto from 'node:crypto';
import path from 'node:path';
import fc from 'fast-check';
import { z } from 'zod';
import { operations } from '../src/operations/index.ts';
import { startServer, uploadOk } from './helpers/server.ts';
import { connect } from './helpers/client.ts';

// Every Socket.IO request of the registry, with random and mutated bodies: wrong types, huge
// arrays, deep nesting, NaN/Infinity (as JSON carries them: null or text), __proto__ and
// constructor keys, enormous strings, regular expressions built to backtrack. Each request
// must be answered exactly once within a bounded time, the server must stay up, and a
// refused request must leave the session as it was.

const RUNS = Number(process.env.FUZZ_RUNS ?? 240);
const REPLY_MS = 60_000;

const server = await startServer({ COMMAND_TIMEOUT_MS: 2000, JOB_TIMEOUT_MS: 20_000, SOCKET_RATE_LIMIT: 0 });
const client = await connect(server.url);
after(async () => {
  client.close();
  await server.close();
});

const CSV = 'a,b,c,d\n1,x,2020-01-01,1.5\n2,y,,2.5\n3,,2020-03-01,\n4,x y,2020-04-01,4.5\n';

// Values built once: sending them is what matters, not generating them.
const HUGE_ARRAY = Array.from({ length: 200_000 }, (_, i) => i);
let DEEP: unknown = 0;
for (let i = 0; i < 2000; i++) DEEP = { a: [DEEP] };
const HUGE_STRING = 'x'.repeat(1_200_000);
const PROTO = JSON.parse('{"__proto__": {"columnIndex": 0, "rowIndex": 0, "newValue": "p", "command": "DELETE FROM df"}}');
const CONSTRUCTOR = JSON.parse('{"constructor": {"prototype": {"polluted": true}}}');
const BACKTRACKING = ['(a+)+$', '(a|aa)*b', '^(\\w+\\s?)*$', '(.*a){25}', '(x+x+)+y', '([a-z]+)*[0-9]'];

const hostileString = fc.oneof(
  fc.string({ maxLength: 20 }),
  fc.constantFrom('', ' ', 'NaN', 'Infinity', '-Infinity', '1e309', '-0', '__proto__', 'constructor', "'; DROP TABLE df; --", '\u0000', '\ud800', '%s%n', '${x}', ...BACKTRACKING),
);
const scalar = fc.oneof(
  fc.integer(),
  fc.double(), // NaN and ±Infinity travel as null
  fc.boolean(),
  fc.constant(null),
  hostileString,
  fc.constantFrom(-1, 2 ** 53 + 1, 1e308, -0, Number.MAX_SAFE_INTEGER, 0.5),
);
const { value } = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    scalar,
    fc.array(tie('value'), { maxLength: 5 }),
    fc.dictionary(fc.oneof(fc.string({ maxLength: 8 }), fc.constantFrom('__proto__', 'constructor', 'prototype')), tie('value'), { maxKeys: 4 }),
  ),
}));
const special = fc.constantFrom<unknown>(HUGE_ARRAY, DEEP, HUGE_STRING, PROTO, CONSTRUCTOR);

/** Values that look like what the parameter wants, so that mutated bodies reach deeper. */
function plausible(key: string): fc.Arbitrary<unknown> {
  if (/Indices$|^columnsToCombine$/.test(key)) return fc.array(fc.integer({ min: -2, max: 5 }), { maxLength: 4 });
  if (/Index(From|To)?$|^(order|numberOfBins|cutoff|offset|limit|insertIndex)$/.test(key)) return fc.integer({ min: -2, max: 6 });
  if (/^(column|columnFrom|columnTo|newName)$/.test(key)) return fc.constantFrom('a', 'b', 'c', 'd', 'zz', '');
  if (/Regex$|^(searchIsRegex|inplace|sortAscending|useWords)$/.test(key)) return fc.boolean();
  if (/^(searchQuery|delimiter)$/.test(key)) return fc.constantFrom('x', ' ', ...BACKTRACKING);
  if (/^(toReplace|replaceWith)$/.test(key)) return fc.array(fc.constantFrom('x', 'y', '', ...BACKTRACKING), { maxLength: 3 });
  if (key === 'command') return fc.constantFrom('SELECT * FROM df', 'DELETE FROM df RETURNING *', 'SELECT len(range(100000000)) AS n', "SELECT current_setting('allowed_paths') AS p", 'UPDATE df SET a = a + 1', 'SELEC');
  if (key === 'operations') return fc.array(fc.record({ operation: fc.constantFrom(...operations.map((o) => o.name)), parameters: fc.dictionary(fc.constantFrom('columnIndex', 'newValue', 'rowIndex'), scalar, { maxKeys: 3 }) }), { maxLength: 3 });
  return scalar;
}

function parameterNames(schema: z.ZodType): string[] {
  try {
    const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as { properties?: Record<string, unknown> };
    return Object.keys(json.properties ?? {});
  } catch {
    return [];
  }
}

const sessionDir = (id: string) => path.join(server.dataDir, 'sessions', id);
const snapshot = async (id: string) => fs.readFile(path.join(sessionDir(id), 'state.json'), 'utf8').catch(() => null);

test('every request of the registry, fuzzed: one answer each, in bounded time, refusals change nothing', { timeout: 600_000 }, async () => {
  const names = operations.flatMap((op) => [op.name, ...(op.aliases ?? [])]);
  const perOperation = Math.max(2, Math.ceil(RUNS / names.length));
  let requests = 0;
  const base = await uploadOk(server.url, 'fuzz.csv', CSV);
  for (const name of names) {
    const op = operations.find((o) => o.name === name || o.aliases?.includes(name))!;
    const keys = parameterNames(op.params);
    const params = fc.record(
      Object.fromEntries(keys.map((k) => [k, fc.option(fc.oneof({ weight: 12, arbitrary: plausible(k) }, { weight: 2, arbitrary: value }, { weight: 1, arbitrary: special }), { nil: undefined, freq: 12 })])),
      { requiredKeys: [] },
    );
    const extra = fc.oneof({ weight: 4, arbitrary: fc.constant({}) }, { weight: 1, arbitrary: fc.dictionary(fc.oneof(fc.string({ maxLength: 6 }), fc.constantFrom('__proto__', 'constructor', 'operation', 'requestID')), value, { maxKeys: 2 }) });
    // A fresh copy of one imported session per operation (a folder copy: ids inside are the versions').
    const sessionId = crypto.randomBytes(15).toString('hex');
    await fs.cp(sessionDir(base), sessionDir(sessionId), { recursive: true });
    const sessionArb = fc.oneof({ weight: 15, arbitrary: fc.constant(sessionId) }, { weight: 1, arbitrary: fc.oneof(fc.constant('0'.repeat(30)), fc.constant(sessionId.toUpperCase()), fc.constant(`${sessionId}/..`), scalar) });
    await fc.assert(
      fc.asyncProperty(sessionArb, params, extra, async (sessionID, p, more) => {
        requests++;
        const body: Record<string, unknown> = { ...more, ...Object.fromEntries(Object.entries(p).filter(([, v]) => v !== undefined)) };
        const before = await snapshot(sessionId);
        const requestID = `fuzz-${requests}`;
        client.send(name, { ...body, operation: name, sessionID, requestID });
        const reply = await waitForReply(name, requestID);
        assert.equal(typeof reply.success, 'boolean', JSON.stringify(reply).slice(0, 300));
        if (!reply.success) {
          assert.equal(typeof reply.error, 'string');
          assert.ok(String(reply.errorDescription).length > 0);
          assert.notEqual(reply.error, 'internal error', `${name}: ${JSON.stringify(body).slice(0, 500)} → ${reply.errorDescription}`);
          assert.equal(await snapshot(sessionId), before, `${name} was refused (${reply.error}) but changed the session`);
        }
      }),
      { numRuns: perOperation, endOnFailure: true },
    );
    // Exactly one answer per request of this operation.
    const ids = client.received(name).map((m) => m.requestID).filter((id) => typeof id === 'string' && id.startsWith('fuzz-'));
    assert.equal(new Set(ids).size, ids.length, `${name}: a request was answered twice`);
  }
  assert.ok(requests >= RUNS * 0.9, `${requests} requests`);
  // Still serving.
  const id = await uploadOk(server.url, 'after.csv', CSV);
  assert.equal((await client.request('metadata', id)).success, true);
});

test('bodies that are not objects, and unknown events, are answered too', async () => {
  for (const raw of ['not json', '[1,2]', 'null', 42, null, [1, 2], true]) {
    const before = client.received('metadata').length;
    client.send('metadata', raw as never);
    await waitUntil(() => client.received('metadata').length > before);
    const reply = client.received('metadata').at(-1)!;
    assert.equal(reply.success, false);
    assert.equal(reply.error, 'invalid request');
  }
  const reply = await client.request('noSuchOperation', '0'.repeat(30));
  assert.equal(reply.success, false);
});

async function waitForReply(event: string, requestID: string): Promise<Record<string, any>> {
  let found: Record<string, any> | undefined;
  await waitUntil(() => !!(found = client.received(event).find((m) => m.requestID === requestID)));
  return found!;
}

async function waitUntil(check: () => boolean): Promise<void> {
  const end = Date.now() + REPLY_MS;
  while (!check()) {
    if (Date.now() > end) throw new Error(`no answer within ${REPLY_MS} ms`);
    await new Promise((r) => setTimeout(r, 2));
  }
}
