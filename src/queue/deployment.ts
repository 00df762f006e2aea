import fs from 'node:fs/promises';
import path from 'node:path';
import crypto from 'node:crypto';
import { z } from 'zod';
import type { Redis } from 'ioredis';
import { fsyncDir } from '../store/atomic.ts';
import type { Logger } from '../log.ts';

// A distributed deployment is one DATA_DIR, one Redis namespace (REDIS_PREFIX) and one
// QUEUE_PARTITIONS. A process that disagrees on any of them does not fail by itself: a
// worker on another directory (or on an empty mount point: mkdir -p made it) answers every
// job `unknown session`; a process with other partitions or another prefix never sees the
// jobs it should, and requests wait forever. So the deployment's first process records an
// identity, a random id with the settings, in DATA_DIR (the marker file) and in Redis; every
// process compares both with its own settings at start and refuses to start on a mismatch.

/** The marker's name in DATA_DIR (beside `sessions/`, which holds only session folders). */
export const MARKER_FILE = '.willow-deployment.json';
/** How long to wait before reading a missing marker again, when Redis says it should exist. */
const MARKER_RETRY_MS = 1_000;

/** The Redis key that holds the same identity (a JSON string). */
export const deploymentKey = (prefix: string): string => `${prefix}:deployment`;

/** What the marker file and the Redis key hold: `{ id, redisPrefix, partitions, createdAt }`. */
export const identitySchema = z.object({
  id: z.string().min(1),
  redisPrefix: z.string(),
  partitions: z.number().int().min(1),
  createdAt: z.string(),
});
export type DeploymentIdentity = z.infer<typeof identitySchema>;

/** This process's side of the comparison. */
export interface DeploymentSettings {
  dataDir: string;
  prefix: string;
  partitions: number;
}

/** The process must not start: its message names what differs, where, and both values. */
export class DeploymentMismatchError extends Error {
  override name = 'DeploymentMismatchError';
}

/**
 * Compare this process's DATA_DIR marker, the identity in Redis and its own settings; create
 * what is missing. Cases:
 * - neither exists (a new deployment): the marker is created (exclusively: of processes
 *   starting together, one creates it and the others read it) and published in Redis;
 * - the marker exists, Redis has none (Redis restarted empty, or a new Redis): it is
 *   published again;
 * - Redis has one, DATA_DIR none: refused (this is not the deployment's DATA_DIR);
 * - both exist with different ids, or the marker's REDIS_PREFIX or QUEUE_PARTITIONS (or
 *   Redis's QUEUE_PARTITIONS) differ from this process's: refused.
 * Waits for Redis as long as it is unreachable (its commands wait for the connection).
 * Resolves with the deployment's identity. Throws DeploymentMismatchError as above, or Error
 * when the marker cannot be read or written (naming the file).
 */
export async function verifyDeployment(redis: Redis, s: DeploymentSettings): Promise<DeploymentIdentity> {
  const file = path.join(s.dataDir, MARKER_FILE);
  const key = deploymentKey(s.prefix);
  // Redis first: a process creates the marker before it publishes it, so one that is
  // published is already on disk when the marker is read after it (processes starting
  // together, one of them creating both between the two reads, agree).
  let published = parseIdentity(await redis.get(key), `Redis key ${key}`);
  let marker = await readMarker(file);
  // Once more a moment later before refusing: a shared filesystem's client may show another
  // host's new file a little late.
  if (!marker && published) marker = await new Promise((r) => setTimeout(r, MARKER_RETRY_MS)).then(() => readMarker(file));
  if (!marker) {
    if (published) {
      throw new DeploymentMismatchError(
        `DATA_DIR ${s.dataDir} is not this deployment's: it has no ${MARKER_FILE}, while Redis (REDIS_PREFIX ${s.prefix}) belongs to deployment ${published.id}, whose marker is in the DATA_DIR its first process used. Point DATA_DIR at that directory (is the shared filesystem mounted?); to start a new deployment on this directory instead, stop every process and delete the Redis key ${key}.`,
      );
    }
    marker = await createMarker(file, { id: crypto.randomUUID(), redisPrefix: s.prefix, partitions: s.partitions, createdAt: new Date().toISOString() });
  }
  if (marker.redisPrefix !== s.prefix) {
    throw new DeploymentMismatchError(
      `REDIS_PREFIX differs: this process has '${s.prefix}', but DATA_DIR ${s.dataDir} belongs to deployment ${marker.id}, which uses '${marker.redisPrefix}' (${file}). Every gateway and worker of a deployment uses the same REDIS_PREFIX.`,
    );
  }
  for (const [where, has] of [[`DATA_DIR ${s.dataDir} (${file})`, marker], [`Redis (key ${key})`, published]] as const) {
    if (has && has.partitions !== s.partitions) {
      throw new DeploymentMismatchError(
        `QUEUE_PARTITIONS differs: this process has ${s.partitions}, deployment ${has.id} uses ${has.partitions} (recorded in ${where}). Every gateway and worker of a deployment uses the same QUEUE_PARTITIONS; to change it, stop every process, then delete ${file} and the Redis key ${key}.`,
      );
    }
  }
  if (!published) {
    // Redis restarted empty, or this is the deployment's first process: publish the marker.
    // NX: of processes doing this at once, the first one's stands and the others compare.
    if ((await redis.set(key, JSON.stringify(marker), 'NX')) === 'OK') return marker;
    published = parseIdentity(await redis.get(key), `Redis key ${key}`);
  }
  if (published && published.id !== marker.id) throw idMismatch(s, file, marker, published);
  return marker;
}

function idMismatch(s: DeploymentSettings, file: string, marker: DeploymentIdentity, published: DeploymentIdentity): DeploymentMismatchError {
  return new DeploymentMismatchError(
    `DATA_DIR and Redis belong to different deployments: DATA_DIR ${s.dataDir} is deployment ${marker.id} (${file}, created ${marker.createdAt}), Redis (REDIS_PREFIX ${s.prefix}) is deployment ${published.id} (created ${published.createdAt}). Every gateway and worker uses the same DATA_DIR and REDIS_PREFIX.`,
  );
}

/**
 * After a reconnection, put the identity back into a Redis that restarted empty (the local
 * one keeps nothing on disk), so that a process started later is still checked. A running
 * process that finds another identity there (a process with another DATA_DIR published it
 * while Redis was empty) logs an error naming both; it keeps running (it was verified at its
 * start, and the newcomer is the suspect).
 */
export function republishOnReconnect(redis: Redis, identity: DeploymentIdentity, s: DeploymentSettings, log: Logger): void {
  const key = deploymentKey(s.prefix);
  let first = redis.status !== 'ready';
  redis.on('ready', () => {
    if (first) return void (first = false);
    void (async () => {
      if ((await redis.set(key, JSON.stringify(identity), 'NX')) === 'OK') return log.info({ deployment: identity.id }, 'deployment identity published again (Redis had lost it)');
      const there = parseIdentity(await redis.get(key), `Redis key ${key}`);
      if (there && there.id !== identity.id) log.error({ deployment: identity.id, redisDeployment: there.id, dataDir: s.dataDir }, idMismatch(s, path.join(s.dataDir, MARKER_FILE), identity, there).message);
    })().catch((err: unknown) => log.warn({ err: (err as Error).message }, 'could not publish the deployment identity again'));
  });
}

async function readMarker(file: string): Promise<DeploymentIdentity | null> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new Error(`cannot read the deployment marker ${file}: ${(err as Error).message}`);
  }
  return parseIdentity(text, file);
}

function parseIdentity(text: string | null, where: string): DeploymentIdentity | null {
  if (text === null) return null;
  let parsed: z.ZodSafeParseResult<DeploymentIdentity>;
  try {
    parsed = identitySchema.safeParse(JSON.parse(text));
  } catch {
    throw new Error(`${where} is not a deployment identity (not JSON); remove it with every process stopped`);
  }
  if (!parsed.success) throw new Error(`${where} is not a deployment identity (${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}); remove it with every process stopped`);
  return parsed.data;
}

/**
 * Write the marker atomically and exclusively: the content goes to a temporary file (written,
 * fsynced), which is then hard-linked to the marker's name. link(2) fails when the name
 * exists (also on NFS), so a process that loses a race reads the winner's marker instead of
 * replacing it; a reader never sees a half-written one.
 */
async function createMarker(file: string, identity: DeploymentIdentity): Promise<DeploymentIdentity> {
  const tmp = `${file}.${crypto.randomBytes(6).toString('hex')}.tmp`;
  try {
    const handle = await fs.open(tmp, 'wx');
    try {
      await handle.writeFile(JSON.stringify(identity) + '\n');
      await handle.sync();
    } finally {
      await handle.close();
    }
    try {
      await fs.link(tmp, file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const theirs = await readMarker(file);
      if (theirs) return theirs;
      throw err;
    }
    await fsyncDir(path.dirname(file));
    return identity;
  } catch (err) {
    throw new Error(`cannot write the deployment marker ${file}: ${(err as Error).message}`);
  } finally {
    await fs.rm(tmp, { force: true });
  }
}
