import type { Db } from 'mongodb';
import type { LicenseVerification, NodeVerification } from '../../../shared/contract/license';
import type { Cluster, Host } from '../../../shared/inventory/schema';
import { licenseFileHosts, licenseFileTargetOf } from '../../../shared/license/file-plan';
import { licenseFingerprint, parseLicense } from '../../../shared/license/parse';
import { canonicalJson, nodeVerdict, staleNodes, type NodeObservation } from '../../../shared/license/verify';
import { valueOf, type HostSnapshot } from '../../../shared/stacks/profile';
import { rocketchatProbes, scanRocketChatLog } from '../../../shared/stacks/profiles/rocketchat';
import type { HostRunner } from '../hosts/host-runner';
import type { InspectEngine } from '../inspect/engine';
import { remoteSha } from './file-kinds';
import { readStoredLicense, rocketchatNodes } from './reader';
import { restError, RocketChatRest } from './rocketchat-rest';

export interface VerifierDeps {
  runner: HostRunner;
  inspect: Pick<InspectEngine, 'inspect'>;
  rest: RocketChatRest;
  db(cluster: Cluster): Promise<Db>;
  /** SHA-256 of the staged license file with this fingerprint, for stacks that take a license file. */
  expectedFileSha?(cluster: string, fingerprint: string): Promise<string | undefined>;
  now?: () => Date;
}

/**
 * Verifies the stored license on every Rocket.Chat node, asking each node directly: one
 * inspect round of the app nodes (reach, `/health`, the log's restriction lines) plus
 * `licenses.info` on each node, compared with the license stored in MongoDB.
 */
export class LicenseVerifier {
  constructor(private readonly deps: VerifierDeps) {}

  async verify(cluster: Cluster, options: { fingerprint?: string; signal?: AbortSignal } = {}): Promise<LicenseVerification> {
    const nodes = rocketchatNodes(cluster);
    if (nodes.length === 0) return this.verifyFiles(cluster, options);
    const stored = await readStoredLicense(await this.deps.db(cluster));
    const storedFingerprint = licenseFingerprint(stored.text);
    const expectedPayload = expectedPayloadOf(stored.text);
    const { snapshot } = await this.deps.inspect.inspect(cluster, { hosts: nodes.map((n) => n.name), ...(options.signal ? { signal: options.signal } : {}) });
    const results: NodeVerification[] = await Promise.all(
      nodes.map(async (host) => {
        const hostSnapshot = snapshot.hosts.find((h) => h.host.name === host.name);
        return nodeVerdict(await this.observe(cluster, host, hostSnapshot, expectedPayload, options.signal));
      }),
    );
    return {
      cluster: cluster.name,
      ...(options.fingerprint ? { fingerprint: options.fingerprint, storedMatches: options.fingerprint === storedFingerprint } : {}),
      ...(stored.status !== undefined ? { status: stored.status } : {}),
      ...(stored.airGappedDays !== undefined ? { airGappedDays: stored.airGappedDays } : {}),
      nodes: results,
      stale: staleNodes(results),
      at: (this.deps.now?.() ?? new Date()).toISOString(),
    };
  }

  /**
   * Stacks that take a license file: each host's file against the expected bytes (the staged
   * copy named by the fingerprint), and its unit when one reads the license at start.
   */
  private async verifyFiles(cluster: Cluster, options: { fingerprint?: string; signal?: AbortSignal }): Promise<LicenseVerification> {
    const expected = options.fingerprint ? await this.deps.expectedFileSha?.(cluster.name, options.fingerprint) : undefined;
    const results = await Promise.all(
      licenseFileHosts(cluster).map(async (host): Promise<NodeVerification> => {
        const target = licenseFileTargetOf(host);
        if (!target?.ok) return { node: host.name, state: 'unknown', license: 'unknown', detail: target?.problem ?? 'no license.path' };
        try {
          const { sha256, problem } = await remoteSha(this.deps.runner, cluster, host, target.target.path, options.signal);
          if (problem !== undefined) return { node: host.name, state: 'unknown', license: 'unknown', detail: `${target.target.path}: ${problem}` };
          const license = sha256 === undefined ? 'none' : expected === undefined ? 'unknown' : sha256 === expected ? 'expected' : 'other';
          let healthy: boolean | undefined;
          let unitDetail = '';
          if (target.target.restartUnit) {
            const active = await this.deps.runner.run(cluster, host, ['systemctl', 'is-active', target.target.restartUnit], { timeoutMs: 30_000, ...(options.signal ? { signal: options.signal } : {}) });
            healthy = active.stdout.trim() === 'active';
            unitDetail = `; ${target.target.restartUnit} ${active.stdout.trim() || 'unknown'}`;
          }
          const fileDetail = `${target.target.path} ${sha256 ? `sha256 ${sha256.slice(0, 12)}…` : 'missing'}${unitDetail}`;
          const state = healthy === false ? 'down' : license === 'expected' ? 'applied' : license === 'unknown' ? 'unknown' : 'stale';
          return { node: host.name, state, license, ...(healthy !== undefined ? { healthy } : {}), detail: fileDetail };
        } catch (error) {
          return { node: host.name, state: 'down', license: 'unknown', detail: `not reachable: ${(error as Error).message}` };
        }
      }),
    );
    return {
      cluster: cluster.name,
      ...(options.fingerprint ? { fingerprint: options.fingerprint, ...(expected !== undefined ? { storedMatches: results.every((r) => r.license === 'expected') } : {}) } : {}),
      nodes: results,
      // A file that differs is not fixed by a restart: nothing to offer for restart here.
      stale: [],
      at: (this.deps.now?.() ?? new Date()).toISOString(),
    };
  }

  private async observe(cluster: Cluster, host: Host, snapshot: HostSnapshot | undefined, expected: ExpectedPayload, signal?: AbortSignal): Promise<NodeObservation> {
    if (!snapshot || !snapshot.reach.ok) {
      return { node: host.name, reached: false, reachError: snapshot && !snapshot.reach.ok ? snapshot.reach.message : 'not inspected', license: 'unknown' };
    }
    const observation: NodeObservation = { node: host.name, reached: true, license: 'unknown' };
    const health = valueOf(snapshot, rocketchatProbes.health);
    if (health !== undefined) {
      observation.healthy = health.healthy;
      if (!health.healthy) observation.healthDetail = health.reasons.join('; ');
    } else {
      const fact = snapshot.facts[rocketchatProbes.health.id];
      if (fact?.status === 'unknown') {
        observation.healthy = false;
        observation.healthDetail = fact.reason;
      }
    }
    const log = valueOf(snapshot, rocketchatProbes.log);
    const restriction = log === undefined ? undefined : scanRocketChatLog(log.lines).restriction;
    if (restriction !== undefined) observation.restriction = restriction;
    if (observation.healthy === false) return observation;
    const credentialsProblem = RocketChatRest.credentialsProblem(cluster);
    if (credentialsProblem !== undefined) return { ...observation, licenseDetail: credentialsProblem };
    try {
      const answer = await this.deps.rest.call(cluster, host, { method: 'GET', path: '/api/v1/licenses.info', ...(signal ? { signal } : {}) });
      if (answer.status !== 200) return { ...observation, licenseDetail: `licenses.info ${restError(answer)}` };
      const payload = (answer.body as { license?: { license?: unknown } } | undefined)?.license?.license;
      return { ...observation, license: compareLicense(payload, expected) };
    } catch (error) {
      return { ...observation, licenseDetail: (error as Error).message };
    }
  }
}

/** What a node should report: the stored license's payload, none, or "a license" for an opaque v2. */
type ExpectedPayload = { kind: 'payload'; canonical: string } | { kind: 'none' } | { kind: 'opaque' };

function expectedPayloadOf(text: string): ExpectedPayload {
  if (text.trim() === '') return { kind: 'none' };
  const parsed = parseLicense(text);
  if (parsed.ok && parsed.license.version === 3) return { kind: 'payload', canonical: canonicalJson(parsed.license.payload) };
  return { kind: 'opaque' };
}

function compareLicense(payload: unknown, expected: ExpectedPayload): NodeVerification['license'] {
  const has = payload !== undefined && payload !== null;
  switch (expected.kind) {
    case 'none':
      return has ? 'other' : 'expected';
    case 'opaque':
      // A v2 license cannot be read here: a node reporting a license is the best evidence there is.
      return has ? 'expected' : 'none';
    case 'payload':
      return !has ? 'none' : canonicalJson(payload) === expected.canonical ? 'expected' : 'other';
  }
}
