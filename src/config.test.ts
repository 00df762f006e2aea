import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from './config.ts';

// A setting the server cannot use is refused when it starts, naming the setting, not when a
// request first needs it (a bad COMMAND_SPILL_LIMIT was an internal error on every command).

test('memory and disk sizes are checked at start-up', () => {
  for (const name of ['DUCKDB_MEMORY_LIMIT', 'DUCKDB_SMALL_MEMORY_LIMIT', 'COMMAND_MEMORY_LIMIT', 'COMMAND_SPILL_LIMIT']) {
    assert.throws(() => loadConfig({ [name]: 'lots' }), new RegExp(`^Error: invalid configuration: ${name}: expected a size such as 512MB`), name);
    assert.equal(loadConfig({ [name]: '1.5GiB' })[name as 'COMMAND_SPILL_LIMIT'], '1.5GiB');
  }
  assert.equal(loadConfig({ COMMAND_SPILL_LIMIT: '0' }).COMMAND_SPILL_LIMIT, '0');
  assert.equal(loadConfig({}).COMMAND_SPILL_LIMIT, '4GB');
});
