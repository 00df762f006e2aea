// ./node_modules/.bin/node bench/read-beside-change.ts [checkout…] [-- --rows N]
//
// What a reader waits while another client's long change runs: for each checkout given
// (default: this one), a server on a generated `rows`-row CSV (default 10M); client A sends
// interpolate (pchip, the slowest single-column change), and 100 ms later client B asks for
// a data slice and metadata; three rounds, each undone. Before snapshot reads B waited for
// A's change; now B's reads run on the version current when they start.
import path from 'node:path';
import { parseArgs } from 'node:util';
import { benchCsv } from './generate.ts';
import { startServer } from './server.ts';
import { uploadFile } from './http.ts';
import { BenchClient } from './socket.ts';
import { Table, fmtMs } from './report.ts';

const repoRoot = path.resolve(import.meta.dirname, '..');
const { values, positionals } = parseArgs({ options: { rows: { type: 'string' } }, allowPositionals: true });
const rows = Number(values.rows ?? 10_000_000);
if (!Number.isInteger(rows) || rows < 200) throw new Error(`--rows must be an integer ≥ 200 (got ${values.rows})`);
const { file } = await benchCsv(path.join(repoRoot, 'bench', 'out'), rows);
const table = new Table(`A read beside another client's change (${rows} rows)`, ['checkout', 'round', 'change', 'data slice', 'metadata']);
for (const root of positionals.length > 0 ? positionals : [repoRoot]) {
  const server = await startServer(root);
  try {
    const up = await uploadFile(server.url, file);
    if (!up.body.success) throw new Error(`upload failed: ${JSON.stringify(up.body)}`);
    const id = up.body.sessionID as string;
    const a = await BenchClient.connect(server.url);
    const b = await BenchClient.connect(server.url);
    for (let round = 1; round <= 3; round++) {
      const change = a.request('interpolate', id, { columnIndex: 2, method: 'pchip' });
      await new Promise((r) => setTimeout(r, 100));
      const [slice, meta] = await Promise.all([
        b.request('data', id, { rowIndexFrom: 5000 * round, rowIndexTo: 5000 * round + 49, columnIndexFrom: 0, columnIndexTo: 7 }),
        b.request('metadata', id, {}),
      ]);
      const c = await change;
      const show = (t: { ok: boolean; ms: number }) => (t.ok ? fmtMs(t.ms) : 'failed');
      table.add(root, round, show(c), show(slice), show(meta));
      await a.request('undo', id, {});
    }
    a.close();
    b.close();
  } finally {
    await server.stop();
  }
}
process.stdout.write(`\n${table.markdown()}\n`);
