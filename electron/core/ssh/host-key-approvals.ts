import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { parsePublicKey } from './host-key';
import type { KnownHostsStore } from './known-hosts';

/** What the admin is shown for a host key seen for the first time. */
export interface UnknownHostKeyInfo {
  host: string;
  port: number;
  keyType: string;
  /** `SHA256:...`, as `ssh` prints it. */
  fingerprint: string;
  /** Base64 of the key blob (public; lets the admin compare it out of band). */
  publicKey: string;
  /** The jump chain the connection came through, when there is one. */
  via?: string;
  /** Key types already trusted for this host (a new type on a known host is still unknown). */
  knownTypes: string[];
}

export interface PendingHostKey extends UnknownHostKeyInfo {
  id: string;
  requestedAt: string;
}

export interface HostKeyDecision {
  id: string;
  approved: boolean;
}

interface PendingItem {
  item: PendingHostKey;
  waiters: Set<(approved: boolean) => void>;
}

/**
 * The queue of unknown host keys waiting for the admin. Connections wait on
 * `confirm()`; the app lists `pending()` and decides many at once. Approving writes
 * the key into the store before any waiting connection proceeds, so the approval
 * outlives a connection that gave up waiting.
 */
export class HostKeyApprovals {
  private readonly items = new Map<string, PendingItem>();
  private readonly events = new EventEmitter();

  constructor(
    private readonly store: KnownHostsStore,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** The `confirmUnknownHost` decision for the host-key verifier: resolves when the admin decides. */
  confirm(info: UnknownHostKeyInfo, signal?: AbortSignal): Promise<boolean> {
    let pending = [...this.items.values()].find(
      ({ item }) => item.host === info.host && item.port === info.port && item.fingerprint === info.fingerprint,
    );
    if (!pending) {
      const item: PendingHostKey = { ...info, id: randomUUID(), requestedAt: this.now().toISOString() };
      pending = { item, waiters: new Set() };
      this.items.set(item.id, pending);
      this.events.emit('pending', item);
    }
    const { waiters } = pending;
    return new Promise((resolve) => {
      const waiter = (approved: boolean): void => {
        signal?.removeEventListener('abort', onAbort);
        resolve(approved);
      };
      // A connection that stops waiting (cancelled, closed) leaves the item for the admin.
      const onAbort = (): void => {
        waiters.delete(waiter);
        resolve(false);
      };
      waiters.add(waiter);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  pending(): PendingHostKey[] {
    return [...this.items.values()].map(({ item }) => item);
  }

  /** Trusts the keys of these pending items; returns the ids that were pending. */
  async approve(ids: readonly string[]): Promise<string[]> {
    const done: string[] = [];
    for (const id of ids) {
      const pending = this.items.get(id);
      if (!pending) continue;
      const { item } = pending;
      await this.store.add(item.host, item.port, parsePublicKey(`${item.keyType} ${item.publicKey}`));
      this.settle(id, true);
      done.push(id);
    }
    return done;
  }

  /** Refuses these pending items: their waiting connections fail. Returns the ids that were pending. */
  reject(ids: readonly string[]): string[] {
    return ids.filter((id) => this.settle(id, false));
  }

  onPending(listener: (item: PendingHostKey) => void): () => void {
    this.events.on('pending', listener);
    return () => this.events.off('pending', listener);
  }

  onResolved(listener: (decision: HostKeyDecision) => void): () => void {
    this.events.on('resolved', listener);
    return () => this.events.off('resolved', listener);
  }

  private settle(id: string, approved: boolean): boolean {
    const pending = this.items.get(id);
    if (!pending) return false;
    this.items.delete(id);
    for (const waiter of pending.waiters) waiter(approved);
    this.events.emit('resolved', { id, approved } satisfies HostKeyDecision);
    return true;
  }
}
