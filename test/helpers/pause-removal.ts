import fs from 'node:fs/promises';
import { mock } from 'node:test';

/**
 * Stop fs.rm of `dir` (of anything, when omitted) at its start until `proceed()` is called:
 * a test sees what requests get while a session's folder is being deleted. `deleting`
 * resolves once such a removal has begun. Undo with mock.restoreAll() (after proceed()).
 */
export function pauseRemoval(dir?: string): { deleting: Promise<void>; proceed: () => void } {
  const rm = fs.rm;
  let reached!: () => void;
  const deleting = new Promise<void>((resolve) => (reached = resolve));
  let proceed!: () => void;
  const gate = new Promise<void>((resolve) => (proceed = resolve));
  mock.method(fs, 'rm', async (...args: Parameters<typeof fs.rm>) => {
    if (dir === undefined || args[0] === dir) {
      reached();
      await gate;
    }
    return rm(...args);
  });
  return { deleting, proceed };
}
