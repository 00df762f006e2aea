// Where one cell edit's server CPU goes: `repeat` newCellValue requests one after the other
// on one session of `rows` rows, with the server's CPU time by thread (main: JavaScript;
// libuv-worker: DuckDB and file I/O) per edit. --after KIND (metadata, data, analyze…) sends
// a read of that operation after each edit, as the load test's readers do, and counts it in.
// --env NAME=value sets the server's environment.
import path from 'node:path';
import { parseArgs } from 'node:util';
import { benchCsv } from './generate.ts';
import { startServer, cpuMs, threadCpuMs, threadCpuDelta } from './server.ts';
import { uploadFile } from './http.ts';
import { BenchClient } from './socket.ts';
import { mulberry32 } from './prng.ts';
import { readRequest as mixRead } from './load-mix.ts';

const { values } = parseArgs({ options: { rows: { type: 'string' }, repeat: { type: 'string' }, after: { type: 'string' }, env: { type: 'string', multiple: true } } });
const env = Object.fromEntries((values.env ?? []).map((e) => [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)]));
const rows = Number(values.rows ?? 100_000);
const repeat = Number(values.repeat ?? 200);
const repoRoot = path.resolve(import.meta.dirname, '..');
const { file } = await benchCsv(path.join(repoRoot, 'bench', 'out'), rows);
const server = await startServer(repoRoot, env);
try {
  const up = await uploadFile(server.url, file);
  const sessionID = String(up.body.sessionID);
  const client = await BenchClient.connect(server.url);
  await client.request('metadata', sessionID);
  for (let k = 0; k < 20; k++) await client.request('newCellValue', sessionID, { columnIndex: 1, rowIndex: k, newValue: String(k / 10) });
  const before = cpuMs(server.pid);
  const threads = threadCpuMs(server.pid);
  const t0 = performance.now();
  // A read of the kind asked for, drawn as the load test draws its reads.
  const random = mulberry32(7);
  const read = (kind: string) => {
    for (let n = 0; n < 10_000; n++) {
      const q = mixRead(random, rows);
      if (q.kind === kind) return q;
    }
    throw new Error(`--after must be a kind of read of the load test (metadata, data, data sorted, data filtered, analyze), not ${JSON.stringify(kind)}`);
  };
  for (let k = 0; k < repeat; k++) {
    await client.request('newCellValue', sessionID, { columnIndex: 1, rowIndex: (k * 7919) % rows, newValue: String(k / 10) });
    if (values.after) {
      const q = read(values.after);
      await client.request(q.operation, sessionID, q.params);
    }
  }
  const wall = performance.now() - t0;
  console.log(`${repeat} edits${values.after ? ` each followed by ${values.after}` : ''}: ${(wall / repeat).toFixed(1)} ms wall, ${((cpuMs(server.pid) - before) / repeat).toFixed(1)} ms server CPU each; threads (total): ${threadCpuDelta(threads, threadCpuMs(server.pid))}`);
  client.close();
} finally {
  await server.stop();
}
