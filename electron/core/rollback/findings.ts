import type { Cluster } from '../../../shared/inventory/schema';
import type { OpState, OpSummary } from '../../../shared/ops/state';
import { revertedRollbacks, rollbackRevertedFindings } from '../../../shared/rollback/findings';
import { ROLLBACK_PLAN_KIND } from '../../../shared/rollback/planner';
import type { Finding } from '../../../shared/stacks/findings';
import type { ClusterSnapshot } from '../../../shared/stacks/profile';

/** What the source reads of the operation engine. */
export interface RollbackJournals {
  list(filter: { cluster?: string }): Promise<OpSummary[]>;
  get(opId: string): Promise<OpState>;
}

/**
 * The inspect view's source of `voms.rollback-reverted`: the cluster's finished rollbacks from
 * the journals (newest first, as `list` orders them), judged against this round's snapshot by
 * `shared/rollback/findings.ts`.
 */
export function rollbackFindingSource(journals: RollbackJournals): (cluster: Cluster, snapshot: ClusterSnapshot) => Promise<Finding[]> {
  return async (cluster, snapshot) => {
    // Open ones too: a finished host (its `done` step) of an operation still open counts as rolled back.
    const rollbacks = (await journals.list({ cluster: cluster.name })).filter((op) => op.kind === ROLLBACK_PLAN_KIND);
    const states = await Promise.all(rollbacks.map((op) => journals.get(op.id)));
    return rollbackRevertedFindings(snapshot, revertedRollbacks(states));
  };
}
