import type { OpState, OpStatus, OpSummary, StepState } from '../../../../shared/ops/state';

/** Statuses that end an operation's run: worth telling the admin about when one is reached. */
export type Ending = Extract<OpStatus, 'succeeded' | 'failed' | 'aborted' | 'reverted'>;

/**
 * Whether the operation still waits for the admin. `failed` and `aborted` are also the
 * outcomes of a closed operation; an open one always names the step where it stopped
 * (the summary carries no `finished` record, so that is what tells them apart).
 */
export function isOpen(op: Pick<OpSummary, 'status' | 'currentStepIds'>): boolean {
  switch (op.status) {
    case 'running':
    case 'paused':
    case 'interrupted':
      return true;
    case 'failed':
    case 'aborted':
      return op.currentStepIds.length > 0;
    default:
      return false;
  }
}

/** The ending an update reports, if the operation was running before it: a finish or a stop on a failure. */
export function endingOf(previous: OpSummary | undefined, next: OpSummary): Ending | undefined {
  if (previous?.status !== 'running' || next.status === 'running') return undefined;
  return next.status === 'succeeded' || next.status === 'failed' || next.status === 'aborted' || next.status === 'reverted' ? next.status : undefined;
}

/** Newest first, like `ops.list`. */
export function byNewest(a: OpSummary, b: OpSummary): number {
  return b.createdAt.localeCompare(a.createdAt) || b.id.localeCompare(a.id);
}

export type OpCommand = 'pause' | 'resume' | 'abort' | 'retry' | 'skip' | 'undo' | 'close';

/**
 * Which buttons the state allows, mirroring the engine's own checks (`electron/core/ops/engine.ts`)
 * so a button is never offered only to be refused. `skip` applies to `skipTarget`.
 */
export function allowedCommands(op: OpState): Record<OpCommand, boolean> {
  const open = !op.finished && !op.elsewhere;
  const running = op.status === 'running';
  const stopped = open && !running;
  const forward = op.mode === 'forward';
  return {
    pause: open && running && forward && !op.pauseRequested && !op.abortRequested,
    resume: stopped && forward && (op.status === 'paused' || op.status === 'interrupted') && (op.next.kind === 'continue' || op.next.kind === 'finish'),
    abort: open && forward && op.status !== 'aborted' && !op.abortRequested,
    retry: stopped && forward && op.status === 'failed',
    skip: stopped && forward && op.status !== 'aborted' && skipTarget(op) !== undefined,
    // An undo that was started and stopped is continued by the same button.
    undo: stopped && (op.pendingUndo.length > 0 || op.mode === 'undo'),
    close: stopped,
  };
}

/** The step a stopped operation would skip: the one it stopped at, when it has not run to success. */
export function skipTarget(op: OpState): StepState | undefined {
  const id = op.stoppedAt?.stepId ?? op.currentStepIds[0];
  const step = op.steps.find((candidate) => candidate.id === id);
  if (!step || step.status === 'succeeded' || step.status === 'skipped' || step.status === 'undone') return undefined;
  return step;
}

/** Steps cut short mid-action that nothing can check: resume needs the admin's choice for each. */
export function stepsNeedingDecision(op: OpState): StepState[] {
  if (op.next.kind !== 'continue') return [];
  const asked = new Set(op.next.steps.filter((next) => next.does === 'ask').map((next) => next.stepId));
  return op.steps.filter((step) => asked.has(step.id));
}

export interface NodeProgress {
  host: string;
  done: number;
  total: number;
  /** The node's step that is running or where the operation stopped. */
  current: StepState | undefined;
  failed: boolean;
}

const complete = new Set<StepState['status']>(['succeeded', 'skipped', 'undone']);

/** Steps grouped by host, in the order hosts first appear in the plan; steps without a host are left out. */
export function nodeProgress(op: Pick<OpState, 'steps' | 'currentStepIds'>): NodeProgress[] {
  const nodes = new Map<string, NodeProgress>();
  for (const step of op.steps) {
    if (step.host === undefined) continue;
    const node = nodes.get(step.host) ?? { host: step.host, done: 0, total: 0, current: undefined, failed: false };
    node.total += 1;
    if (complete.has(step.status)) node.done += 1;
    if (step.status === 'failed') node.failed = true;
    if (step.status === 'running' || (node.current === undefined && op.currentStepIds.includes(step.id))) node.current = step;
    nodes.set(step.host, node);
  }
  return [...nodes.values()];
}

/** Milliseconds a step took (or has taken so far, given `now`). */
export function stepDurationMs(step: Pick<StepState, 'startedAt' | 'endedAt'>, now: number): number | undefined {
  if (!step.startedAt) return undefined;
  const end = step.endedAt ? Date.parse(step.endedAt) : now;
  const ms = end - Date.parse(step.startedAt);
  return Number.isFinite(ms) && ms >= 0 ? ms : undefined;
}

/** "1 h 2 min", "3 min 4 s", "5 s", "120 ms". */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return seconds % 60 ? `${minutes} min ${seconds % 60} s` : `${minutes} min`;
  return minutes % 60 ? `${Math.floor(minutes / 60)} h ${minutes % 60} min` : `${Math.floor(minutes / 60)} h`;
}
