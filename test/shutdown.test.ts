import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { startServer } from './helpers/server.ts';
import { connect } from './helpers/client.ts';
import { sessionFromSelect } from './helpers/engine.ts';

// A change of minutes (1,000 dummies of 2M rows) held the gateway's close, and so the exit
// after SIGTERM, until it ended (90 s measured): its DuckDB work is interrupted instead, its
// client answered, and a request queued behind it answered without running.
test('closing the gateway interrupts a running change and answers it and what waited behind it', async () => {
  const server = await startServer();
  const client = await connect(server.url);
  try {
    const rt = server.gateway.runtime;
    const id = await sessionFromSelect(rt, `SELECT 'v' || (i % 400) AS k FROM range(1000000) t(i)`);
    await client.request('metadata', id); // joins the session's room
    const change = client.request('generateDummies', id, { columnIndex: 0 });
    const queued = client.request('renameColumn', id, { columnIndex: 0, newName: 'x' });
    while (!rt.store.isHeld(id)) await sleep(5);
    await sleep(300);
    const closing = performance.now();
    await server.close();
    assert.ok(performance.now() - closing < 2000, `closed in ${Math.round(performance.now() - closing)} ms (the change alone takes several seconds)`);
    assert.equal((await change).error, 'server shutting down');
    assert.equal((await queued).error, 'server shutting down');
  } finally {
    client.close();
  }
});
