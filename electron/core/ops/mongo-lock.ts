import { MongoServerError, type Collection, type Db } from 'mongodb';
import { AppError } from '../../../shared/contract/errors';
import { lockConflict, type ClusterLock, type LockHolder } from './locks';

export const LOCK_COLLECTION = 'switchboard_locks';

interface LockDocument {
  _id: string;
  holder: Omit<LockHolder, 'since' | 'cluster'>;
  since: Date;
  /** MongoDB's TTL monitor deletes the document after this: a laptop that vanished cannot hold a cluster forever. */
  expiresAt: Date;
}

export interface MongoLockOptions {
  /** How long the lock lives without a renewal. The engine renews it at a third of this. */
  ttlMs?: number;
  now?: () => number;
  /** Names the database in messages, e.g. the cluster's MongoDB host. */
  label?: string;
}

const DEFAULT_TTL_MS = 5 * 60_000;

/**
 * The cluster's lock as a document in its own MongoDB (`switchboard_locks`, `_id` = the
 * cluster), so two consoles on two laptops cannot run operations on the same cluster at
 * once. `insertOne` takes it; a duplicate key means someone holds it, and their document
 * says who and since when. It expires unless renewed, so a crashed laptop releases it on
 * its own; until the TTL monitor removes it, an expired document is treated as free.
 */
export class MongoClusterLock implements ClusterLock {
  readonly where: string;
  private readonly ttlMs: number;
  private readonly now: () => number;
  private indexReady = false;

  constructor(
    private readonly db: Db,
    private readonly cluster: string,
    options: MongoLockOptions = {},
  ) {
    this.ttlMs = options.ttlMs ?? DEFAULT_TTL_MS;
    this.now = options.now ?? Date.now;
    this.where = `the ${LOCK_COLLECTION} collection of MongoDB ${options.label ?? db.databaseName}`;
  }

  get renewEveryMs(): number {
    return Math.max(1, Math.floor(this.ttlMs / 3));
  }

  private get collection(): Collection<LockDocument> {
    return this.db.collection<LockDocument>(LOCK_COLLECTION);
  }

  async acquire(holder: LockHolder): Promise<void> {
    await this.guard('take', async () => {
      await this.ensureIndex();
      for (let attempt = 0; attempt < 3; attempt += 1) {
        try {
          await this.collection.insertOne(this.document(holder));
          return;
        } catch (error) {
          if (!(error instanceof MongoServerError && error.code === 11000)) throw error;
        }
        const existing = await this.collection.findOne({ _id: this.cluster });
        if (!existing) continue; // expired or released in between
        if (existing.holder.opId === holder.opId) {
          // This operation's own lock, left by a console that crashed: take it over.
          const taken = await this.collection.updateOne(
            { _id: this.cluster, 'holder.opId': holder.opId },
            { $set: { holder: holderFields(holder), expiresAt: this.expiry() } },
          );
          if (taken.matchedCount === 1) return;
          continue;
        }
        if (existing.expiresAt.getTime() <= this.now()) {
          await this.collection.deleteOne({ _id: this.cluster, expiresAt: existing.expiresAt });
          continue;
        }
        throw lockConflict(this.holderOf(existing), this.where);
      }
      throw new AppError('CONFLICT', `The MongoDB lock of cluster "${this.cluster}" kept changing; try again.`, {
        cluster: this.cluster,
      });
    });
  }

  async renew(holder: LockHolder): Promise<void> {
    await this.guard('renew', async () => {
      const renewed = await this.collection.updateOne(
        { _id: this.cluster, 'holder.opId': holder.opId },
        { $set: { expiresAt: this.expiry() } },
      );
      if (renewed.matchedCount === 1) return;
      const existing = await this.collection.findOne({ _id: this.cluster });
      throw existing
        ? lockConflict(this.holderOf(existing), this.where, 'taken after this console’s lock expired')
        : new AppError('CONFLICT', `The MongoDB lock of cluster "${this.cluster}" expired.`, { cluster: this.cluster });
    });
  }

  async release(holder: LockHolder): Promise<void> {
    await this.guard('release', () =>
      this.collection.deleteOne({ _id: this.cluster, 'holder.opId': holder.opId }).then(() => undefined),
    );
  }

  private async ensureIndex(): Promise<void> {
    if (this.indexReady) return;
    await this.collection.createIndex({ expiresAt: 1 }, { expireAfterSeconds: 0, name: 'expiresAt_ttl' });
    this.indexReady = true;
  }

  private document(holder: LockHolder): LockDocument {
    return { _id: this.cluster, holder: holderFields(holder), since: new Date(holder.since), expiresAt: this.expiry() };
  }

  private expiry(): Date {
    return new Date(this.now() + this.ttlMs);
  }

  private holderOf(doc: LockDocument): LockHolder {
    return { ...doc.holder, cluster: this.cluster, since: doc.since.toISOString() };
  }

  /** Lets AppErrors through; anything from the driver becomes UNAVAILABLE (no URI, no credentials in it). */
  private async guard<T>(what: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      if (error instanceof AppError) throw error;
      throw new AppError('UNAVAILABLE', `Could not ${what} the MongoDB lock of cluster "${this.cluster}"`, {
        cluster: this.cluster,
        cause: error instanceof Error ? error.name : 'unknown',
      });
    }
  }
}

function holderFields(holder: LockHolder): LockDocument['holder'] {
  return {
    opId: holder.opId,
    kind: holder.kind,
    title: holder.title,
    actor: holder.actor,
    host: holder.host,
    pid: holder.pid,
  };
}
