import { z } from 'zod';
import { planSchema, policySchema, stepIdSchema } from './plan';
import { opIdSchema, outcomeSchema } from './records';

/** What an operation's journal says, as the views and the CLI show it (built by `replay.ts`). */

export const opStatusSchema = z.enum(['running', 'paused', 'interrupted', 'failed', 'aborted', 'succeeded', 'reverted']);
export type OpStatus = z.infer<typeof opStatusSchema>;

export const stepStatusSchema = z.enum(['pending', 'running', 'succeeded', 'failed', 'skipped', 'undone']);
export type StepStatus = z.infer<typeof stepStatusSchema>;

/**
 * - `none`: the step has no undo;
 * - `not-needed`: it has one, but nothing of ours is left to put back (not run, or a later step restored it);
 * - `pending`: its change is (or may be) still there;
 * - `running` / `done` / `failed`: the undo itself.
 */
export const undoStatusSchema = z.enum(['none', 'not-needed', 'pending', 'running', 'done', 'failed']);
export type UndoStatus = z.infer<typeof undoStatusSchema>;

export const gateViewSchema = z.object({
  status: z.enum(['pending', 'running', 'passed', 'failed']),
  attempts: z.number().int(),
  timeoutMs: z.number().int(),
  detail: z.string().optional(),
  startedAt: z.string().optional(),
});
export type GateView = z.infer<typeof gateViewSchema>;

export const stepStateSchema = z.object({
  id: stepIdSchema,
  batchId: z.string(),
  index: z.number().int(),
  host: z.string().optional(),
  title: z.string(),
  description: z.string(),
  status: stepStatusSchema,
  /** Where a running (or interrupted) step is: its action, its gate, or its undo. */
  phase: z.enum(['action', 'gate', 'undo']).optional(),
  /** How many times the action was started. */
  attempts: z.number().int(),
  /** The action was started and no result was written: a crash or a kill cut it short. */
  inDoubt: z.boolean(),
  /** The guard found the effect already there, so the action did not run. */
  alreadyDone: z.boolean(),
  markedDoneBy: z.string().optional(),
  gate: gateViewSchema.optional(),
  error: z.object({ code: z.string(), message: z.string() }).optional(),
  skipped: z.object({ reason: z.string(), by: z.string() }).optional(),
  undo: undoStatusSchema,
  undoTitle: z.string().optional(),
  expectedMs: z.number().int().optional(),
  serving: z.string().optional(),
  startedAt: z.string().optional(),
  endedAt: z.string().optional(),
  /** The tail of the journaled output (action and undo), with how many characters before it are not shown. */
  output: z.string(),
  omittedChars: z.number().int(),
});
export type StepState = z.infer<typeof stepStateSchema>;

/** A change of ours that is (or may be) still in place: what "undo" would put back. */
export const pendingUndoSchema = z.object({
  stepId: stepIdSchema,
  host: z.string().optional(),
  title: z.string(),
  undoTitle: z.string().optional(),
  /** `done`: the action succeeded; `maybe`: it failed or was cut short, so part of it may have happened. */
  certainty: z.enum(['done', 'maybe']),
});
export type PendingUndo = z.infer<typeof pendingUndoSchema>;

/**
 * What one step needs when the operation continues:
 * - `run`: run it (its guard first, if it has one);
 * - `check-guard`: it was cut short mid-action; its guard decides whether the action runs again;
 * - `rerun`: it was cut short, has no guard, and is declared idempotent: run it again;
 * - `ask`: it was cut short and nothing can tell whether it took effect: the admin decides
 *   (run it again, mark it done, or skip it);
 * - `check-gate`: the action is done; only its gate is left (gates only read, so they are always re-run).
 */
export const stepNextSchema = z.object({
  stepId: stepIdSchema,
  does: z.enum(['run', 'check-guard', 'rerun', 'ask', 'check-gate']),
});
export type StepNext = z.infer<typeof stepNextSchema>;

export const nextActionSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('none') }),
  /** Continue forward in this batch with these steps, in order. */
  z.object({ kind: z.literal('continue'), batchId: z.string(), steps: z.array(stepNextSchema) }),
  /** Every step is done; only the `finished` record is missing. */
  z.object({ kind: z.literal('finish') }),
  /** An undo was started: `undo` continues it with these steps, newest change first. */
  z.object({ kind: z.literal('undo'), stepIds: z.array(stepIdSchema) }),
]);
export type NextAction = z.infer<typeof nextActionSchema>;

export const opSummarySchema = z.object({
  id: opIdSchema,
  kind: z.string(),
  cluster: z.string(),
  title: z.string(),
  actor: z.string(),
  host: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
  status: opStatusSchema,
  /** Forward through the plan, or putting back what it changed. */
  mode: z.enum(['forward', 'undo']),
  progress: z.object({ done: z.number().int(), total: z.number().int() }),
  /** Steps in flight (running) or where the operation stopped. */
  currentStepIds: z.array(stepIdSchema),
  pendingUndoCount: z.number().int(),
  /** Resume cannot go on without the admin's decision about a step cut short mid-action. */
  needsDecision: z.boolean(),
  pauseRequested: z.boolean(),
  abortRequested: z.boolean(),
  /** Another Switchboard process on this machine is running it right now. */
  elsewhere: z.object({ host: z.string(), pid: z.number().int() }).optional(),
});
export type OpSummary = z.infer<typeof opSummarySchema>;

export const opStateSchema = opSummarySchema.extend({
  plan: planSchema,
  policy: policySchema,
  steps: z.array(stepStateSchema),
  /** Newest change first: the order `undo` runs them in. */
  pendingUndo: z.array(pendingUndoSchema),
  next: nextActionSchema,
  /** The exact place the operation stopped (absent while running or once finished). */
  stoppedAt: z.object({ stepId: stepIdSchema, phase: z.enum(['before', 'action', 'gate', 'undo']) }).optional(),
  finished: z
    .object({
      outcome: outcomeSchema,
      at: z.string(),
      by: z.string().optional(),
      reason: z.string().optional(),
      leftAsIs: z.array(stepIdSchema).optional(),
    })
    .optional(),
});
export type OpState = z.infer<typeof opStateSchema>;
