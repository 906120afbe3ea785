import type { Cluster, Host } from '../../inventory/schema';
import { bySeverity, type Finding } from '../findings';
import type { ClusterSnapshot, CommandProbe, HostSnapshot, MongoProbe, StackProfile } from '../profile';

/**
 * Snapshots for rule tests, built the way the inspect engine builds them: each probe's output goes
 * through that probe's own parser, for a host the probe really runs on.
 */

export interface ProbeOutput {
  output: string;
  exitCode: number | null;
}

export function hostSnapshot(
  cluster: Cluster,
  host: Host,
  probes: readonly CommandProbe[],
  outputs: Record<string, ProbeOutput | string>,
  probedAt = '2026-11-26T00:30:00.000Z',
): HostSnapshot {
  const snapshot: HostSnapshot = { host, reach: { ok: true }, facts: {}, raw: {}, probedAt, roundTripMs: 40 };
  const target = { cluster, host };
  for (const [id, given] of Object.entries(outputs)) {
    const probe = probes.find((candidate) => candidate.id === id);
    if (probe === undefined) throw new Error(`no probe ${id}`);
    if (probe.command(target) === undefined) throw new Error(`probe ${id} does not run on ${host.name}`);
    const { output, exitCode } = typeof given === 'string' ? { output: given, exitCode: 0 } : given;
    snapshot.raw[id] = { output: output.trim(), exitCode };
    snapshot.facts[id] = probe.parse(output, exitCode, target);
  }
  return snapshot;
}

export function unreachable(host: Host, probedAt = '2026-11-26T00:30:00.000Z'): HostSnapshot {
  return { host, reach: { ok: false, code: 'SSH_CONNECT', message: 'connect ECONNREFUSED' }, facts: {}, raw: {}, probedAt };
}

export function clusterSnapshot(
  cluster: Cluster,
  hosts: HostSnapshot[],
  mongo?: { probes: readonly MongoProbe[]; documents: Record<string, Record<string, unknown>[]> },
): ClusterSnapshot {
  const snapshot: ClusterSnapshot = { cluster, hosts, adminNow: Date.parse(hosts[0]?.probedAt ?? '2026-11-26T00:30:00.000Z') };
  if (mongo !== undefined) {
    const facts: Record<string, ReturnType<MongoProbe['parse']>> = {};
    for (const [id, documents] of Object.entries(mongo.documents)) {
      const probe = mongo.probes.find((candidate) => candidate.id === id);
      if (probe === undefined) throw new Error(`no MongoDB probe ${id}`);
      facts[id] = probe.parse(documents);
    }
    snapshot.mongo = { reach: { ok: true }, facts };
  }
  return snapshot;
}

/** Every finding of the profiles' rules, sorted as the engine sorts them. */
export function findingsOf(profiles: readonly StackProfile[], snapshot: ClusterSnapshot): Finding[] {
  return profiles.flatMap((profile) => profile.rules.flatMap((rule) => rule(snapshot))).sort(bySeverity);
}

/**
 * A synthetic `systemctl show` block with the properties the probes ask for (the real captured
 * format is in parsers/fixtures/systemd/show-five-units.txt).
 */
export function syntheticUnitShow(unit: {
  id: string;
  active?: string;
  sub?: string;
  restarts?: number;
  result?: string;
  started?: string;
  restart?: string;
  load?: string;
}): string {
  return [
    `Id=${unit.id}`,
    `LoadState=${unit.load ?? 'loaded'}`,
    `ActiveState=${unit.active ?? 'active'}`,
    `SubState=${unit.sub ?? 'running'}`,
    `MainPID=${unit.active === undefined || unit.active === 'active' ? 4242 : 0}`,
    `NRestarts=${unit.restarts ?? 0}`,
    `ExecMainStartTimestamp=${unit.started ?? 'Thu 2026-11-26 00:10:00 UTC'}`,
    `Restart=${unit.restart ?? 'always'}`,
    `FragmentPath=/etc/systemd/system/${unit.id}`,
    `Result=${unit.result ?? 'success'}`,
    'UnitFileState=enabled',
    '',
  ].join('\n');
}

/** Synthetic `journalctl -o json` lines carrying the given messages, one second apart. */
export function syntheticJournal(unit: string, messages: readonly string[]): string {
  return messages
    .map((message, index) => JSON.stringify({ __REALTIME_TIMESTAMP: String(1795652000000000 + index * 1_000_000), _SYSTEMD_UNIT: unit, PRIORITY: '6', MESSAGE: message }))
    .map((line) => `${line}\n`)
    .join('');
}

/** What `curl -s -w '\n%{http_code}'` prints for a body and status. */
export function curlOutput(body: string, status: number): string {
  return `${body.replace(/\n$/, '')}\n${status}`;
}
