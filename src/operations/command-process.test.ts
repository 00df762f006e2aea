import { test } from 'node:test';
import assert from 'node:assert/strict';
import { takesCommandProcess } from './index.ts';

// The queue starts at most COMMAND_PROCESSES jobs that take a command process; it asks before
// the body is validated, so any body must give an answer and none may throw.

test('executeCommand, and recipes with an executeCommand step, take a command process', () => {
  assert.equal(takesCommandProcess('executeCommand', {}), true);
  assert.equal(takesCommandProcess('applyOperations', { operations: [{ operation: 'renameColumn', parameters: {} }, { operation: 'executeCommand', parameters: { command: 'SELECT 1' } }] }), true);
});

test('other operations, undone steps and bodies of the wrong shape do not', () => {
  assert.equal(takesCommandProcess('metadata', {}), false);
  assert.equal(takesCommandProcess('renameColumn', { command: 'x' }), false);
  assert.equal(takesCommandProcess('noSuchOperation', {}), false);
  assert.equal(takesCommandProcess('applyOperations', { operations: [{ operation: 'executeCommand', undone: true }] }), false);
  for (const operations of [undefined, null, 'executeCommand', 7, {}, [null, 5, 'executeCommand', { operation: 7 }, [], { operation: 'noSuch' }]]) {
    assert.equal(takesCommandProcess('applyOperations', { operations }), false, JSON.stringify(operations));
  }
});
