// Probe for the import alone, `--repeat` times: DuckDB's floor (COPY (SELECT * FROM
// read_csv(f)) TO parquet, wall and this process's CPU), then the server's upload + import of
// the same file (wall, server CPU by thread, peak RSS), each with the load average. On a
// shared machine the CPU figures compare better than the wall-clock ones.
// --env NAME=value (repeatable) sets the server's environment; BENCH_SERVER_LOG_LEVEL=debug
// prints the import's phases.
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { startServer, cpuMs, threadCpuMs, threadCpuDelta } from './server.ts';
import { uploadFile } from './http.ts';
import { Floors } from './floors.ts';

const { values } = parseArgs({ options: { file: { type: 'string' }, repeat: { type: 'string' }, 'no-floor': { type: 'boolean' }, env: { type: 'string', multiple: true } } });
const env = Object.fromEntries((values.env ?? []).map((e) => [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)]));
const file = path.resolve(values.file ?? 'bench/out/bench-10000000.csv');
const server = await startServer(path.resolve(import.meta.dirname, '..'), env);
try {
  for (let k = 0; k < Number(values.repeat ?? 2); k++) {
    if (!values['no-floor']) {
      const floors = await Floors.open();
      const cpu = process.cpuUsage();
      const ms = await floors.importMs(file);
      const used = process.cpuUsage(cpu);
      await floors.close();
      console.log(`floor: ${(ms / 1000).toFixed(2)} s wall, ${((used.user + used.system) / 1e6).toFixed(2)} s CPU, load ${os.loadavg()[0].toFixed(2)}`);
    }
    server.rss.mark();
    const before = cpuMs(server.pid);
    const threads = threadCpuMs(server.pid);
    const up = await uploadFile(server.url, file);
    const cpu = cpuMs(server.pid) - before;
    console.log(`  threads: ${threadCpuDelta(threads, threadCpuMs(server.pid))}`);
    console.log(`upload+import: ${(up.totalMs / 1000).toFixed(2)} s wall (send ${(up.sendMs / 1000).toFixed(2)} s), ${(cpu / 1000).toFixed(2)} s server CPU, peak RSS ${(server.rss.mark() / 2 ** 20).toFixed(0)} MB, load ${os.loadavg()[0].toFixed(2)}, HTTP ${up.status} rows ${up.body.rows}`);
  }
} finally {
  await server.stop();
}
