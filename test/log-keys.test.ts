import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { engineHarness } from './helpers/engine.ts';
import { executeJob } from '../src/worker/executor.ts';

// pino writes a child logger's bindings and then the line's own fields as they are: a key in
// both is in the JSON twice, and log processors keep either one. Every line about a job run
// by a BullMQ worker (whose logger binds jobId, sessionID, operation) must carry each key once.

/** Keys that occur twice in one object of a JSON text (any depth). */
export function duplicateKeys(text: string): string[] {
  const dups: string[] = [];
  const stack: { keys: Set<string>; object: boolean }[] = [];
  let expectKey = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      let j = i + 1;
      while (text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      const top = stack.at(-1);
      if (top?.object && expectKey) {
        const key = JSON.parse(text.slice(i, j + 1)) as string;
        if (top.keys.has(key)) dups.push(key);
        top.keys.add(key);
        expectKey = false;
      }
      i = j;
    } else if (c === '{' || c === '[') {
      stack.push({ keys: new Set(), object: c === '{' });
      expectKey = c === '{';
    } else if (c === '}' || c === ']') {
      stack.pop();
    } else if (c === ',') {
      expectKey = stack.at(-1)?.object ?? false;
    }
  }
  return dups;
}

test('duplicateKeys finds a key written twice, at any depth, and not keys of sibling objects', () => {
  assert.deepEqual(duplicateKeys('{"a":1,"b":{"a":2},"c":[{"a":1},{"a":2}]}'), []);
  assert.deepEqual(duplicateKeys('{"a":1,"b":"x\\"a","a":2}'), ['a']);
  assert.deepEqual(duplicateKeys('{"o":{"k":1,"k":2}}'), ['k']);
});

test('lines about a job run with a logger that binds its identity carry each key once', async () => {
  const h = await engineHarness();
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(...chunk.toString().split('\n').filter(Boolean));
      done();
    },
  });
  const base = pino({ level: 'debug' }, sink);
  try {
    const id = await h.load('a,b\n1,2\n');
    const run = (jobId: string, operation: string, body: Record<string, unknown>) =>
      executeJob({ ...h.rt, log: base.child({ jobId, sessionID: id, operation }) }, { jobId, operation, sessionID: id, requestID: 'r', body });
    assert.equal((await run('j1', 'renameColumn', { column: 'a', newName: 'z' })).message.success, true);
    // The same job again (its worker died after the commit): "job already applied".
    assert.equal((await run('j1', 'renameColumn', { column: 'a', newName: 'z' })).message.success, true);
    // A refused one and a failing step of applyOperations.
    await run('j2', 'executeCommand', { command: 'SELECT * FROM nowhere' });
    await run('j3', 'applyOperations', { operations: [{ operation: 'executeCommand', parameters: { command: 'SELECT * FROM nowhere' } }] });
    assert.ok(lines.some((l) => l.includes('job already applied')), lines.join('\n'));
    for (const line of lines) assert.deepEqual(duplicateKeys(line), [], line);
    // Every line about a job names it.
    for (const line of lines) assert.equal(JSON.parse(line).jobId !== undefined, true, line);
  } finally {
    await h.close();
  }
});
