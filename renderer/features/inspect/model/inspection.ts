import type { z } from 'zod';
import type { ClusterState, HostState, inspectEvents } from '../../../../shared/contract/inspect';
import { bySeverity, type Finding } from '../../../../shared/stacks/findings';

export type InspectUpdate = z.output<typeof inspectEvents.inspectUpdated.payload>;
type Reach = NonNullable<ClusterState['mongo']>;

/**
 * One cluster's latest round as the views draw it. A host keeps its object identity
 * while it does not change, so memoised rows skip re-rendering when 1 of 500 hosts moves.
 */
export interface Inspection {
  cluster: string;
  round: number;
  startedAt: string;
  durationMs: number;
  /** When the round finished (epoch ms): the "last round" of the views. */
  finishedAt: number;
  /** Sorted by severity, P1 first. */
  findings: Finding[];
  /** In the order the round reported them. */
  hosts: HostState[];
  mongo?: Reach;
}

export type MergeResult =
  | { kind: 'merged'; inspection: Inspection }
  /** An older or repeated round: nothing to do. */
  | { kind: 'ignored' }
  /** A round was missed (or the main process restarted): only the full state can say what changed. */
  | { kind: 'resync' };

function build(
  round: Pick<ClusterState, 'cluster' | 'round' | 'startedAt' | 'durationMs' | 'findings' | 'mongo'>,
  hosts: HostState[],
): Inspection {
  const inspection: Inspection = {
    cluster: round.cluster,
    round: round.round,
    startedAt: round.startedAt,
    durationMs: round.durationMs,
    finishedAt: Date.parse(round.startedAt) + round.durationMs,
    findings: [...round.findings].sort(bySeverity),
    hosts,
  };
  if (round.mongo) inspection.mongo = round.mongo;
  return inspection;
}

function sameHost(a: HostState, b: HostState): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function isNewer(startedAt: string, current: Inspection): boolean {
  return Date.parse(startedAt) > Date.parse(current.startedAt);
}

/** Takes a full round (from `inspect.state` or `inspect.refresh`), reusing the hosts that did not change. */
export function adoptState(current: Inspection | undefined, state: ClusterState): Inspection {
  if (current && state.round <= current.round && !isNewer(state.startedAt, current)) return current;
  const previous = new Map(current?.hosts.map((host) => [host.name, host]));
  const hosts = state.hosts.map((host) => {
    const known = previous.get(host.name);
    return known && sameHost(known, host) ? known : host;
  });
  return build(state, hosts);
}

/** Merges a round's event: findings in full, hosts only where they changed. */
export function mergeUpdate(current: Inspection | undefined, update: InspectUpdate): MergeResult {
  if (current && !isNewer(update.startedAt, current) && update.round <= current.round) return { kind: 'ignored' };
  if (current && update.round !== current.round + 1) return { kind: 'resync' };
  const changed = new Map(update.changedHosts.map((host) => [host.name, host]));
  const kept = new Map(current?.hosts.map((host) => [host.name, host]));
  const hosts: HostState[] = [];
  for (const name of update.hostNames) {
    const host = changed.get(name) ?? kept.get(name);
    if (!host) return { kind: 'resync' };
    hosts.push(host);
  }
  return { kind: 'merged', inspection: build(update, hosts) };
}

export interface FindingCounts {
  P1: number;
  P2: number;
  P3: number;
}

export function countBySeverity(findings: readonly Finding[]): FindingCounts {
  const counts: FindingCounts = { P1: 0, P2: 0, P3: 0 };
  for (const finding of findings) counts[finding.severity] += 1;
  return counts;
}

/** Findings per host name, for the badges of each node. */
export function findingsByHost(findings: readonly Finding[]): Map<string, FindingCounts> {
  const byHost = new Map<string, FindingCounts>();
  for (const finding of findings) {
    for (const host of finding.hosts) {
      const counts = byHost.get(host) ?? { P1: 0, P2: 0, P3: 0 };
      counts[finding.severity] += 1;
      byHost.set(host, counts);
    }
  }
  return byHost;
}

/**
 * Data is stale when the last round is older than twice the refresh interval (a round
 * was missed) or the last refresh failed. Without an interval only a failure makes it stale.
 */
export function isStale(finishedAt: number, now: number, intervalSeconds: number, refreshFailed: boolean): boolean {
  if (refreshFailed) return true;
  return intervalSeconds > 0 && now - finishedAt > 2 * intervalSeconds * 1000;
}
