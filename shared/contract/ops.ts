import { z } from 'zod';
import { defineCall, defineEvent } from './define';
import { stepIdSchema } from '../ops/plan';
import { decisionSchema, opIdSchema } from '../ops/records';
import { opStateSchema, opSummarySchema, pendingUndoSchema, stepStateSchema } from '../ops/state';

/**
 * The operation engine's calls and events, shared by every feature that runs on it
 * (staged restart, license import, OTA rollback). Starting an operation is a call of
 * its feature (it builds the plan); everything after the start is here.
 */

const opRef = z.object({ opId: opIdSchema }).strict();
const reasonSchema = z.string().trim().min(3).max(500);

export const abortResultSchema = z.object({
  op: opSummarySchema,
  /** Changes of the operation still in place, newest first: what `undo` would put back. */
  pendingUndo: z.array(pendingUndoSchema),
});
export type AbortResult = z.infer<typeof abortResultSchema>;

export const opStepEventSchema = z.object({
  opId: opIdSchema,
  /** The step as `ops.get` shows it, without its output (that streams in `opOutput`). */
  step: stepStateSchema.omit({ output: true, omittedChars: true }),
  progress: z.object({ done: z.number().int(), total: z.number().int() }),
});
export type OpStepEvent = z.infer<typeof opStepEventSchema>;

export const opOutputEventSchema = z.object({
  opId: opIdSchema,
  stepId: stepIdSchema,
  phase: z.enum(['action', 'undo']),
  /** New output since the previous event of this step (batched, at most a few per second). */
  text: z.string(),
  /** Characters dropped before `text` because output came faster than the view is sent it. */
  omittedChars: z.number().int().nonnegative(),
});
export type OpOutputEvent = z.infer<typeof opOutputEventSchema>;

export const opsCalls = {
  list: defineCall(
    'Operations recorded in this data directory, newest first',
    z.object({ cluster: z.string().optional(), limit: z.number().int().min(1).max(1000).default(200) }).strict(),
    z.array(opSummarySchema),
  ),
  get: defineCall('One operation: its plan, every step’s state, pending undos and what resume would do', opRef, opStateSchema),
  pause: defineCall('Pause after the steps now running have finished', opRef, opSummarySchema),
  resume: defineCall(
    'Continue a paused or interrupted operation at the exact step where it stopped. Steps cut short mid-action that nothing can check need a decision',
    z.object({ opId: opIdSchema, decisions: z.array(decisionSchema).max(100).optional() }).strict(),
    opSummarySchema,
  ),
  abort: defineCall(
    'Stop before the next step (gates stop polling; a running command finishes). Answers once stopped, with the changes still in place',
    opRef,
    abortResultSchema,
  ),
  undo: defineCall('Put back every change still in place, newest first, then finish as reverted', opRef, opSummarySchema),
  retry: defineCall('Run the failed step again (its gate only, if its action had succeeded) and go on', opRef, opSummarySchema),
  skip: defineCall(
    'Skip a step that has not run, or that failed or was cut short, recording why',
    z.object({ opId: opIdSchema, stepId: stepIdSchema, reason: reasonSchema }).strict(),
    opSummarySchema,
  ),
  close: defineCall(
    'End a stopped operation as it stands; changes still in place are recorded as left on purpose, with the reason',
    z.object({ opId: opIdSchema, reason: reasonSchema }).strict(),
    opSummarySchema,
  ),
};

export const opsEvents = {
  opChanged: defineEvent('An operation’s status, progress or current step changed', opSummarySchema),
  opStepChanged: defineEvent('A step started, passed its gate, failed, was skipped or undone; gate polls report progress', opStepEventSchema),
  opOutput: defineEvent('Live output of a running step or undo, batched', opOutputEventSchema),
};
