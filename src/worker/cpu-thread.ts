import { parentPort } from 'node:worker_threads';
import { cpuTasks } from './cpu-tasks.ts';

parentPort!.on('message', async (msg: { id: number; task: string; args: unknown }) => {
  try {
    const fn = cpuTasks[msg.task];
    if (!fn) throw new Error(`unknown CPU task ${msg.task}`);
    const result = await fn(msg.args);
    parentPort!.postMessage({ id: msg.id, result });
  } catch (err) {
    const e = err as Error & { code?: string };
    parentPort!.postMessage({ id: msg.id, error: { message: e.message, name: e.name, code: e.code } });
  }
});
