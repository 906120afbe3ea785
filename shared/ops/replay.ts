import { planSteps, type PlannedStep, type Step } from './plan';
import { AppError } from '../contract/errors';
import type { CreatedRecord, JournalRecord } from './records';
import type {
  NextAction,
  OpState,
  OpStatus,
  OpSummary,
  PendingUndo,
  StepNext,
  StepState,
  UndoStatus,
} from './state';

/**
 * Replays an operation's journal into its state. Pure: the engine feeds it each record
 * as it is written, and a console that restarts feeds it the whole file.
 *
 * The rules that decide what a stopped operation shows and what `resume` does:
 *
 * - A journal that ends without `finished`, for an operation no engine is driving, is
 *   `interrupted` unless it stopped on purpose: `aborted`, `failed` (a step or gate
 *   failed and nothing retried it), or `paused` (paused, or stopped and then a step skipped).
 *   Something still in flight (an action or gate started without a result) always means
 *   interrupted: the engine never stops with work in flight.
 * - A step whose action was started but has no result is *in doubt*: part of its effect
 *   may have happened. On resume it is run again only when that is known to be safe:
 *   its guard decides when it has one (the guard says "already done": the action is not
 *   run again); else it is re-run when the plan declares it `idempotent`; else the admin
 *   decides (run again, mark done, or skip). Never guessed.
 * - A step whose action succeeded but whose gate has no result re-runs only its gate:
 *   gates only read.
 * - An undo is pending for every step whose action was started (done, failed or in doubt:
 *   a failed action may have half-happened), unless the undo already ran or a later step
 *   that `restores` it succeeded. A guard that found the effect already there on the first
 *   try changed nothing of ours, so that step has nothing to undo.
 * - Undos run newest change first; an undo cut short is run again (undos are idempotent by
 *   contract, see `plan.ts`).
 */

/** How much of a step's journaled output the state keeps for the views. */
export const OUTPUT_TAIL_CHARS = 16_000;

interface StepAcc {
  planned: PlannedStep;
  action: 'pending' | 'running' | 'succeeded' | 'failed';
  /** The action was started at least once (or an admin marked it done): a change of ours may be in place. */
  actionRan: boolean;
  /** Sequence of the last record that changed the cluster through this step (start, or mark-done). */
  changeSeq: number;
  succeededSeq: number;
  attempts: number;
  alreadyDone: boolean;
  markedDoneBy?: string;
  gate: 'pending' | 'running' | 'passed' | 'failed';
  gateAttempts: number;
  gateDetail?: string;
  gateStartedAt?: string;
  skipped?: { reason: string; by: string };
  undo: 'idle' | 'running' | 'succeeded' | 'failed';
  error?: { code: string; message: string };
  startedAt?: string;
  endedAt?: string;
  output: string;
  omittedChars: number;
}

export interface ReplayViewOptions {
  /** An engine in this process is driving the operation right now. */
  active: boolean;
  /** Another process on this machine holds the operation's lock and is alive. */
  elsewhere?: { host: string; pid: number };
}

export class OperationReplay {
  readonly created: CreatedRecord;
  private readonly steps = new Map<string, StepAcc>();
  private readonly ordered: StepAcc[] = [];
  private mode: 'forward' | 'undo' = 'forward';
  private finished: OpState['finished'];
  /** The engine stopped here deliberately (pause, failure, abort); cleared when it goes on. */
  private stopped = false;
  private aborted = false;
  private pauseRequested = false;
  private abortRequested = false;
  private updatedAt: string;
  lastSeq: number;

  constructor(created: CreatedRecord) {
    this.created = created;
    this.updatedAt = created.time;
    this.lastSeq = created.seq;
    for (const planned of planSteps(created.plan)) {
      const acc: StepAcc = {
        planned,
        action: 'pending',
        actionRan: false,
        changeSeq: -1,
        succeededSeq: -1,
        attempts: 0,
        alreadyDone: false,
        gate: 'pending',
        gateAttempts: 0,
        undo: 'idle',
        output: '',
        omittedChars: 0,
      };
      this.steps.set(planned.step.id, acc);
      this.ordered.push(acc);
    }
  }

  get opId(): string {
    return this.created.opId;
  }

  get isFinished(): boolean {
    return this.finished !== undefined;
  }

  get currentMode(): 'forward' | 'undo' {
    return this.mode;
  }

  get isAborted(): boolean {
    return this.aborted;
  }

  /** Applies one record. Records for steps the plan does not have are ignored. */
  apply(record: JournalRecord): void {
    this.lastSeq = Math.max(this.lastSeq, record.seq);
    this.updatedAt = record.time;
    if ('stepId' in record) {
      const acc = this.steps.get(record.stepId);
      if (acc) this.applyStep(acc, record);
      return;
    }
    switch (record.type) {
      case 'created':
        return;
      case 'pause-requested':
        this.pauseRequested = true;
        return;
      case 'paused':
        this.pauseRequested = false;
        this.stopped = true;
        return;
      case 'resumed':
        this.pauseRequested = false;
        this.abortRequested = false;
        this.stopped = false;
        return;
      case 'retried':
        this.stopped = false;
        for (const id of record.stepIds) {
          const acc = this.steps.get(id);
          if (!acc) continue;
          if (acc.action === 'failed') acc.action = 'pending';
          else if (acc.gate === 'failed') acc.gate = 'pending';
          delete acc.error;
        }
        return;
      case 'abort-requested':
        this.abortRequested = true;
        return;
      case 'aborted':
        this.abortRequested = false;
        this.pauseRequested = false;
        this.aborted = true;
        this.stopped = true;
        return;
      case 'undo-started':
        this.mode = 'undo';
        this.stopped = false;
        return;
      case 'finished':
        this.finished = {
          outcome: record.outcome,
          at: record.time,
          ...(record.by !== undefined ? { by: record.by } : {}),
          ...(record.reason !== undefined ? { reason: record.reason } : {}),
          ...(record.leftAsIs !== undefined ? { leftAsIs: record.leftAsIs } : {}),
        };
        this.pauseRequested = false;
        this.abortRequested = false;
        return;
    }
  }

  private applyStep(acc: StepAcc, record: Extract<JournalRecord, { stepId: string }>): void {
    switch (record.type) {
      case 'step-started':
        acc.action = 'running';
        acc.actionRan = true;
        acc.changeSeq = record.seq;
        acc.attempts = Math.max(acc.attempts + 1, record.attempt);
        acc.gate = 'pending';
        acc.gateAttempts = 0;
        acc.startedAt = record.time;
        delete acc.endedAt;
        delete acc.error;
        return;
      case 'step-output':
        this.appendOutput(acc, record.text, record.omittedChars ?? 0);
        return;
      case 'step-succeeded':
        acc.action = 'succeeded';
        acc.succeededSeq = record.seq;
        if (record.markedDoneBy !== undefined) {
          acc.markedDoneBy = record.markedDoneBy;
          acc.actionRan = true;
          acc.changeSeq = record.seq;
        }
        acc.endedAt = record.time;
        return;
      case 'step-already-done':
        acc.action = 'succeeded';
        acc.succeededSeq = record.seq;
        acc.alreadyDone = true;
        acc.startedAt ??= record.time;
        acc.endedAt = record.time;
        return;
      case 'step-failed':
        acc.action = 'failed';
        acc.error = { code: record.code, message: record.message };
        acc.endedAt = record.time;
        this.stopped = true;
        return;
      case 'gate-started':
        acc.gate = 'running';
        acc.gateStartedAt = record.time;
        delete acc.endedAt;
        return;
      case 'gate-passed':
        acc.gate = 'passed';
        acc.gateAttempts = record.attempts;
        acc.gateDetail = record.detail;
        acc.endedAt = record.time;
        return;
      case 'gate-failed':
        acc.gate = 'failed';
        acc.gateAttempts = record.attempts;
        acc.gateDetail = record.message;
        acc.error = { code: 'TIMEOUT', message: `Health gate did not pass: ${record.message}` };
        acc.endedAt = record.time;
        this.stopped = true;
        return;
      case 'gate-cancelled':
        acc.gate = 'pending';
        acc.gateAttempts = record.attempts;
        return;
      case 'step-skipped':
        acc.skipped = { reason: record.reason, by: record.by };
        acc.endedAt = record.time;
        return;
      case 'undo-step-started':
        acc.undo = 'running';
        return;
      case 'undo-step-succeeded':
        acc.undo = 'succeeded';
        delete acc.error;
        return;
      case 'undo-step-failed':
        acc.undo = 'failed';
        acc.error = { code: record.code, message: `Undo failed: ${record.message}` };
        return;
    }
  }

  private appendOutput(acc: StepAcc, text: string, omitted: number): void {
    acc.omittedChars += omitted;
    const joined = acc.output + text;
    const excess = joined.length - OUTPUT_TAIL_CHARS;
    acc.output = excess > 0 ? joined.slice(excess) : joined;
    if (excess > 0) acc.omittedChars += excess;
  }

  private isComplete(acc: StepAcc): boolean {
    if (acc.skipped) return true;
    return acc.action === 'succeeded' && (acc.planned.step.gate === undefined || acc.gate === 'passed');
  }

  private inFlight(acc: StepAcc): boolean {
    return acc.action === 'running' || acc.gate === 'running' || acc.undo === 'running';
  }

  private hasFailed(acc: StepAcc): boolean {
    return !acc.skipped && (acc.action === 'failed' || (acc.action === 'succeeded' && acc.gate === 'failed'));
  }

  private restored(acc: StepAcc): boolean {
    for (const other of this.ordered) {
      if (!other.planned.step.restores?.includes(acc.planned.step.id)) continue;
      if (other.action === 'succeeded' && other.undo !== 'succeeded' && other.succeededSeq > acc.changeSeq) return true;
    }
    return false;
  }

  private undoPending(acc: StepAcc): boolean {
    return (
      acc.planned.step.undo !== undefined && acc.actionRan && acc.undo !== 'succeeded' && !this.restored(acc)
    );
  }

  /** Changes of ours still (maybe) in place, newest first: the order an undo puts them back in. */
  pendingUndo(): PendingUndo[] {
    return this.ordered
      .filter((acc) => this.undoPending(acc))
      .sort((a, b) => b.changeSeq - a.changeSeq)
      .map((acc) => {
        const { step } = acc.planned;
        return {
          stepId: step.id,
          ...(step.host !== undefined ? { host: step.host } : {}),
          title: step.title,
          ...(step.undoTitle !== undefined ? { undoTitle: step.undoTitle } : {}),
          certainty: acc.action === 'succeeded' ? 'done' : 'maybe',
        };
      });
  }

  /** The steps failed and not retried or skipped. */
  failedStepIds(): string[] {
    return this.ordered.filter((acc) => this.hasFailed(acc)).map((acc) => acc.planned.step.id);
  }

  /** True when the step may still be run by the forward pass: not started, not done, not skipped. */
  isUntouched(stepId: string): boolean {
    const acc = this.steps.get(stepId);
    return acc !== undefined && !acc.skipped && acc.action === 'pending' && !acc.actionRan;
  }

  plannedStep(stepId: string): Step | undefined {
    return this.steps.get(stepId)?.planned.step;
  }

  next(): NextAction {
    if (this.finished) return { kind: 'none' };
    if (this.mode === 'undo') return { kind: 'undo', stepIds: this.pendingUndo().map((p) => p.stepId) };
    for (const batch of this.created.plan.batches) {
      const steps: StepNext[] = [];
      for (const step of batch.steps) {
        const acc = this.steps.get(step.id);
        if (!acc || this.isComplete(acc)) continue;
        steps.push({ stepId: step.id, does: this.whatNext(acc) });
      }
      if (steps.length > 0) return { kind: 'continue', batchId: batch.id, steps };
    }
    return { kind: 'finish' };
  }

  private whatNext(acc: StepAcc): StepNext['does'] {
    const { step } = acc.planned;
    switch (acc.action) {
      case 'pending':
      case 'failed':
        return 'run';
      case 'running':
        if (step.guard) return 'check-guard';
        return step.idempotent ? 'rerun' : 'ask';
      case 'succeeded':
        return 'check-gate';
    }
  }

  status(options: ReplayViewOptions): OpStatus {
    // Every outcome is also the final status of the same name.
    if (this.finished) return this.finished.outcome;
    if (options.active || options.elsewhere) return 'running';
    if (this.mode === 'undo') {
      if (this.ordered.some((acc) => acc.undo === 'running')) return 'interrupted';
      if (this.ordered.some((acc) => acc.undo === 'failed')) return 'failed';
      return 'interrupted';
    }
    if (this.ordered.some((acc) => this.inFlight(acc))) return 'interrupted';
    if (this.aborted) return 'aborted';
    if (this.ordered.some((acc) => this.hasFailed(acc))) return 'failed';
    if (this.stopped) return 'paused';
    return 'interrupted';
  }

  private stoppedAt(status: OpStatus): OpState['stoppedAt'] {
    if (status === 'running' || this.finished) return undefined;
    if (this.mode === 'undo') {
      const at =
        this.ordered.find((acc) => acc.undo === 'running') ??
        this.ordered.find((acc) => acc.undo === 'failed') ??
        this.steps.get(this.pendingUndo()[0]?.stepId ?? '');
      return at ? { stepId: at.planned.step.id, phase: 'undo' } : undefined;
    }
    const inFlight = this.ordered.find((acc) => this.inFlight(acc));
    if (inFlight) return { stepId: inFlight.planned.step.id, phase: inFlight.action === 'running' ? 'action' : 'gate' };
    const failed = this.ordered.find((acc) => this.hasFailed(acc));
    if (failed) return { stepId: failed.planned.step.id, phase: failed.action === 'failed' ? 'action' : 'gate' };
    const next = this.next();
    if (next.kind !== 'continue' || next.steps[0] === undefined) return undefined;
    const first = next.steps[0];
    return { stepId: first.stepId, phase: first.does === 'check-gate' ? 'gate' : 'before' };
  }

  stepState(stepId: string, options: ReplayViewOptions): StepState | undefined {
    const acc = this.steps.get(stepId);
    return acc ? this.viewStep(acc, options) : undefined;
  }

  private viewStep(acc: StepAcc, options: ReplayViewOptions): StepState {
    const { step, batch, index } = acc.planned;
    const live = options.active || options.elsewhere !== undefined;
    let status: StepState['status'];
    let phase: StepState['phase'];
    if (acc.undo === 'succeeded') status = 'undone';
    else if (acc.undo === 'running') [status, phase] = ['running', 'undo'];
    else if (acc.skipped) status = 'skipped';
    else if (acc.action === 'running') [status, phase] = ['running', 'action'];
    else if (acc.action === 'failed') [status, phase] = ['failed', 'action'];
    else if (acc.action === 'pending') status = 'pending';
    else if (step.gate === undefined || acc.gate === 'passed') status = 'succeeded';
    else if (acc.gate === 'failed') [status, phase] = ['failed', 'gate'];
    else [status, phase] = ['running', 'gate'];
    if (acc.undo === 'failed') phase = 'undo';

    return {
      id: step.id,
      batchId: batch.id,
      index,
      ...(step.host !== undefined ? { host: step.host } : {}),
      title: step.title,
      description: step.description,
      status,
      ...(phase !== undefined ? { phase } : {}),
      attempts: acc.attempts,
      inDoubt: acc.action === 'running' && !live,
      alreadyDone: acc.alreadyDone,
      ...(acc.markedDoneBy !== undefined ? { markedDoneBy: acc.markedDoneBy } : {}),
      ...(step.gate
        ? {
            gate: {
              status: acc.gate,
              attempts: acc.gateAttempts,
              timeoutMs: step.gate.timeoutMs,
              ...(acc.gateDetail !== undefined ? { detail: acc.gateDetail } : {}),
              ...(acc.gateStartedAt !== undefined ? { startedAt: acc.gateStartedAt } : {}),
            },
          }
        : {}),
      ...(acc.error ? { error: acc.error } : {}),
      ...(acc.skipped ? { skipped: acc.skipped } : {}),
      undo: this.undoView(acc),
      ...(step.undoTitle !== undefined ? { undoTitle: step.undoTitle } : {}),
      ...(step.expectedMs !== undefined ? { expectedMs: step.expectedMs } : {}),
      ...(step.serving !== undefined ? { serving: step.serving } : {}),
      ...(acc.startedAt !== undefined ? { startedAt: acc.startedAt } : {}),
      ...(acc.endedAt !== undefined ? { endedAt: acc.endedAt } : {}),
      output: acc.output,
      omittedChars: acc.omittedChars,
    };
  }

  private undoView(acc: StepAcc): UndoStatus {
    if (acc.planned.step.undo === undefined) return 'none';
    if (acc.undo === 'running') return 'running';
    if (acc.undo === 'succeeded') return 'done';
    if (acc.undo === 'failed') return 'failed';
    return this.undoPending(acc) ? 'pending' : 'not-needed';
  }

  summary(options: ReplayViewOptions): OpSummary {
    const status = this.status(options);
    const { plan } = this.created;
    const live = status === 'running';
    const current = live
      ? this.ordered.filter((acc) => this.inFlight(acc)).map((acc) => acc.planned.step.id)
      : (() => {
          const at = this.stoppedAt(status);
          return at ? [at.stepId] : [];
        })();
    const next = this.next();
    return {
      id: this.created.opId,
      kind: plan.kind,
      cluster: plan.cluster,
      title: plan.title,
      actor: this.created.actor,
      host: this.created.host,
      createdAt: this.created.time,
      updatedAt: this.updatedAt,
      status,
      mode: this.mode,
      progress: { done: this.ordered.filter((acc) => this.isComplete(acc)).length, total: this.ordered.length },
      currentStepIds: current,
      pendingUndoCount: this.pendingUndo().length,
      needsDecision: !live && next.kind === 'continue' && next.steps.some((s) => s.does === 'ask'),
      pauseRequested: this.pauseRequested,
      abortRequested: this.abortRequested,
      ...(options.elsewhere ? { elsewhere: options.elsewhere } : {}),
    };
  }

  state(options: ReplayViewOptions): OpState {
    const summary = this.summary(options);
    const stoppedAt = this.stoppedAt(summary.status);
    return {
      ...summary,
      plan: this.created.plan,
      policy: this.created.policy,
      steps: this.ordered.map((acc) => this.viewStep(acc, options)),
      pendingUndo: this.pendingUndo(),
      next: this.next(),
      ...(stoppedAt ? { stoppedAt } : {}),
      ...(this.finished ? { finished: this.finished } : {}),
    };
  }
}

/** Builds the replay of a whole journal; the first record must be `created`. */
export function replayJournal(records: readonly JournalRecord[]): OperationReplay {
  const [first, ...rest] = records;
  if (first?.type !== 'created') throw new AppError('INTERNAL', 'An operation journal must start with its created record');
  const replay = new OperationReplay(first);
  for (const record of rest) replay.apply(record);
  return replay;
}

/** The state a journal describes, for an operation that `options.active` says is or is not being driven. */
export function replay(records: readonly JournalRecord[], options: ReplayViewOptions = { active: false }): OpState {
  return replayJournal(records).state(options);
}
