// The whole test suite: type check (server, then web client), then every *.test.ts under src/ and test/ with Node's
// own runner. Operation tests live beside their operations in src/operations.
import { spawnSync } from 'node:child_process';
import { globSync } from 'node:fs';

function run(cmd: string, args: string[]): void {
  const res = spawnSync(cmd, args, { stdio: 'inherit' });
  if (res.status !== 0) process.exit(res.status ?? 1);
}

run('npx', ['--no-install', 'tsc', '--noEmit']);
run('npx', ['--no-install', 'tsc', '--noEmit', '-p', 'web/tsconfig.json']);
const files = [...globSync('src/**/*.test.ts'), ...globSync('test/**/*.test.ts')].sort();
const only = process.argv.slice(2);
run(process.execPath, ['--test', '--test-concurrency=2', '--test-timeout=300000', ...(only.length ? only : files)]);
