import type { Cluster } from '../../../shared/inventory/schema';
import type { OpState, OpSummary } from '../../../shared/ops/state';
import { revertedRollbacks, rollbackRevertedFindings, type RevertedRollback } from '../../../shared/rollback/findings';
import { ROLLBACK_PLAN_KIND } from '../../../shared/rollback/planner';
import type { Finding } from '../../../shared/stacks/findings';
import type { ClusterSnapshot } from '../../../shared/stacks/profile';
import { otaTargetOf } from '../../../shared/stacks/profiles/voms';

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
    // Every round of every cluster asks: only clusters with OTA-managed hosts read the journals.
    if (!cluster.hosts.some((host) => otaTargetOf(host) !== undefined)) return [];
    return rollbackRevertedFindings(snapshot, await revertedRollbacksOf(journals, cluster.name));
  };
}

/** Per host of the cluster, the rollback undone by its gate that still speaks for it (`shared/rollback/findings.ts`). */
export async function revertedRollbacksOf(journals: RollbackJournals, cluster: string): Promise<Map<string, RevertedRollback>> {
  // Open ones too: a finished host (its `done` step) of an operation still open counts as rolled back.
  const rollbacks = (await journals.list({ cluster })).filter((op) => op.kind === ROLLBACK_PLAN_KIND);
  return revertedRollbacks(await Promise.all(rollbacks.map((op) => journals.get(op.id))));
}
