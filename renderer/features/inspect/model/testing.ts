import type { ClusterState, HostState } from '../../../../shared/contract/inspect';
import type { Finding } from '../../../../shared/stacks/findings';
import type { InspectUpdate } from './inspection';

/** Test data: a reachable host with its load, memory and uptime. */
export function hostState(name: string, patch: Partial<HostState> = {}): HostState {
  return {
    name,
    address: `${name}.lan`,
    roles: ['generic'],
    reach: { ok: true },
    probedAt: '2025-01-01T00:00:00.000Z',
    status: 'ok',
    load1: 0.5,
    memUsedPercent: 40,
    uptimeSeconds: 3600,
    ...patch,
  };
}

export function finding(ruleId: string, severity: Finding['severity'], hosts: string[], params: Finding['params'] = {}): Finding {
  return { key: `${ruleId}:c:${hosts.join(',')}`, ruleId, severity, cluster: 'c', hosts, params, evidence: `${ruleId} evidence`, fix: 'node-view' };
}

export function clusterState(round: number, hosts: HostState[], findings: Finding[] = [], cluster = 'c'): ClusterState {
  return { cluster, round, startedAt: new Date(Date.UTC(2025, 0, 1, 0, 0, round)).toISOString(), durationMs: 800, findings, hosts };
}

export function update(round: number, changedHosts: HostState[], hostNames: string[], findings: Finding[] = [], cluster = 'c'): InspectUpdate {
  return { ...clusterState(round, [], findings, cluster), changedHosts, hostNames };
}
