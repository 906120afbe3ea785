/**
 * Server-side cursors: results materialised when the query runs, handed out batch by batch
 * through getMore, and reaped after mongod's idle timeout on the lab clock.
 */
import { randomInt } from 'node:crypto';
import { BSON, Long, type Document } from 'bson';
import { CommandError } from './errors';

export type Clock = () => Date;

/** mongod's default `cursorTimeoutMillis`: idle cursors are reaped after ten minutes. */
const CURSOR_IDLE_MS = 10 * 60 * 1000;
/** mongod's default first batch when the client gives no batchSize. */
const DEFAULT_FIRST_BATCH = 101;
/** Keep a batch comfortably under the 16 MiB reply limit. */
const MAX_BATCH_BYTES = 16 * 1024 * 1024 - 64 * 1024;

interface LabCursor {
  namespace: string;
  remaining: Document[];
  lastUsed: number;
}

export interface CursorBatch {
  /** 0 when the cursor is exhausted (and closed). */
  id: Long;
  namespace: string;
  documents: Document[];
}

export class CursorRegistry {
  private readonly cursors = new Map<string, LabCursor>();
  private nextId = randomInt(1, 2 ** 31);

  constructor(private readonly now: Clock) {}

  /** Returns the first batch; keeps a cursor open only if documents remain. */
  open(namespace: string, documents: Document[], batchSize: number | undefined, singleBatch = false): CursorBatch {
    const cursor: LabCursor = { namespace, remaining: documents, lastUsed: this.now().getTime() };
    const batch = this.take(cursor, batchSize ?? DEFAULT_FIRST_BATCH);
    if (singleBatch || cursor.remaining.length === 0) return { id: Long.ZERO, namespace, documents: batch };
    const id = Long.fromNumber(this.nextId++);
    this.cursors.set(id.toString(), cursor);
    return { id, namespace, documents: batch };
  }

  getMore(id: unknown, batchSize: number | undefined): CursorBatch {
    const key = cursorKey(id);
    const cursor = this.cursors.get(key);
    if (cursor === undefined) throw new CommandError('CursorNotFound', `cursor id ${key} not found`);
    cursor.lastUsed = this.now().getTime();
    const documents = this.take(cursor, batchSize ?? Number.POSITIVE_INFINITY);
    if (cursor.remaining.length > 0) return { id: Long.fromString(key), namespace: cursor.namespace, documents };
    this.cursors.delete(key);
    return { id: Long.ZERO, namespace: cursor.namespace, documents };
  }

  kill(ids: unknown[]): { killed: Long[]; notFound: Long[] } {
    const killed: Long[] = [];
    const notFound: Long[] = [];
    for (const id of ids) {
      const key = cursorKey(id);
      (this.cursors.delete(key) ? killed : notFound).push(Long.fromString(key));
    }
    return { killed, notFound };
  }

  /** Reaps cursors idle for longer than mongod's cursor timeout. */
  sweepIdle(): number {
    const cutoff = this.now().getTime() - CURSOR_IDLE_MS;
    let reaped = 0;
    for (const [key, cursor] of this.cursors) {
      if (cursor.lastUsed < cutoff) {
        this.cursors.delete(key);
        reaped += 1;
      }
    }
    return reaped;
  }

  private take(cursor: LabCursor, batchSize: number): Document[] {
    const limit = batchSize > 0 ? batchSize : batchSize === 0 ? 0 : Number.POSITIVE_INFINITY;
    const batch: Document[] = [];
    let bytes = 0;
    while (batch.length < limit && cursor.remaining.length > 0) {
      const size = BSON.calculateObjectSize(cursor.remaining[0]!);
      if (batch.length > 0 && bytes + size > MAX_BATCH_BYTES) break;
      bytes += size;
      batch.push(cursor.remaining.shift()!);
    }
    return batch;
  }
}

function cursorKey(id: unknown): string {
  if (Long.isLong(id) || typeof id === 'number' || typeof id === 'bigint') return id.toString();
  throw new CommandError('TypeMismatch', 'cursor id must be a 64-bit integer');
}
