import fs from 'node:fs/promises';
import path from 'node:path';
import crypto from 'node:crypto';
import { writeFileAtomic } from './atomic.ts';

/**
 * Check at start-up that DATA_DIR can hold sessions: create it, write a file the way commits
 * do (write, fsync, rename), read it back and remove it. In distributed mode every gateway
 * and worker must see the same DATA_DIR (a shared filesystem), so a missing mount or a
 * read-only one fails here, with the path, instead of at the first upload.
 * Throws Error naming the directory and the system's reason.
 */
export async function assertWritable(dataDir: string): Promise<void> {
  const probe = path.join(dataDir, `.probe-${process.pid}-${crypto.randomBytes(4).toString('hex')}`);
  const token = crypto.randomBytes(8).toString('hex');
  try {
    await fs.mkdir(dataDir, { recursive: true });
    await writeFileAtomic(probe, token);
    if ((await fs.readFile(probe, 'utf8')) !== token) throw new Error('a file written there read back different');
  } catch (err) {
    throw new Error(`DATA_DIR ${dataDir} is not usable: ${(err as Error).message}`);
  } finally {
    await fs.rm(probe, { force: true }).catch(() => undefined); // the error above says why it may not exist
  }
}
