import type { AuditEntry } from '../../../shared/contract/audit';
import type { Outcome } from '../../../shared/ops/records';
import type { OpState } from '../../../shared/ops/state';
import type { OutcomeAuditor } from '../ops/outcome-audit';

/**
 * The audit entry of a rollback's end. Registered for the `ota-rollback` plan kind with the
 * engine's `outcomeAudit` hook, which calls it once the operation's `finished` record is in the
 * journal: that record is written exactly once, by whichever process drives the operation to its
 * end (the app that started it, the CLI, or the app that resumed it after a restart).
 */

const auditOutcome: Record<Outcome, AuditEntry['outcome']> = { succeeded: 'ok', reverted: 'reverted', aborted: 'aborted', failed: 'failed' };

/** Both builds' checksums (the plan's details), every step's result with the health answers, and who ended it. */
export const rollbackOutcomeAuditor: OutcomeAuditor = (state: OpState) => {
  const finished = state.finished;
  if (finished === undefined) return undefined;
  const hosts = [...new Set(state.steps.map((step) => step.host).filter((host): host is string => host !== undefined))];
  return {
    action: 'rollback.run',
    cluster: state.cluster,
    hosts,
    outcome: auditOutcome[finished.outcome],
    summary: `OTA rollback of ${hosts.join(', ')}: ${finished.outcome}`,
    details: {
      opId: state.id,
      ...state.plan.details,
      steps: state.steps.map((s) => ({ id: s.id, status: s.status, ...(s.gate?.detail ? { gate: s.gate.detail } : {}), ...(s.error ? { error: s.error.message } : {}) })),
      ...(finished.by !== undefined ? { by: finished.by } : {}),
      ...(finished.reason !== undefined ? { reason: finished.reason } : {}),
      ...(finished.leftAsIs !== undefined ? { leftAsIs: finished.leftAsIs } : {}),
    },
  };
};
