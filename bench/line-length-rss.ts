// Peak RSS of the server importing one CSV of `a,b` + <lines> lines of exactly <max> bytes + `z,y`, with MAX_LINE_BYTES=<max>:
//   node bench/line-length-rss.ts <max> [lines]   (the figures in src/config.ts, DEFAULT_MAX_LINE_BYTES)
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
const [max, lines] = [Number(process.argv[2]), Number(process.argv[3] ?? 1)];
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'willow-rss-'));
const port = 5400 + Math.floor(Math.random() * 500);
const child = spawn(process.execPath, ['src/main.ts'], { env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dir, MAX_LINE_BYTES: String(max), LOG_LEVEL: 'warn' }, stdio: ['ignore', 'inherit', 'inherit'] });
const hwm = () => Number(/VmHWM:\s+(\d+)/.exec(fs.readFileSync(`/proc/${child.pid}/status`, 'utf8'))![1]) / 1024;
for (let i = 0; i < 100; i++) { try { await fetch(`http://127.0.0.1:${port}/healthz`); break; } catch { await new Promise((r) => setTimeout(r, 200)); } }
const before = hwm();
const body = ['a,b', ...Array.from({ length: lines }, (_, i) => `${i},${'x'.repeat(max - String(i).length - 1)}`), 'z,y'].join('\n') + '\n';
const form = new FormData();
form.append('file', new Blob([body]), 'x.csv');
let res: Response | { status: string }; let j: any = {};
try { res = await fetch(`http://127.0.0.1:${port}/upload`, { method: 'POST', body: form, signal: AbortSignal.timeout(240_000) }); j = await res.json(); } catch { res = { status: 'timeout' }; }
console.log(JSON.stringify({ max, lines, status: res.status, rows: j.rows, error: j.error, d: j.errorDescription, rssBeforeMB: Math.round(before), peakRssMB: Math.round(hwm()) }));
child.kill('SIGTERM');
await new Promise((r) => child.on('exit', r));
fs.rmSync(dir, { recursive: true, force: true });
