// Probe for downloads alone: one upload, then `--repeat` rounds of DuckDB's floor (COPY …
// TO a file, wall and this process's CPU) and the server's download of the same format
// (wall, server CPU by thread, the share of DuckDB's busy time spent blocked writing into the
// pipe the server reads), printed with the load average.
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { startServer, cpuMs, threadCpuMs, threadCpuDelta } from './server.ts';
import { uploadFile, download } from './http.ts';
import { Floors } from './floors.ts';
import { ThreadStates } from './thread-states.ts';

const { values } = parseArgs({ options: { file: { type: 'string' }, repeat: { type: 'string' }, formats: { type: 'string' } } });
const file = path.resolve(values.file ?? 'bench/out/bench-10000000.csv');
const formats = (values.formats ?? 'CSV,JSON').split(',') as ('CSV' | 'JSON')[];

const server = await startServer(path.resolve(import.meta.dirname, '..'));
const floors = await Floors.open();
try {
  await floors.importMs(file);
  const up = await uploadFile(server.url, file);
  if (up.status !== 200) throw new Error(JSON.stringify(up.body));
  for (let k = 0; k < Number(values.repeat ?? 2); k++) {
    for (const format of formats) {
      const cpu = process.cpuUsage();
      const floor = await floors.export(format);
      const fc = process.cpuUsage(cpu);
      const threads = threadCpuMs(server.pid);
      const before = cpuMs(server.pid);
      const states = new ThreadStates(server.pid);
      const d = await download(`${server.url}/download${format}/${up.body.sessionID}`);
      const pipeBlocked = states.stop();
      const used = cpuMs(server.pid) - before;
      const rate = (b: number, ms: number) => ((b / 2 ** 20) / (ms / 1000)).toFixed(0);
      console.log(`${format}: floor ${(floor.ms / 1000).toFixed(2)} s (${rate(floor.bytes, floor.ms)} MB/s, ${((fc.user + fc.system) / 1e6).toFixed(2)} s CPU) | download ${(d.totalMs / 1000).toFixed(2)} s (${rate(d.bytes, d.totalMs)} MB/s, first byte ${d.firstByteMs.toFixed(0)} ms, server CPU ${(used / 1000).toFixed(2)} s: ${threadCpuDelta(threads, threadCpuMs(server.pid))}; DuckDB blocked on the pipe ${(pipeBlocked * 100).toFixed(0)}% of its busy time) ratio ${((d.bytes / d.totalMs) / (floor.bytes / floor.ms)).toFixed(2)} load ${os.loadavg()[0].toFixed(2)}`);
    }
  }
} finally {
  await floors.close();
  await server.stop();
}
