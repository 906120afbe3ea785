import { AppError } from '../../../shared/contract/errors';
import type { RestartPlanResult, RestartPolicy } from '../../../shared/contract/restart';
import type { Cluster } from '../../../shared/inventory/schema';
import { planSteps } from '../../../shared/ops/plan';
import { liveStateOf } from '../../../shared/restart/live-state';
import { planRestart } from '../../../shared/restart/planner';
import type { ClusterSnapshot } from '../../../shared/stacks/profile';
import type { AuditLog } from '../audit/audit-log';
import type { OperationEngine } from '../ops/engine';

export interface RestartServiceDeps {
  clusters(): Promise<Cluster[]>;
  /** A fresh inspection round of the cluster (live state). */
  snapshot(cluster: Cluster): Promise<ClusterSnapshot>;
  engine: OperationEngine;
  audit?: AuditLog;
}

/**
 * Staged restarts: plans from the live state (`shared/restart/planner.ts`) and runs them on
 * the operation engine. A plan is always built again right before it starts, so it acts on
 * the cluster as it is then, not as it was when the admin read the preview.
 */
export class RestartService {
  constructor(private readonly deps: RestartServiceDeps) {}

  async plan(clusterName: string, policy: RestartPolicy): Promise<RestartPlanResult> {
    const cluster = await this.cluster(clusterName);
    const snapshot = await this.deps.snapshot(cluster);
    const planned = planRestart({ cluster, facts: liveStateOf(snapshot), policy });
    const refusals = [...planned.refusals, ...(await this.lockRefusals(cluster.name))];
    if (!planned.plan) throw new AppError('INVALID_INPUT', refusals.join(' ') || 'Nothing to restart.', { refusals, warnings: planned.warnings });
    return { plan: planned.plan, refusals, warnings: planned.warnings };
  }

  async start(clusterName: string, policy: RestartPolicy, confirmName?: string): Promise<{ opId: string }> {
    const cluster = await this.cluster(clusterName);
    if (cluster.environment === 'production' && confirmName !== cluster.name) {
      throw new AppError('INVALID_INPUT', `Cluster ${cluster.name} is production: type its name to confirm the restart.`);
    }
    const { plan, refusals, warnings } = await this.plan(clusterName, policy);
    if (refusals.length > 0) throw new AppError('CONFLICT', `The restart cannot start: ${refusals.join(' ')}`, { refusals });
    const opId = await this.deps.engine.start(plan, { onGateFailure: policy.onGateFailure });
    const hosts = [...new Set(planSteps(plan).flatMap((p) => (p.step.host ? [p.step.host] : [])))];
    await this.deps.audit?.append({
      action: 'restart.run',
      cluster: cluster.name,
      hosts,
      outcome: 'started',
      summary: `Started ${plan.title}`,
      details: { opId, policy, warnings },
    });
    return { opId };
  }

  private async cluster(name: string): Promise<Cluster> {
    const cluster = (await this.deps.clusters()).find((c) => c.name === name);
    if (!cluster) throw new AppError('NOT_FOUND', `No cluster named "${name}"`);
    return cluster;
  }

  /** An unfinished operation on the cluster holds its lock until it is resumed, undone or closed. */
  private async lockRefusals(cluster: string): Promise<string[]> {
    const open = (await this.deps.engine.recover()).filter((op) => op.cluster === cluster);
    return open.map((op) => `Operation "${op.title}" (${op.id}) is ${op.status} on ${cluster} and holds its lock: resume, undo or close it first.`);
  }
}
