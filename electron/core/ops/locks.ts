import { randomUUID } from 'node:crypto';
import { link, mkdir, open, readFile, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { AppError } from '../../../shared/contract/errors';
import { syncDir } from './journal';

/**
 * One operation per cluster at a time. Every lock says who holds it and since when, so a
 * refused start can name them. Two kinds exist: a lock file beside the journals (always),
 * and a lock document in the cluster's MongoDB (`mongo-lock.ts`, when the console reaches
 * one) that also stops an admin on another laptop.
 */
export const lockHolderSchema = z.object({
  opId: z.string(),
  kind: z.string(),
  title: z.string(),
  cluster: z.string(),
  actor: z.string(),
  host: z.string(),
  pid: z.number().int(),
  since: z.string(),
});
export type LockHolder = z.infer<typeof lockHolderSchema>;

export interface ClusterLock {
  /** Where the lock lives, for messages ("the journal directory", "MongoDB rc-mongo"). */
  readonly where: string;
  /** How often the engine renews it while it holds it; absent for a lock that does not expire. */
  readonly renewEveryMs?: number;
  /** Takes the lock, or throws AppError CONFLICT naming the holder. Taking it again for the same operation succeeds. */
  acquire(holder: LockHolder): Promise<void>;
  /** Keeps a lock with an expiry alive; throws CONFLICT when someone else has it now. */
  renew(holder: LockHolder): Promise<void>;
  /** Gives the lock up if this operation still holds it. */
  release(holder: LockHolder): Promise<void>;
}

export function lockConflict(holder: LockHolder, where: string, note?: string): AppError {
  const since = holder.since.replace('T', ' ').replace(/\.\d+Z$|Z$/, ' UTC');
  return new AppError(
    'CONFLICT',
    `Cluster "${holder.cluster}" is locked by ${holder.actor} on ${holder.host} since ${since}: ` +
      `operation "${holder.title}" (${holder.opId})${note ? `, ${note}` : ''}. The lock is in ${where}.`,
    { cluster: holder.cluster, holder, where },
  );
}

export function isPidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export interface FileLockOptions {
  /** Whether the holder's operation has ended: a lock whose journal is finished (or absent) is stale. */
  journalStatus(opId: string): Promise<'missing' | 'open' | 'finished'>;
  hostname: string;
  pid: number;
  isAlive?: (pid: number) => boolean;
}

/**
 * Lock files `<dir>/<cluster>.lock`. A lock is written whole to a temporary file and
 * `link`ed into place: like O_EXCL, the link fails if the lock exists, and unlike a bare
 * O_EXCL create, nobody can ever read a lock file that is still empty or half-written.
 */
export class FileLockStore {
  readonly where = 'the journal directory';

  constructor(
    readonly dir: string,
    private readonly options: FileLockOptions,
  ) {}

  path(cluster: string): string {
    return join(this.dir, `${encodeURIComponent(cluster)}.lock`);
  }

  /** The lock of `cluster` as a `ClusterLock`. */
  lock(cluster: string): ClusterLock {
    return {
      where: this.where,
      acquire: (holder) => this.acquire({ ...holder, cluster }),
      renew: async () => {},
      release: (holder) => this.release(cluster, holder.opId),
    };
  }

  async read(cluster: string): Promise<LockHolder | undefined> {
    let text: string;
    try {
      text = await readFile(this.path(cluster), 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
    const parsed = lockHolderSchema.safeParse(safeJson(text));
    if (!parsed.success) {
      throw new AppError(
        'CONFLICT',
        `The lock file of cluster "${cluster}" is unreadable (${this.path(cluster)}). If no operation runs on this cluster, delete it.`,
        { cluster },
      );
    }
    return parsed.data;
  }

  /** Another live process on this machine holds it (a CLI run next to the app, say). */
  heldElsewhere(holder: LockHolder): boolean {
    if (holder.host !== this.options.hostname) return false; // a data directory belongs to one machine
    if (holder.pid === this.options.pid) return false;
    return (this.options.isAlive ?? isPidAlive)(holder.pid);
  }

  async acquire(holder: LockHolder): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    const target = this.path(holder.cluster);
    const temp = `${target}.${randomUUID()}.tmp`;
    await writeDurably(temp, JSON.stringify(holder));
    let consumed = false;
    try {
      for (let attempt = 0; attempt < 3; attempt += 1) {
        try {
          await link(temp, target);
          await syncDir(this.dir);
          return;
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        }
        const existing = await this.read(holder.cluster);
        if (!existing) continue; // released in between
        if (existing.opId === holder.opId) {
          // The same operation, resumed after its process died: take its lock over.
          if (this.heldElsewhere(existing)) {
            throw lockConflict(existing, this.where, `running in process ${existing.pid} on this machine`);
          }
          await rename(temp, target);
          consumed = true;
          await syncDir(this.dir);
          return;
        }
        if (await this.isStale(existing)) {
          await this.removeIfStill(target, existing);
          continue;
        }
        throw lockConflict(existing, this.where);
      }
      throw new AppError('CONFLICT', `The lock of cluster "${holder.cluster}" kept changing; try again.`, { cluster: holder.cluster });
    } finally {
      if (!consumed) await unlink(temp).catch(() => undefined);
    }
  }

  async release(cluster: string, opId: string): Promise<void> {
    const existing = await this.read(cluster).catch(() => undefined);
    if (existing?.opId !== opId) return;
    await unlink(this.path(cluster)).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOENT') throw error;
    });
  }

  private async isStale(holder: LockHolder): Promise<boolean> {
    return (await this.options.journalStatus(holder.opId)) !== 'open';
  }

  /**
   * Removes a stale lock without ever removing a fresh one another process linked in
   * meanwhile: move it aside, check it is the stale one, and put it back if it is not.
   */
  private async removeIfStill(target: string, stale: LockHolder): Promise<void> {
    const aside = `${target}.${randomUUID()}.stale`;
    try {
      await rename(target, aside);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw error;
    }
    const moved = lockHolderSchema.safeParse(safeJson(await readFile(aside, 'utf8')));
    if (moved.success && moved.data.opId !== stale.opId) await link(aside, target).catch(() => undefined);
    await unlink(aside);
  }
}

async function writeDurably(file: string, text: string): Promise<void> {
  const handle = await open(file, 'wx', 0o600);
  try {
    await handle.writeFile(text);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
