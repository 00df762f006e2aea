// Build the web client (web/ → web/dist) with Vite. `--if-stale`: only when the build is
// missing or older than a source file of the client, its config, the shared protocol
// module or the lockfile (so `npm start` after a pull rebuilds, and otherwise starts at once).
import { spawnSync } from 'node:child_process';
import { existsSync, globSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = path.join(root, 'web/dist/index.html');

function newestSource(): number {
  const files = [
    ...globSync('web/src/**/*', { cwd: root }),
    ...globSync('web/public/**/*', { cwd: root }),
    ...globSync('src/protocol/**/*', { cwd: root }),
    'web/index.html',
    'web/vite.config.ts',
    'package-lock.json',
  ];
  let newest = 0;
  for (const f of files) {
    const p = path.join(root, f);
    if (existsSync(p)) newest = Math.max(newest, statSync(p).mtimeMs);
  }
  return newest;
}

const ifStale = process.argv.includes('--if-stale');
if (ifStale && existsSync(dist) && statSync(dist).mtimeMs >= newestSource()) process.exit(0);

const vite = path.join(root, 'node_modules/vite/bin/vite.js');
if (!existsSync(vite)) {
  // An install without dev dependencies: the server still starts, and / says what is missing.
  console.error('willow: vite is not installed (run npm install with dev dependencies); the web client cannot be built');
  process.exit(ifStale ? 0 : 1);
}
console.error('willow: building the web client…');
const res = spawnSync(process.execPath, [vite, 'build', '--logLevel', 'warn'], { cwd: path.join(root, 'web'), stdio: 'inherit' });
process.exit(res.status ?? 1);
