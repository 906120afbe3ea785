import { randomBytes } from 'node:crypto';
import { hostname as osHostname } from 'node:os';
import { join } from 'node:path';
import type { z } from 'zod';
import { AppError, isAppError } from '../../../shared/contract/errors';
import type { AbortResult, opsEvents } from '../../../shared/contract/ops';
import { planKinds, planSchema, policySchema, type Plan, type PolicyInput, type Step } from '../../../shared/ops/plan';
import type { Decision, InDoubtChoice, JournalRecord, Outcome, RecordInput } from '../../../shared/ops/records';
import { OperationReplay, replayJournal, type ReplayViewOptions } from '../../../shared/ops/replay';
import type { OpState, OpSummary, StepNext, StepState } from '../../../shared/ops/state';
import type { Logger } from '../log/logger';
import { systemClock, type OpsClock } from './clock';
import { pollGate, type CheckResult } from './gate';
import { OperationJournal } from './journal';
import { FileLockStore, lockConflict, type ClusterLock, type LockHolder } from './locks';
import { defaultOutputLimits, StepOutput, type OutputLimits } from './output';

/** What an executor or a check gets besides its params. */
export interface StepContext {
  opId: string;
  cluster: string;
  stepId: string;
  host: string | undefined;
  /** Aborted when the engine shuts down (a gate's check is also aborted by `abort`). */
  signal: AbortSignal;
  /** Live output; batched for the renderer, bounded in the journal. */
  output(chunk: string): void;
}

/** Does one kind of action (exec a command, set an HAProxy state, restore a file). Throws on failure. */
export type Executor = (params: Record<string, unknown>, context: StepContext) => Promise<void>;
/** Answers one kind of question (is it healthy, is it already done). Only reads. */
export type Check = (params: Record<string, unknown>, context: StepContext) => Promise<CheckResult>;

type OpsEvents = typeof opsEvents;
export type OpsEventSink = <E extends keyof OpsEvents>(event: E, payload: z.input<OpsEvents[E]['payload']>) => void;

export interface OperationEngineOptions {
  /** Where journals and lock files live: `operationsDir(dataDir)`. */
  dir: string;
  executors: Record<string, Executor>;
  checks: Record<string, Check>;
  log: Logger;
  /** Who runs this console; recorded in every record that an admin caused. */
  actor: string;
  clock?: OpsClock;
  /** Locks besides the lock file, e.g. `MongoClusterLock` when the console reaches the cluster's MongoDB. */
  extraLocks?: (cluster: string) => Promise<ClusterLock[]> | ClusterLock[];
  emit?: OpsEventSink;
  /** Called after each record is durably in the journal. */
  onRecord?: (opId: string, record: JournalRecord) => void | Promise<void>;
  output?: Partial<OutputLimits>;
  hostname?: string;
  pid?: number;
  isPidAlive?: (pid: number) => boolean;
}

export function operationsDir(dataDir: string): string {
  return join(dataDir, 'operations');
}

/** Thrown inside the engine once it is disposed: the process is going away, nothing more is written. */
class EngineClosed extends Error {}

interface HeldLocks {
  holder: LockHolder;
  locks: ClusterLock[];
  stopRenewing: () => void;
}

interface OpEntry {
  opId: string;
  replay: OperationReplay;
  /** Next sequence number to stamp. */
  seq: number;
  /** The run loop while this engine drives the operation. */
  driving?: Promise<void>;
  pauseRequested: boolean;
  abortRequested: boolean;
  /** Aborted by `abort`: cancels gate polling, never a running action. */
  gates: AbortController;
  decisions: Map<string, InDoubtChoice>;
  held?: HeldLocks;
  /** Steps this engine has begun (guard, action or gate) and not ended. */
  inProgress: Set<string>;
  /** Steps being skipped right now: the run loop must not pick them while the record is written. */
  skipping: Set<string>;
  liveGates: Map<string, { attempts: number; detail?: string }>;
}

type StepResult = 'ok' | 'action-failed' | 'gate-failed' | 'cancelled';

/**
 * Runs operation plans step by step, writing each step to the journal before and after it
 * runs, so that whatever happens the journal says exactly where the operation is. See
 * README-ops.md for the journal and the pause/resume/abort/undo semantics; the rules for a
 * stopped operation's state live in `shared/ops/replay.ts`.
 */
export class OperationEngine {
  private readonly journal: OperationJournal;
  private readonly fileLocks: FileLockStore;
  private readonly clock: OpsClock;
  private readonly limits: OutputLimits;
  private readonly hostname: string;
  private readonly pid: number;
  private readonly ops = new Map<string, OpEntry>();
  /** The admin's calls on one operation run one at a time. */
  private readonly serials = new Map<string, Promise<unknown>>();
  private readonly busy = new Set<string>();
  private readonly shutdown = new AbortController();
  private closed = false;

  constructor(private readonly options: OperationEngineOptions) {
    this.journal = new OperationJournal(options.dir);
    this.clock = options.clock ?? systemClock;
    this.limits = { ...defaultOutputLimits, ...options.output };
    this.hostname = options.hostname ?? osHostname();
    this.pid = options.pid ?? process.pid;
    this.fileLocks = new FileLockStore(join(options.dir, 'locks'), {
      journalStatus: (opId) => this.journal.finished(opId),
      hostname: this.hostname,
      pid: this.pid,
      ...(options.isPidAlive ? { isAlive: options.isPidAlive } : {}),
    });
  }

  // ---------------------------------------------------------------- the admin's calls

  /** Starts a plan and returns its operation id; refuses (CONFLICT) while another operation holds the cluster. */
  async start(planInput: unknown, policyInput: PolicyInput = {}): Promise<string> {
    this.ensureOpen();
    const plan = parseOrThrow(planSchema, planInput, 'plan');
    const policy = parseOrThrow(policySchema, policyInput, 'policy');
    this.checkKinds(plan);
    await this.loadAll();

    const opId = this.newOpId();
    const created: JournalRecord = {
      seq: 0,
      time: this.isoNow(),
      type: 'created',
      opId,
      plan,
      policy,
      actor: this.options.actor,
      host: this.hostname,
    };
    // The journal exists before the lock that names it, so a lock without a journal is always stale.
    await this.journal.create(created);
    const entry = this.newEntry(new OperationReplay(created));
    try {
      await this.acquireLocks(entry);
    } catch (error) {
      await this.journal.discard(opId);
      throw await this.explainConflict(error);
    }
    this.ops.set(opId, entry);
    await this.options.onRecord?.(opId, created);
    this.options.log.info('ops', 'operation started', { opId, kind: plan.kind, cluster: plan.cluster });
    this.drive(entry, () => this.runForward(entry));
    return opId;
  }

  /** Reads every journal; unfinished operations show as interrupted (or paused, failed, aborted). Takes no lock. */
  async recover(): Promise<OpSummary[]> {
    await this.loadAll();
    const unfinished = [...this.ops.values()].filter((entry) => !entry.replay.isFinished);
    return Promise.all(unfinished.map((entry) => this.summaryOf(entry))).then(sortNewestFirst);
  }

  async list(filter: { cluster?: string; limit?: number } = {}): Promise<OpSummary[]> {
    await this.loadAll();
    const entries = [...this.ops.values()].filter(
      (entry) => filter.cluster === undefined || entry.replay.created.plan.cluster === filter.cluster,
    );
    const summaries = sortNewestFirst(await Promise.all(entries.map((entry) => this.summaryOf(entry))));
    return summaries.slice(0, filter.limit ?? summaries.length);
  }

  async get(opId: string): Promise<OpState> {
    return this.stateOf(await this.entry(opId));
  }

  /** Resolves once this engine stops driving the operation (finished, paused, failed or aborted). */
  async settled(opId: string): Promise<OpState> {
    const entry = await this.entry(opId);
    await entry.driving;
    return this.stateOf(entry);
  }

  /** Stops after the steps now running (and their gates) have finished. */
  async pause(opId: string): Promise<OpSummary> {
    return this.serially(opId, async (entry) => {
      this.requireDriving(entry, 'paused');
      if (entry.replay.currentMode === 'undo') throw new AppError('CONFLICT', 'An undo cannot be paused; it stops by itself at its first failure.');
      if (!entry.pauseRequested) {
        entry.pauseRequested = true;
        await this.record(entry, { type: 'pause-requested', by: this.options.actor });
      }
      return this.summaryOf(entry);
    });
  }

  /**
   * Continues a paused or interrupted operation at the exact step where it stopped. A step
   * that a crash cut short mid-action and that nothing can check needs a decision:
   * `rerun` it or `mark-done` (the admin checked by hand); `skip` is the third way.
   */
  async resume(opId: string, decisions: Decision[] = []): Promise<OpSummary> {
    return this.serially(opId, async (entry) => {
      const status = await this.requireStopped(entry);
      if (entry.replay.currentMode === 'undo') {
        throw new AppError('CONFLICT', 'An undo of this operation was started: run undo again to finish it.');
      }
      if (status === 'aborted') throw new AppError('CONFLICT', 'An aborted operation can be undone or closed, not resumed.');
      if (status === 'failed') {
        throw new AppError('CONFLICT', 'The operation stopped on a failed step: retry it or skip it.', {
          stepIds: entry.replay.failedStepIds(),
        });
      }
      const next = entry.replay.next();
      const asked = next.kind === 'continue' ? next.steps.filter((s) => s.does === 'ask').map((s) => s.stepId) : [];
      const decided = new Map(decisions.map((d) => [d.stepId, d.choice]));
      for (const stepId of decided.keys()) {
        if (!asked.includes(stepId)) throw new AppError('INVALID_INPUT', `Step "${stepId}" does not need a decision.`);
      }
      const undecided = asked.filter((stepId) => !decided.has(stepId));
      if (undecided.length > 0) {
        const titles = undecided.map((id) => `"${entry.replay.plannedStep(id)?.title ?? id}"`).join(', ');
        throw new AppError(
          'CONFLICT',
          `Step ${titles} was cut short while running and cannot be checked automatically: ` +
            'decide whether to run it again or mark it done (after checking by hand), or skip it.',
          { stepIds: undecided },
        );
      }
      this.checkKinds(entry.replay.created.plan);
      await this.ensureLocks(entry);
      entry.decisions = decided;
      entry.pauseRequested = false;
      entry.abortRequested = false;
      await this.record(entry, {
        type: 'resumed',
        by: this.options.actor,
        ...(decisions.length > 0 ? { decisions } : {}),
      });
      this.drive(entry, () => this.runForward(entry));
      return this.summaryOf(entry);
    });
  }

  /** Runs the failed step again (only its gate, if its action had succeeded) and goes on. */
  async retry(opId: string): Promise<OpSummary> {
    return this.serially(opId, async (entry) => {
      const status = await this.requireStopped(entry);
      if (status !== 'failed' || entry.replay.currentMode !== 'forward') {
        throw new AppError('CONFLICT', `Only an operation stopped on a failed step can be retried (this one is ${status}).`);
      }
      this.checkKinds(entry.replay.created.plan);
      await this.ensureLocks(entry);
      entry.pauseRequested = false;
      entry.abortRequested = false;
      await this.record(entry, { type: 'retried', by: this.options.actor, stepIds: entry.replay.failedStepIds() });
      this.drive(entry, () => this.runForward(entry));
      return this.summaryOf(entry);
    });
  }

  /**
   * Skips a step, recording why. While the operation runs, only a step that has not begun
   * can be skipped; once it stopped, also a failed step or one cut short.
   */
  async skip(opId: string, stepId: string, reason: string): Promise<OpSummary> {
    return this.serially(opId, async (entry) => {
      if (entry.replay.isFinished) throw new AppError('CONFLICT', 'The operation has finished.');
      if (entry.replay.currentMode === 'undo') throw new AppError('CONFLICT', 'The operation is being undone; steps cannot be skipped.');
      const step = entry.replay.stepState(stepId, { active: false });
      if (!step) throw new AppError('NOT_FOUND', `The operation has no step "${stepId}".`);
      if (step.status === 'skipped') throw new AppError('CONFLICT', `Step "${step.title}" is already skipped.`);
      if (step.status === 'succeeded' || step.status === 'undone') {
        throw new AppError('CONFLICT', `Step "${step.title}" has already run.`);
      }
      if (this.isDriving(entry)) {
        if (!entry.replay.isUntouched(stepId) || entry.inProgress.has(stepId)) {
          throw new AppError('CONFLICT', `Step "${step.title}" is running; pause the operation to skip it.`);
        }
      } else {
        await this.requireStopped(entry);
      }
      entry.skipping.add(stepId);
      try {
        await this.record(entry, { type: 'step-skipped', stepId, reason: reason.trim(), by: this.options.actor });
      } finally {
        entry.skipping.delete(stepId);
      }
      return this.summaryOf(entry);
    });
  }

  /**
   * Stops before the next step: gates stop polling at once, a running action is let finish
   * (a command is never cut in half). Answers once stopped, with the changes still in place.
   * With none, the operation is finished as aborted; else it waits for `undo` or `close`.
   */
  async abort(opId: string): Promise<AbortResult> {
    return this.serially(opId, async (entry) => {
      if (entry.replay.isFinished) throw new AppError('CONFLICT', 'The operation has finished.');
      if (entry.replay.currentMode === 'undo') {
        throw new AppError('CONFLICT', 'The operation is being undone; an undo stops by itself at its first failure. Close it to stop.');
      }
      if (this.isDriving(entry)) {
        if (!entry.abortRequested) {
          entry.abortRequested = true;
          await this.record(entry, { type: 'abort-requested', by: this.options.actor });
          entry.gates.abort();
        }
        await entry.driving;
      } else if (!entry.replay.isAborted) {
        await this.requireStopped(entry);
        await this.completeAbort(entry);
      }
      return { op: await this.summaryOf(entry), pendingUndo: entry.replay.pendingUndo() };
    });
  }

  /** Puts back every change still in place, newest first; finishes as reverted, or stops at the first undo that fails. */
  async undo(opId: string): Promise<OpSummary> {
    return this.serially(opId, async (entry) => {
      await this.requireStopped(entry);
      const missing = entry.replay
        .pendingUndo()
        .map((p) => entry.replay.plannedStep(p.stepId)?.undo?.kind)
        .filter((kind): kind is string => kind !== undefined && !(kind in this.options.executors));
      if (missing.length > 0) {
        throw new AppError('INVALID_INPUT', `This console cannot run undo steps of kind ${[...new Set(missing)].join(', ')}.`);
      }
      await this.ensureLocks(entry);
      this.drive(entry, () => this.runUndo(entry, 'admin'));
      return this.summaryOf(entry);
    });
  }

  /** Ends a stopped operation as it stands; its pending undos are recorded as left on purpose. */
  async close(opId: string, reason: string): Promise<OpSummary> {
    return this.serially(opId, async (entry) => {
      const status = await this.requireStopped(entry);
      const leftAsIs = entry.replay.pendingUndo().map((p) => p.stepId);
      await this.finish(entry, status === 'failed' ? 'failed' : 'aborted', {
        by: this.options.actor,
        reason: reason.trim(),
        ...(leftAsIs.length > 0 ? { leftAsIs } : {}),
      });
      return this.summaryOf(entry);
    });
  }

  /**
   * Stops everything without writing another record, as if the process died: operations
   * in flight are left interrupted for the next start to resume. Resolves when the run
   * loops have returned (executors get an aborted signal).
   */
  async dispose(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.shutdown.abort();
    for (const entry of this.ops.values()) entry.held?.stopRenewing();
    await Promise.allSettled([...this.ops.values()].map((entry) => entry.driving));
  }

  // ---------------------------------------------------------------- run loops

  private drive(entry: OpEntry, run: () => Promise<void>): void {
    entry.gates = new AbortController();
    entry.driving = run()
      .catch((error: unknown) => {
        if (error instanceof EngineClosed) return;
        // A journal that cannot be written (disk full) or a broken invariant: stop here; the
        // journal still says exactly where, so the operation shows as interrupted.
        this.options.log.error('ops', 'operation stopped unexpectedly', { opId: entry.opId, error });
      })
      .finally(() => {
        entry.driving = undefined;
        entry.inProgress.clear();
        entry.liveGates.clear();
        if (!this.closed) void this.emitOp(entry);
      });
    void this.emitOp(entry);
  }

  private async runForward(entry: OpEntry): Promise<void> {
    for (;;) {
      if (entry.abortRequested) return this.completeAbort(entry);
      if (entry.pauseRequested) {
        await this.record(entry, { type: 'paused', by: this.options.actor });
        return;
      }
      const next = entry.replay.next();
      if (next.kind === 'finish') return this.finish(entry, 'succeeded', {});
      if (next.kind !== 'continue') return;
      const failure = await this.runBatch(entry, next.batchId, next.steps);
      if (entry.abortRequested) continue;
      if (failure === 'gate-failed' && entry.replay.created.policy.onGateFailure === 'undo-and-stop') {
        return this.runUndo(entry, 'policy');
      }
      if (failure !== undefined) return;
    }
  }

  /** Runs the batch's remaining steps, `maxParallel` at a time; takes no new step after a failure, a pause or an abort. */
  private async runBatch(entry: OpEntry, batchId: string, steps: StepNext[]): Promise<StepResult | undefined> {
    const { plan, policy } = entry.replay.created;
    const batch = plan.batches.find((b) => b.id === batchId);
    const parallel = Math.max(1, Math.min(batch?.maxParallel ?? 1, policy.maxParallel ?? Number.POSITIVE_INFINITY));
    const queue = [...steps];
    let failure: StepResult | undefined;
    const worker = async (): Promise<void> => {
      while (queue.length > 0 && !entry.pauseRequested && !entry.abortRequested && failure === undefined) {
        const item = queue.shift()!;
        const step = entry.replay.plannedStep(item.stepId);
        // Skipped by the admin while earlier steps ran.
        if (!step || entry.skipping.has(item.stepId) || entry.replay.stepState(item.stepId, { active: true })?.status === 'skipped') {
          continue;
        }
        const result = await this.runStep(entry, step, item.does);
        if (result === 'action-failed' || result === 'gate-failed') failure ??= result;
      }
    };
    const results = await Promise.allSettled(Array.from({ length: Math.min(parallel, queue.length) }, worker));
    const rejected = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (rejected) throw rejected.reason;
    return failure;
  }

  private async runStep(entry: OpEntry, step: Step, does: StepNext['does']): Promise<StepResult> {
    entry.inProgress.add(step.id);
    try {
      if (does !== 'check-gate') {
        let runAction = true;
        if (does === 'ask') {
          const choice = entry.decisions.get(step.id);
          if (choice === 'mark-done') {
            await this.record(entry, { type: 'step-succeeded', stepId: step.id, markedDoneBy: this.options.actor });
            runAction = false;
          } else if (choice !== 'rerun') {
            throw new AppError('INTERNAL', `Step "${step.id}" needs a decision that was not given`);
          }
        } else if (step.guard) {
          let guard: CheckResult;
          try {
            guard = await this.checkFor(step.guard.kind)(step.guard.params, this.context(entry, step, this.shutdown.signal));
          } catch (error) {
            if (this.closed) throw new EngineClosed();
            await this.record(entry, { type: 'step-failed', stepId: step.id, ...failureOf(error, 'Its guard could not be checked') });
            return 'action-failed';
          }
          if (guard.ok) {
            await this.record(entry, {
              type: 'step-already-done',
              stepId: step.id,
              ...(guard.detail !== undefined ? { detail: guard.detail } : {}),
            });
            runAction = false;
          }
        }
        if (runAction && !(await this.runAction(entry, step))) return 'action-failed';
      }
      return step.gate ? await this.runGate(entry, step) : 'ok';
    } finally {
      entry.inProgress.delete(step.id);
    }
  }

  private async runAction(entry: OpEntry, step: Step): Promise<boolean> {
    const attempt = (entry.replay.stepState(step.id, { active: true })?.attempts ?? 0) + 1;
    await this.record(entry, { type: 'step-started', stepId: step.id, attempt });
    const output = this.outputOf(entry, step.id, 'action');
    try {
      await this.executorFor(step.action.kind)(step.action.params, this.context(entry, step, this.shutdown.signal, output));
    } catch (error) {
      await output.close();
      if (this.closed) throw new EngineClosed();
      await this.record(entry, { type: 'step-failed', stepId: step.id, ...failureOf(error) });
      return false;
    }
    await output.close();
    await this.record(entry, { type: 'step-succeeded', stepId: step.id });
    return true;
  }

  private async runGate(entry: OpEntry, step: Step): Promise<StepResult> {
    const gate = step.gate!;
    const check = this.checkFor(gate.kind);
    await this.record(entry, { type: 'gate-started', stepId: step.id });
    const signal = AbortSignal.any([entry.gates.signal, this.shutdown.signal]);
    let attempts = 0;
    try {
      const outcome = await pollGate(
        gate,
        () => {
          attempts += 1;
          return check(gate.params, this.context(entry, step, signal));
        },
        this.clock,
        signal,
        (count, detail) => {
          entry.liveGates.set(step.id, { attempts: count, ...(detail !== undefined ? { detail } : {}) });
          void this.emitStep(entry, step.id);
        },
      );
      entry.liveGates.delete(step.id);
      if (outcome.passed) {
        await this.record(entry, {
          type: 'gate-passed',
          stepId: step.id,
          attempts: outcome.attempts,
          ...(outcome.detail !== undefined ? { detail: outcome.detail } : {}),
        });
        return 'ok';
      }
      await this.record(entry, {
        type: 'gate-failed',
        stepId: step.id,
        attempts: outcome.attempts,
        message: outcome.detail ?? 'did not pass',
      });
      return 'gate-failed';
    } catch (error) {
      entry.liveGates.delete(step.id);
      if (this.closed) throw new EngineClosed();
      if (isAppError(error) && error.code === 'CANCELLED') {
        await this.record(entry, { type: 'gate-cancelled', stepId: step.id, attempts });
        return 'cancelled';
      }
      throw error;
    }
  }

  /** Runs every pending undo, newest change first; stops at the first that fails. */
  private async runUndo(entry: OpEntry, reason: 'admin' | 'policy'): Promise<void> {
    const pending = entry.replay.pendingUndo();
    await this.record(entry, { type: 'undo-started', by: this.options.actor, reason, stepIds: pending.map((p) => p.stepId) });
    for (const { stepId } of pending) {
      const step = entry.replay.plannedStep(stepId);
      if (!step?.undo) continue;
      entry.inProgress.add(stepId);
      await this.record(entry, { type: 'undo-step-started', stepId });
      const output = this.outputOf(entry, stepId, 'undo');
      try {
        await this.executorFor(step.undo.kind)(step.undo.params, this.context(entry, step, this.shutdown.signal, output));
      } catch (error) {
        await output.close();
        if (this.closed) throw new EngineClosed();
        await this.record(entry, { type: 'undo-step-failed', stepId, ...failureOf(error) });
        return;
      } finally {
        entry.inProgress.delete(stepId);
      }
      await output.close();
      await this.record(entry, { type: 'undo-step-succeeded', stepId });
    }
    await this.finish(entry, 'reverted', { by: this.options.actor });
  }

  private async completeAbort(entry: OpEntry): Promise<void> {
    const pendingUndo = entry.replay.pendingUndo().map((p) => p.stepId);
    await this.record(entry, { type: 'aborted', by: this.options.actor, pendingUndo });
    if (pendingUndo.length === 0) await this.finish(entry, 'aborted', { by: this.options.actor });
  }

  private async finish(
    entry: OpEntry,
    outcome: Outcome,
    extra: { by?: string; reason?: string; leftAsIs?: string[] },
  ): Promise<void> {
    await this.record(entry, { type: 'finished', outcome, ...extra });
    this.options.log.info('ops', 'operation finished', { opId: entry.opId, outcome });
    await this.releaseLocks(entry);
  }

  // ---------------------------------------------------------------- locks

  private holderOf(entry: OpEntry): LockHolder {
    const { plan } = entry.replay.created;
    return {
      opId: entry.opId,
      kind: plan.kind,
      title: plan.title,
      cluster: plan.cluster,
      actor: this.options.actor,
      host: this.hostname,
      pid: this.pid,
      since: this.isoNow(),
    };
  }

  private async locksFor(cluster: string): Promise<ClusterLock[]> {
    return [this.fileLocks.lock(cluster), ...((await this.options.extraLocks?.(cluster)) ?? [])];
  }

  /** Takes every lock of the operation's cluster (or takes its own over after a crash), and keeps renewing them. */
  private async acquireLocks(entry: OpEntry): Promise<void> {
    const holder = this.holderOf(entry);
    const locks = await this.locksFor(holder.cluster);
    const taken: ClusterLock[] = [];
    try {
      for (const lock of locks) {
        await lock.acquire(holder);
        taken.push(lock);
      }
    } catch (error) {
      for (const lock of taken.reverse()) await lock.release(holder).catch(() => undefined);
      throw error;
    }
    const stops = locks
      .filter((lock) => lock.renewEveryMs !== undefined)
      .map((lock) => {
        let renewing = false;
        return this.clock.every(lock.renewEveryMs!, () => {
          if (renewing) return;
          renewing = true;
          lock
            .renew(holder)
            .catch((error: unknown) => this.lockTrouble(entry, lock, error))
            .finally(() => (renewing = false));
        });
      });
    entry.held = { holder, locks, stopRenewing: () => stops.forEach((stop) => stop()) };
  }

  /**
   * A renewal that finds someone else holding the lock pauses the operation after the
   * current step: another console may act on the cluster. A renewal that cannot reach the
   * database only warns: restarting that very MongoDB is a normal step of a plan.
   */
  private lockTrouble(entry: OpEntry, lock: ClusterLock, error: unknown): void {
    const message = error instanceof Error ? error.message : String(error);
    if (isAppError(error) && error.code === 'CONFLICT') {
      this.options.log.warn('ops', 'operation lost its lock; pausing', { opId: entry.opId, where: lock.where, message });
      if (this.isDriving(entry) && !entry.pauseRequested && entry.replay.currentMode === 'forward') {
        entry.pauseRequested = true;
        void this.record(entry, { type: 'pause-requested', by: 'switchboard', reason: `lock lost: ${message}` }).catch(() => undefined);
      }
      return;
    }
    this.options.log.warn('ops', 'could not renew a lock', { opId: entry.opId, where: lock.where, message });
  }

  private async ensureLocks(entry: OpEntry): Promise<void> {
    if (entry.held) return;
    try {
      await this.acquireLocks(entry);
    } catch (error) {
      throw await this.explainConflict(error);
    }
  }

  private async releaseLocks(entry: OpEntry): Promise<void> {
    const held = entry.held;
    entry.held = undefined;
    held?.stopRenewing();
    const holder = held?.holder ?? this.holderOf(entry);
    const locks = held?.locks ?? (await this.locksFor(holder.cluster).catch(() => [this.fileLocks.lock(holder.cluster)]));
    for (const lock of locks) {
      await lock.release(holder).catch((error: unknown) => {
        this.options.log.warn('ops', 'could not release a lock; it expires by itself', { opId: entry.opId, where: lock.where, error });
      });
    }
  }

  /** Adds what this console knows about the holding operation (e.g. "interrupted: resume, undo or close it first"). */
  private async explainConflict(error: unknown): Promise<unknown> {
    if (!isAppError(error) || error.code !== 'CONFLICT') return error;
    const holder = error.details?.holder as LockHolder | undefined;
    const where = error.details?.where as string | undefined;
    const known = holder ? this.ops.get(holder.opId) : undefined;
    if (!holder || !where || !known) return error;
    const status = (await this.summaryOf(known)).status;
    const note = status === 'running' ? 'running now' : `${status}: resume, undo or close it first`;
    return lockConflict(holder, where, note);
  }

  // ---------------------------------------------------------------- state and events

  private newEntry(replay: OperationReplay): OpEntry {
    return {
      opId: replay.opId,
      replay,
      seq: replay.lastSeq + 1,
      pauseRequested: false,
      abortRequested: false,
      gates: new AbortController(),
      decisions: new Map(),
      inProgress: new Set(),
      skipping: new Set(),
      liveGates: new Map(),
    };
  }

  private isDriving(entry: OpEntry): boolean {
    return entry.driving !== undefined;
  }

  private async viewOptions(entry: OpEntry): Promise<ReplayViewOptions> {
    if (this.isDriving(entry)) return { active: true };
    if (entry.replay.isFinished || entry.held) return { active: false };
    const lock = await this.fileLocks.read(entry.replay.created.plan.cluster).catch(() => undefined);
    if (lock?.opId === entry.opId && this.fileLocks.heldElsewhere(lock)) {
      return { active: false, elsewhere: { host: lock.host, pid: lock.pid } };
    }
    return { active: false };
  }

  private async summaryOf(entry: OpEntry): Promise<OpSummary> {
    return entry.replay.summary(await this.viewOptions(entry));
  }

  private async stateOf(entry: OpEntry): Promise<OpState> {
    const state = entry.replay.state(await this.viewOptions(entry));
    return { ...state, steps: state.steps.map((step) => this.withLiveGate(entry, step)) };
  }

  private withLiveGate(entry: OpEntry, step: StepState): StepState {
    const live = entry.liveGates.get(step.id);
    if (!live || !step.gate) return step;
    return { ...step, gate: { ...step.gate, attempts: live.attempts, ...(live.detail !== undefined ? { detail: live.detail } : {}) } };
  }

  /** Operation still open and not driven here: refuses if another process runs it; returns its status. */
  private async requireStopped(entry: OpEntry): Promise<OpSummary['status']> {
    if (entry.replay.isFinished) throw new AppError('CONFLICT', 'The operation has finished.');
    if (this.isDriving(entry)) throw new AppError('CONFLICT', 'The operation is running; pause or abort it first.');
    const summary = await this.summaryOf(entry);
    if (summary.elsewhere) {
      throw new AppError(
        'CONFLICT',
        `The operation is running in process ${summary.elsewhere.pid} on ${summary.elsewhere.host}.`,
        { elsewhere: summary.elsewhere },
      );
    }
    return summary.status;
  }

  private requireDriving(entry: OpEntry, what: string): void {
    if (!this.isDriving(entry)) {
      throw new AppError('CONFLICT', `Only a running operation can be ${what}.`);
    }
  }

  private async record(entry: OpEntry, input: RecordInput): Promise<JournalRecord> {
    if (this.closed) throw new EngineClosed();
    const record = { ...input, seq: entry.seq, time: this.isoNow() } as JournalRecord;
    entry.seq += 1;
    await this.journal.append(entry.opId, record);
    entry.replay.apply(record);
    await this.options.onRecord?.(entry.opId, record);
    if (record.type !== 'step-output') {
      if ('stepId' in record) await this.emitStep(entry, record.stepId);
      await this.emitOp(entry);
    }
    return record;
  }

  private async emitOp(entry: OpEntry): Promise<void> {
    if (!this.options.emit) return;
    this.options.emit('opChanged', await this.summaryOf(entry));
  }

  private async emitStep(entry: OpEntry, stepId: string): Promise<void> {
    if (!this.options.emit) return;
    const options = await this.viewOptions(entry);
    const step = entry.replay.stepState(stepId, options);
    if (!step) return;
    const { output: _output, omittedChars: _omitted, ...rest } = this.withLiveGate(entry, step);
    this.options.emit('opStepChanged', { opId: entry.opId, step: rest, progress: entry.replay.summary(options).progress });
  }

  private outputOf(entry: OpEntry, stepId: string, phase: 'action' | 'undo'): StepOutput {
    return new StepOutput(
      {
        live: (text, omittedChars) => this.options.emit?.('opOutput', { opId: entry.opId, stepId, phase, text, omittedChars }),
        journal: (text, omittedChars) =>
          this.record(entry, {
            type: 'step-output',
            stepId,
            phase,
            text,
            ...(omittedChars > 0 ? { omittedChars } : {}),
          }).then(() => undefined),
      },
      this.clock,
      this.limits,
    );
  }

  private context(entry: OpEntry, step: Step, signal: AbortSignal, output?: StepOutput): StepContext {
    return {
      opId: entry.opId,
      cluster: entry.replay.created.plan.cluster,
      stepId: step.id,
      host: step.host,
      signal,
      output: (chunk) => output?.push(chunk),
    };
  }

  // ---------------------------------------------------------------- loading

  private async entry(opId: string): Promise<OpEntry> {
    this.ensureOpen();
    const known = this.ops.get(opId);
    if (known && this.pinned(known)) return known;
    const loaded = await this.load(opId);
    if (loaded) return loaded;
    if (known) return known;
    throw new AppError('NOT_FOUND', `No operation ${opId}.`);
  }

  /**
   * An entry this engine is writing (driving it, holding its locks, or in the middle of an
   * admin's call) is the truth; any other open journal may be appended to by another
   * process (a CLI run), so it is read again each time it is asked for.
   */
  private pinned(entry: OpEntry): boolean {
    return entry.replay.isFinished || this.isDriving(entry) || entry.held !== undefined || this.busy.has(entry.opId);
  }

  private async loadAll(): Promise<void> {
    for (const opId of await this.journal.list()) {
      const known = this.ops.get(opId);
      if (!known || !this.pinned(known)) await this.load(opId);
    }
  }

  private async load(opId: string): Promise<OpEntry | undefined> {
    let replay: OperationReplay;
    try {
      const { records, skippedLines } = await this.journal.read(opId);
      replay = replayJournal(records);
      if (skippedLines > 0) this.options.log.warn('ops', 'journal lines skipped (torn by a crash or damaged)', { opId, skippedLines });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      if (isAppError(error) && error.code === 'INVALID_INPUT') throw error;
      this.options.log.warn('ops', 'journal unreadable; operation not listed', { opId, error });
      return undefined;
    }
    const known = this.ops.get(opId);
    if (known && this.pinned(known)) return known;
    const entry = this.newEntry(replay);
    this.ops.set(opId, entry);
    return entry;
  }

  /** Runs the admin's calls on one operation one at a time, each on the entry as it is when its turn comes. */
  private serially<T>(opId: string, run: (entry: OpEntry) => Promise<T>): Promise<T> {
    const previous = this.serials.get(opId) ?? Promise.resolve();
    const result = previous
      .catch(() => undefined)
      .then(async () => {
        const entry = await this.entry(opId);
        this.busy.add(opId);
        try {
          return await run(entry);
        } finally {
          this.busy.delete(opId);
        }
      });
    this.serials.set(opId, result);
    const forget = (): void => {
      if (this.serials.get(opId) === result) this.serials.delete(opId);
    };
    result.then(forget, forget);
    return result;
  }

  // ---------------------------------------------------------------- small helpers

  private checkKinds(plan: Plan): void {
    const { executors, checks } = planKinds(plan);
    const missing = [
      ...[...executors].filter((kind) => !(kind in this.options.executors)),
      ...[...checks].filter((kind) => !(kind in this.options.checks)),
    ];
    if (missing.length > 0) {
      throw new AppError('INVALID_INPUT', `This console cannot run steps of kind ${missing.join(', ')}.`, { kinds: missing });
    }
  }

  private executorFor(kind: string): Executor {
    const executor = this.options.executors[kind];
    if (!executor) throw new AppError('INTERNAL', `No executor for step kind ${kind}`);
    return executor;
  }

  private checkFor(kind: string): Check {
    const check = this.options.checks[kind];
    if (!check) throw new AppError('INTERNAL', `No check of kind ${kind}`);
    return check;
  }

  private ensureOpen(): void {
    if (this.closed) throw new AppError('UNAVAILABLE', 'The operation engine has shut down.');
  }

  private isoNow(): string {
    return new Date(this.clock.now()).toISOString();
  }

  /** `op-20260301-100000-a1b2c3`: sorts by start time and reads well in the CLI. */
  private newOpId(): string {
    const stamp = this.isoNow().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
    return `op-${stamp}-${randomBytes(3).toString('hex')}`;
  }
}

function parseOrThrow<T>(schema: z.ZodType<T>, input: unknown, what: string): T {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  throw new AppError('INVALID_INPUT', `Invalid ${what}`, {
    issues: parsed.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message })),
  });
}

function failureOf(error: unknown, prefix?: string): { code: string; message: string } {
  const code = isAppError(error) ? error.code : 'INTERNAL';
  const message = error instanceof Error ? error.message : String(error);
  return { code, message: prefix ? `${prefix}: ${message}` : message };
}

function sortNewestFirst(summaries: OpSummary[]): OpSummary[] {
  return summaries.sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.id.localeCompare(a.id));
}
