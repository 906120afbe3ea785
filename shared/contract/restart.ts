import { z } from 'zod';
import { planSchema } from '../ops/plan';
import { opIdSchema } from '../ops/records';
import { defineCall } from './define';

/** What the admin chooses for a staged restart (issue: staged restarts). */
export const restartPolicySchema = z
  .object({
    /** Only hosts with these roles (default: every role the cluster's stacks restart). */
    roles: z.array(z.string().min(1)).max(50).optional(),
    /** Only these hosts (by inventory name). */
    nodes: z.array(z.string().min(1)).max(5000).optional(),
    /** App nodes down at once (Raft members are further limited to floor((n-1)/2)). */
    maxUnavailable: z.number().int().min(1).max(100).default(1),
    /** Host names in the order the admin wants within their stage (rules still apply). */
    order: z.array(z.string().min(1)).max(5000).optional(),
    /** How long each health gate may take. */
    gateTimeoutSeconds: z.number().int().min(5).max(3600).default(300),
    onGateFailure: z.enum(['stop', 'undo-and-stop']).default('stop'),
  })
  .strict();
export type RestartPolicy = z.infer<typeof restartPolicySchema>;

export const restartPlanResultSchema = z.object({
  plan: planSchema,
  /** Why the plan cannot start now (cluster degraded beyond what it tolerates, lock held…). */
  refusals: z.array(z.string()),
  warnings: z.array(z.string()),
});
export type RestartPlanResult = z.infer<typeof restartPlanResultSchema>;

export const restartCalls = {
  plan: defineCall(
    'Build the staged-restart plan of a cluster from its topology, profiles and live state (nothing runs)',
    z.object({ cluster: z.string().min(1), policy: restartPolicySchema.default({ maxUnavailable: 1, gateTimeoutSeconds: 300, onGateFailure: 'stop' }) }).strict(),
    restartPlanResultSchema,
  ),
  start: defineCall(
    'Start the staged restart (a production cluster needs its name typed as confirmName)',
    z
      .object({
        cluster: z.string().min(1),
        policy: restartPolicySchema.default({ maxUnavailable: 1, gateTimeoutSeconds: 300, onGateFailure: 'stop' }),
        confirmName: z.string().optional(),
      })
      .strict(),
    z.object({ opId: opIdSchema }),
  ),
};
