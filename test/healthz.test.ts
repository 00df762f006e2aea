import { test } from 'node:test';
import assert from 'node:assert/strict';
import { serverWithClient } from './helpers/server.ts';

// The embedded default: healthy while DATA_DIR is writable, no Redis involved.
const { server } = await serverWithClient();

test('GET /healthz on the embedded server', async () => {
  const res = await fetch(`${server.url}/healthz`);
  assert.equal(res.status, 200);
  assert.deepEqual(await res.json(), { status: 'ok', queue: 'embedded', dataDir: 'writable' });
});
