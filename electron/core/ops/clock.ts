import { AppError } from '../../../shared/contract/errors';

/**
 * Time as the operation engine sees it. Gates poll through `sleep`, output is batched
 * through `sleep`, and lock renewal ticks through `every`, so a test (or a rehearsal)
 * swaps in `ManualClock` and no real time passes.
 */
export interface OpsClock {
  now(): number;
  /** Resolves after `ms`; rejects with CANCELLED as soon as `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /** Calls `tick` every `ms` until the returned function is called. Must not keep the process alive. */
  every(ms: number, tick: () => void): () => void;
}

function cancelled(): AppError {
  return new AppError('CANCELLED', 'Wait was cancelled');
}

export const systemClock: OpsClock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(cancelled());
      // Not unref'd: a CLI run waiting on a gate must keep the process alive.
      const handle = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, Math.max(0, ms));
      const onAbort = (): void => {
        clearTimeout(handle);
        reject(cancelled());
      };
      signal?.addEventListener('abort', onAbort, { once: true });
    }),
  every: (ms, tick) => {
    const handle = setInterval(tick, ms);
    handle.unref();
    return () => clearInterval(handle);
  },
};

interface Sleeper {
  due: number;
  seq: number;
  resolve: () => void;
}

interface Repeater {
  due: number;
  ms: number;
  tick: () => void;
}

/**
 * A clock that moves only when told to: `advance(ms)` fires whatever falls due, in order.
 * With `autoAdvance`, time jumps to the earliest pending `sleep` once the event loop has
 * nothing else queued for this turn, so a gate that needs 20 polls over ten minutes
 * finishes at once while its virtual timings stay exact. Repeating ticks (`every`) fire
 * when an advance passes them but never cause one, so a lock renewal loop cannot spin time.
 * For tests and for lab rehearsals; never for a real operation.
 */
export class ManualClock implements OpsClock {
  private current: number;
  private sleepers: Sleeper[] = [];
  private repeaters = new Set<Repeater>();
  private seq = 0;
  private advanceScheduled = false;

  constructor(
    start: number | Date = Date.parse('2026-01-01T00:00:00Z'),
    private readonly options: { autoAdvance?: boolean } = {},
  ) {
    this.current = typeof start === 'number' ? start : start.getTime();
  }

  now(): number {
    return this.current;
  }

  /** How many sleeps are waiting. */
  get pending(): number {
    return this.sleepers.length;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(cancelled());
    return new Promise<void>((resolve, reject) => {
      const sleeper: Sleeper = {
        due: this.current + Math.max(0, ms),
        seq: this.seq++,
        resolve: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      const onAbort = (): void => {
        this.sleepers = this.sleepers.filter((s) => s !== sleeper);
        reject(cancelled());
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.sleepers.push(sleeper);
      if (this.options.autoAdvance) this.scheduleAutoAdvance();
    });
  }

  every(ms: number, tick: () => void): () => void {
    if (!(ms > 0)) throw new RangeError('every() needs a positive interval');
    const repeater: Repeater = { due: this.current + ms, ms, tick };
    this.repeaters.add(repeater);
    return () => this.repeaters.delete(repeater);
  }

  /**
   * Moves time forward by `ms`, firing sleeps and ticks in the order they fall due. Ticks run
   * synchronously; the code after a resolved sleep runs once this returns, and sees the new time.
   */
  advance(ms: number): void {
    this.advanceTo(this.current + ms);
  }

  /** Jumps to the earliest pending sleep, if any, and fires everything due by then. */
  advanceToNext(): boolean {
    const next = this.sleepers.reduce<number | undefined>((min, s) => (min === undefined || s.due < min ? s.due : min), undefined);
    if (next === undefined) return false;
    this.advanceTo(Math.max(next, this.current));
    return true;
  }

  private advanceTo(target: number): void {
    for (;;) {
      const repeater = [...this.repeaters].filter((r) => r.due <= target).sort((a, b) => a.due - b.due)[0];
      const sleepers = this.sleepers.filter((s) => s.due <= target).sort((a, b) => a.due - b.due || a.seq - b.seq);
      const sleeper = sleepers[0];
      if (!repeater && !sleeper) break;
      if (repeater && (!sleeper || repeater.due <= sleeper.due)) {
        this.current = Math.max(this.current, repeater.due);
        repeater.due += repeater.ms;
        repeater.tick();
      } else if (sleeper) {
        this.current = Math.max(this.current, sleeper.due);
        this.sleepers = this.sleepers.filter((s) => s !== sleeper);
        sleeper.resolve();
      }
    }
    this.current = Math.max(this.current, target);
  }

  private scheduleAutoAdvance(): void {
    if (this.advanceScheduled) return;
    this.advanceScheduled = true;
    setImmediate(() => {
      this.advanceScheduled = false;
      this.advanceToNext();
    });
  }
}
