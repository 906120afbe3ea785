import { z } from 'zod';

/**
 * An operation plan is plain JSON: it is shown in the preview, stored whole in the
 * journal's first record, and replayed after a crash by an engine that may be a newer
 * build. Behaviour lives in executors and checks registered in the engine by `kind`
 * (e.g. `ssh.exec`, `haproxy.setState`, `http.check`), so each feature adds kinds
 * instead of code paths in the engine.
 */

const jsonParams = z.record(z.string(), z.unknown());

/** Something to do (an executor) or to ask (a check), interpreted by the engine's registry. */
export const stepActionSchema = z.object({
  kind: z.string().min(1),
  params: jsonParams,
});
export type StepAction = z.infer<typeof stepActionSchema>;

/**
 * A health gate: a check polled until it passes or `timeoutMs` runs out. With `backoff`,
 * each wait is `factor` times the previous one, capped at `maxIntervalMs`.
 */
export const gateSchema = stepActionSchema.extend({
  timeoutMs: z.number().int().positive(),
  intervalMs: z.number().int().positive(),
  backoff: z
    .object({ factor: z.number().min(1), maxIntervalMs: z.number().int().positive() })
    .optional(),
});
export type Gate = z.infer<typeof gateSchema>;

export const stepIdSchema = z.string().min(1).max(120);

export const stepSchema = z.object({
  id: stepIdSchema,
  /** The host the step acts on; steps of one host make that node's progress bar. */
  host: z.string().optional(),
  title: z.string().min(1),
  /** The exact effect, shown before the step runs (e.g. "HAProxy stops sending new sessions to rc2"). */
  description: z.string(),
  action: stepActionSchema,
  /** Polled after the action succeeded; the step is done only once its gate passed. */
  gate: gateSchema.optional(),
  /**
   * Puts back what the action changed (a drain's undo is `ready`). Undo actions must be
   * idempotent: they restore a state rather than apply a change, because an undo cut
   * short by a crash is simply run again.
   */
  undo: stepActionSchema.optional(),
  /** One line for the undo, shown when it is pending ("Set rc2 ready in HAProxy"). */
  undoTitle: z.string().optional(),
  /**
   * Asked before the action runs: a check that passes means "already done" and the action
   * is not run (a node already drained is not drained twice). It also settles a step that a
   * crash interrupted mid-action: see `replay.ts` for the rule.
   */
  guard: stepActionSchema.optional(),
  /** The author declares the action safe to run twice; used when a crash leaves it in doubt and there is no guard. */
  idempotent: z.boolean().optional(),
  /**
   * Earlier steps whose change this step puts back once it succeeds ("ready rc2" restores
   * "drain rc2"), so their undo is no longer pending.
   */
  restores: z.array(stepIdSchema).optional(),
  expectedMs: z.number().int().nonnegative().optional(),
  /** What keeps serving while this step runs, for the preview ("3 of 4 Rocket.Chat nodes serving"). */
  serving: z.string().optional(),
});
export type Step = z.infer<typeof stepSchema>;

export const batchSchema = z.object({
  id: z.string().min(1).max(120),
  title: z.string(),
  steps: z.array(stepSchema).min(1),
  /** How many steps of this batch may run at once; 1 (sequential) unless the plan says more. */
  maxParallel: z.number().int().min(1).optional(),
});
export type Batch = z.infer<typeof batchSchema>;

export const planSchema = z
  .object({
    kind: z.string().min(1),
    cluster: z.string().min(1),
    title: z.string().min(1),
    batches: z.array(batchSchema).min(1),
    /** Feature-specific facts worth keeping with the journal (license fingerprint, builds' checksums). Never secrets. */
    details: jsonParams.optional(),
  })
  .superRefine((plan, ctx) => {
    for (const problem of planProblems(plan)) ctx.addIssue({ code: 'custom', message: problem });
  });
export type Plan = z.infer<typeof planSchema>;

export const policySchema = z.object({
  /** `undo-and-stop` runs every pending undo (newest first) when a gate fails, then stops. */
  onGateFailure: z.enum(['stop', 'undo-and-stop']).default('stop'),
  /** Caps every batch's own `maxParallel`. */
  maxParallel: z.number().int().min(1).optional(),
});
export type Policy = z.infer<typeof policySchema>;
export type PolicyInput = z.input<typeof policySchema>;

export interface PlannedStep {
  step: Step;
  batch: Batch;
  /** Position in the whole plan, 0-based. */
  index: number;
}

/** Every step in plan order, with its batch. */
export function planSteps(plan: Pick<Plan, 'batches'>): PlannedStep[] {
  const out: PlannedStep[] = [];
  for (const batch of plan.batches) for (const step of batch.steps) out.push({ step, batch, index: out.length });
  return out;
}

/** Every action, gate, guard and undo kind a plan needs, so an engine can refuse a plan it cannot finish. */
export function planKinds(plan: Pick<Plan, 'batches'>): { executors: Set<string>; checks: Set<string> } {
  const executors = new Set<string>();
  const checks = new Set<string>();
  for (const { step } of planSteps(plan)) {
    executors.add(step.action.kind);
    if (step.undo) executors.add(step.undo.kind);
    if (step.gate) checks.add(step.gate.kind);
    if (step.guard) checks.add(step.guard.kind);
  }
  return { executors, checks };
}

/** Structural problems zod cannot see: duplicate ids and `restores` that point nowhere useful. */
function planProblems(plan: Pick<Plan, 'batches'>): string[] {
  const problems: string[] = [];
  const batchIds = new Set<string>();
  const seen = new Set<string>();
  for (const batch of plan.batches) {
    if (batchIds.has(batch.id)) problems.push(`batch id "${batch.id}" is used twice`);
    batchIds.add(batch.id);
    for (const step of batch.steps) {
      if (seen.has(step.id)) problems.push(`step id "${step.id}" is used twice`);
      for (const restored of step.restores ?? []) {
        if (!seen.has(restored)) problems.push(`step "${step.id}" restores "${restored}", which is not an earlier step`);
      }
      seen.add(step.id);
    }
  }
  return problems;
}
