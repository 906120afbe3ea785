import { AppError } from '../../../shared/contract/errors';

interface Waiter {
  grant: () => void;
}

/** A FIFO counting semaphore; `acquire` resolves to the function that gives the permit back. */
export class Limiter {
  private active = 0;
  private readonly waiters: Waiter[] = [];

  constructor(readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new AppError('INVALID_INPUT', 'A limit must be a positive integer');
  }

  get inUse(): number {
    return this.active;
  }

  get queued(): number {
    return this.waiters.length;
  }

  acquire(signal?: AbortSignal): Promise<() => void> {
    if (signal?.aborted) return Promise.reject(new AppError('CANCELLED', 'Cancelled while waiting for a slot'));
    if (this.active < this.limit && this.waiters.length === 0) {
      this.active++;
      return Promise.resolve(this.releaser());
    }
    return new Promise((resolve, reject) => {
      const onAbort = (): void => {
        const index = this.waiters.indexOf(waiter);
        if (index >= 0) this.waiters.splice(index, 1);
        reject(new AppError('CANCELLED', 'Cancelled while waiting for a slot'));
      };
      const waiter: Waiter = {
        grant: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve(this.releaser());
        },
      };
      this.waiters.push(waiter);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  private releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiters.shift();
      if (next) next.grant();
      else this.active--;
    };
  }
}

/** One limiter per key (e.g. per host:port), dropped again when unused. */
export class KeyedLimiter {
  private readonly limiters = new Map<string, Limiter>();

  constructor(private readonly limit: number) {}

  async acquire(key: string, signal?: AbortSignal): Promise<() => void> {
    let limiter = this.limiters.get(key);
    if (!limiter) {
      limiter = new Limiter(this.limit);
      this.limiters.set(key, limiter);
    }
    const release = await limiter.acquire(signal).catch((error: unknown) => {
      this.dropIfUnused(key, limiter);
      throw error;
    });
    return () => {
      release();
      this.dropIfUnused(key, limiter);
    };
  }

  private dropIfUnused(key: string, limiter: Limiter): void {
    if (limiter.inUse === 0 && limiter.queued === 0 && this.limiters.get(key) === limiter) this.limiters.delete(key);
  }
}
