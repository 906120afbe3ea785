import type { OpsClock } from './clock';

export interface OutputLimits {
  /** At most one live event per step this often. */
  liveEveryMs: number;
  /** A live event carries at most this much; older pending text is dropped and counted. */
  liveMaxChars: number;
  /** Pending output is journaled this often, or as soon as `journalChunkChars` have gathered. */
  journalEveryMs: number;
  journalChunkChars: number;
  /** What one step may put in the journal from its start; after that only its tail is kept. */
  journalBudgetChars: number;
  /** The tail kept once the budget is spent, journaled when the step ends. */
  tailChars: number;
}

export const defaultOutputLimits: OutputLimits = {
  liveEveryMs: 250,
  liveMaxChars: 32_000,
  journalEveryMs: 2_000,
  journalChunkChars: 4_000,
  journalBudgetChars: 64_000,
  tailChars: 8_000,
};

export interface OutputSinks {
  live(text: string, omittedChars: number): void;
  journal(text: string, omittedChars: number): Promise<void>;
}

/**
 * One step's output on its way to the renderer and to the journal. A chatty command
 * (a log tail, a migration) must neither flood the renderer nor grow the journal without
 * bound: live text is batched per `liveEveryMs`; the journal keeps the head of the output
 * up to a budget and then the tail, with a count of what was dropped between.
 */
export class StepOutput {
  private live = '';
  private liveOmitted = 0;
  private liveScheduled = false;
  private pending = '';
  private journaledChars = 0;
  private tail = '';
  private tailOmitted = 0;
  private journalScheduled = false;
  private writes: Promise<void> = Promise.resolve();
  private readonly timers = new AbortController();
  private closed = false;

  constructor(
    private readonly sinks: OutputSinks,
    private readonly clock: OpsClock,
    private readonly limits: OutputLimits = defaultOutputLimits,
  ) {}

  push(chunk: string): void {
    if (this.closed || chunk.length === 0) return;
    this.pushLive(chunk);
    this.pushJournal(chunk);
  }

  /** Flushes everything and waits until it is journaled. */
  async close(): Promise<void> {
    if (this.closed) return this.writes;
    this.closed = true;
    this.timers.abort();
    this.flushLive();
    this.flushJournal();
    if (this.tail || this.tailOmitted) {
      const [text, omitted] = [this.tail, this.tailOmitted];
      this.tail = '';
      this.tailOmitted = 0;
      this.write(text, omitted);
    }
    return this.writes;
  }

  private pushLive(chunk: string): void {
    this.live += chunk;
    const excess = this.live.length - this.limits.liveMaxChars;
    if (excess > 0) {
      this.live = this.live.slice(excess);
      this.liveOmitted += excess;
    }
    if (this.liveScheduled) return;
    this.liveScheduled = true;
    this.later(this.limits.liveEveryMs, () => {
      this.liveScheduled = false;
      this.flushLive();
    });
  }

  private flushLive(): void {
    if (!this.live && !this.liveOmitted) return;
    const [text, omitted] = [this.live, this.liveOmitted];
    this.live = '';
    this.liveOmitted = 0;
    this.sinks.live(text, omitted);
  }

  private pushJournal(chunk: string): void {
    const room = Math.max(0, this.limits.journalBudgetChars - this.journaledChars - this.pending.length);
    this.pending += chunk.slice(0, room);
    const overflow = chunk.slice(room);
    if (overflow) {
      this.tail += overflow;
      const excess = this.tail.length - this.limits.tailChars;
      if (excess > 0) {
        this.tail = this.tail.slice(excess);
        this.tailOmitted += excess;
      }
    }
    if (this.pending.length >= this.limits.journalChunkChars) {
      this.flushJournal();
      return;
    }
    if (!this.pending || this.journalScheduled) return;
    this.journalScheduled = true;
    this.later(this.limits.journalEveryMs, () => {
      this.journalScheduled = false;
      this.flushJournal();
    });
  }

  private flushJournal(): void {
    if (!this.pending) return;
    const text = this.pending;
    this.pending = '';
    this.journaledChars += text.length;
    this.write(text, 0);
  }

  private write(text: string, omitted: number): void {
    // Chained so the records keep the output's order; a failed write is the engine's to
    // report (the step's own result record will fail the same way), not the output's.
    this.writes = this.writes.then(() => this.sinks.journal(text, omitted)).catch(() => undefined);
  }

  private later(ms: number, run: () => void): void {
    this.clock.sleep(ms, this.timers.signal).then(run, () => undefined);
  }
}
