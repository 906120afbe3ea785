import { z } from 'zod';
import { planSchema, policySchema, stepIdSchema } from './plan';

/**
 * The journal of one operation: one JSON record per line, appended and fsynced before the
 * engine goes on. Everything the operation's state shows is replayed from these records
 * (`replay.ts`), so what a restarted console shows is exactly what was written down.
 */

/** Operation ids end up in file names: keep them to a safe alphabet. */
export const opIdSchema = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,79}$/, 'not an operation id');

export const outcomeSchema = z.enum(['succeeded', 'failed', 'aborted', 'reverted']);
export type Outcome = z.infer<typeof outcomeSchema>;

export const inDoubtChoiceSchema = z.enum(['rerun', 'mark-done']);
export type InDoubtChoice = z.infer<typeof inDoubtChoiceSchema>;

export const decisionSchema = z.object({ stepId: stepIdSchema, choice: inDoubtChoiceSchema });
export type Decision = z.infer<typeof decisionSchema>;

const base = {
  seq: z.number().int().nonnegative(),
  time: z.string(),
};
const stepRef = { ...base, stepId: stepIdSchema };
const failure = { code: z.string(), message: z.string() };

export const journalRecordSchema = z.discriminatedUnion('type', [
  z.object({
    ...base,
    type: z.literal('created'),
    opId: opIdSchema,
    plan: planSchema,
    policy: policySchema,
    actor: z.string(),
    host: z.string(),
  }),
  // The action is about to run: written (and fsynced) before the executor is called.
  z.object({ ...stepRef, type: z.literal('step-started'), attempt: z.number().int().min(1) }),
  z.object({
    ...stepRef,
    type: z.literal('step-output'),
    phase: z.enum(['action', 'undo']),
    text: z.string(),
    /** Characters of output dropped before this text because the step's journal budget was spent. */
    omittedChars: z.number().int().nonnegative().optional(),
  }),
  z.object({ ...stepRef, type: z.literal('step-succeeded'), markedDoneBy: z.string().optional() }),
  /** The guard said the action's effect is already there; the action was not run. */
  z.object({ ...stepRef, type: z.literal('step-already-done'), detail: z.string().optional() }),
  z.object({ ...stepRef, type: z.literal('step-failed'), ...failure }),
  z.object({ ...stepRef, type: z.literal('gate-started') }),
  z.object({ ...stepRef, type: z.literal('gate-passed'), attempts: z.number().int(), detail: z.string().optional() }),
  z.object({ ...stepRef, type: z.literal('gate-failed'), attempts: z.number().int(), message: z.string() }),
  /** An abort stopped the polling: the gate was neither passed nor failed. */
  z.object({ ...stepRef, type: z.literal('gate-cancelled'), attempts: z.number().int() }),
  z.object({ ...stepRef, type: z.literal('step-skipped'), reason: z.string(), by: z.string() }),
  z.object({ ...base, type: z.literal('pause-requested'), by: z.string(), reason: z.string().optional() }),
  z.object({ ...base, type: z.literal('paused'), by: z.string() }),
  z.object({ ...base, type: z.literal('resumed'), by: z.string(), decisions: z.array(decisionSchema).optional() }),
  z.object({ ...base, type: z.literal('retried'), by: z.string(), stepIds: z.array(stepIdSchema) }),
  z.object({ ...base, type: z.literal('abort-requested'), by: z.string() }),
  z.object({ ...base, type: z.literal('aborted'), by: z.string(), pendingUndo: z.array(stepIdSchema) }),
  z.object({
    ...base,
    type: z.literal('undo-started'),
    by: z.string(),
    /** `policy`: a failed gate under `undo-and-stop`; `admin`: the undo button. */
    reason: z.enum(['admin', 'policy']),
    stepIds: z.array(stepIdSchema),
  }),
  z.object({ ...stepRef, type: z.literal('undo-step-started') }),
  z.object({ ...stepRef, type: z.literal('undo-step-succeeded') }),
  z.object({ ...stepRef, type: z.literal('undo-step-failed'), ...failure }),
  z.object({
    ...base,
    type: z.literal('finished'),
    outcome: outcomeSchema,
    by: z.string().optional(),
    /** Why an admin closed the operation as it stood. */
    reason: z.string().optional(),
    /** Steps whose undo was pending when the admin closed the operation: left as they are, on purpose. */
    leftAsIs: z.array(stepIdSchema).optional(),
  }),
]);

export type JournalRecord = z.infer<typeof journalRecordSchema>;
export type RecordType = JournalRecord['type'];
export type CreatedRecord = Extract<JournalRecord, { type: 'created' }>;

/** A record before the engine stamps its sequence number and time. */
export type RecordInput = JournalRecord extends infer R ? (R extends JournalRecord ? Omit<R, 'seq' | 'time'> : never) : never;
