import { z } from 'zod';
import { defineCall, defineEvent } from './define';

export const auditEntrySchema = z.object({
  id: z.string(),
  time: z.string(),
  /** The OS account that ran Switchboard. */
  actor: z.string(),
  /** What was done, e.g. `license.apply`, `restart.run`, `rollback.run`, `hostKey.approve`. */
  action: z.string(),
  cluster: z.string().optional(),
  hosts: z.array(z.string()).optional(),
  outcome: z.enum(['ok', 'failed', 'aborted', 'reverted', 'started']),
  /** One line a human reads in the Activity list. */
  summary: z.string(),
  /** Evidence: checksums, fingerprints, per-node results. Never secrets. */
  details: z.record(z.string(), z.unknown()).optional(),
});
export type AuditEntry = z.infer<typeof auditEntrySchema>;

export const auditCalls = {
  list: defineCall(
    'Most recent audit entries first',
    z.object({ limit: z.number().int().min(1).max(5000).default(500), cluster: z.string().optional() }).strict(),
    z.array(auditEntrySchema),
  ),
};

export const auditEvents = {
  auditAppended: defineEvent('An action was recorded in the audit log', auditEntrySchema),
};
