import { AppError, asErrorCode } from '../../../shared/contract/errors';
import type { ClusterState, HostDetail, HostSample, HostState } from '../../../shared/contract/inspect';
import type { Cluster } from '../../../shared/inventory/schema';
import type { Finding } from '../../../shared/stacks/findings';
import { valueOf, type HostSnapshot } from '../../../shared/stacks/profile';
import { hostProbes } from '../../../shared/stacks/profiles/generic';
import type { EventHub } from '../rpc/event-hub';
import type { Logger } from '../log/logger';
import type { InspectEngine, InspectResult } from './engine';

const HISTORY_SIZE = 120;

/** Log probes are named `<system>.log` (see shared/stacks/profiles/logs.ts). */
export const isLogProbe = (probe: { id: string }): boolean => /\.log$/.test(probe.id);
const severityOrder = ['P1', 'P2', 'P3'] as const;

interface ClusterRecord {
  round: number;
  result: InspectResult;
  state: ClusterState;
  history: Map<string, HostSample[]>;
}

/**
 * Keeps the latest round of every cluster, refreshes on an interval and on demand, and
 * pushes what changed to the renderer. One round per cluster at a time: a refresh asked
 * while one runs waits for it instead of starting another.
 */
export class InspectService {
  private readonly records = new Map<string, ClusterRecord>();
  private readonly inFlight = new Map<string, Promise<ClusterState>>();
  private timer: ReturnType<typeof setInterval> | undefined;
  private intervalSeconds = 0;

  constructor(
    private readonly deps: {
      engine: InspectEngine;
      clusters: () => Promise<Cluster[]>;
      events: EventHub;
      log: Logger;
      /** The version a host reports, from the profiles that apply (see `profileVersionOf`). */
      versionOf?: (host: HostSnapshot) => string | undefined;
    },
  ) {}

  async refresh(name: string): Promise<ClusterState> {
    const running = this.inFlight.get(name);
    if (running) return running;
    const round = this.runRound(name).finally(() => this.inFlight.delete(name));
    this.inFlight.set(name, round);
    return round;
  }

  state(name: string): ClusterState | null {
    return this.records.get(name)?.state ?? null;
  }

  host(cluster: string, host: string): HostDetail | null {
    const record = this.records.get(cluster);
    const snapshot = record?.result.snapshot.hosts.find((h) => h.host.name === host);
    const state = record?.state.hosts.find((h) => h.name === host);
    if (!record || !snapshot || !state) return null;
    return { state, facts: snapshot.facts, raw: snapshot.raw, history: record.history.get(host) ?? [] };
  }

  /**
   * Reads a host's log probes again, now (a second script, logs only), and keeps the result
   * in the latest round so the node view and `host()` agree.
   */
  async logs(clusterName: string, hostName: string): Promise<{ at: string; facts: HostSnapshot['facts']; raw: HostSnapshot['raw'] }> {
    const cluster = (await this.deps.clusters()).find((c) => c.name === clusterName);
    if (!cluster) throw new AppError('NOT_FOUND', `No cluster named "${clusterName}"`);
    const fresh = await this.deps.engine.probeOnly(cluster, hostName, isLogProbe);
    if (!fresh.reach.ok) throw new AppError(asErrorCode(fresh.reach.code), fresh.reach.message);
    const kept = this.records.get(clusterName)?.result.snapshot.hosts.find((h) => h.host.name === hostName);
    if (kept) {
      Object.assign(kept.facts, fresh.facts);
      Object.assign(kept.raw, fresh.raw);
    }
    return { at: fresh.probedAt, facts: fresh.facts, raw: fresh.raw };
  }

  setInterval(seconds: number): { seconds: number } {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.intervalSeconds = seconds;
    if (seconds > 0) {
      this.timer = setInterval(() => void this.refreshAll(), seconds * 1000);
      this.timer.unref?.();
    }
    return { seconds: this.intervalSeconds };
  }

  dispose(): void {
    if (this.timer) clearInterval(this.timer);
  }

  private async refreshAll(): Promise<void> {
    for (const cluster of await this.deps.clusters()) {
      await this.refresh(cluster.name).catch((error: unknown) => this.deps.log.warn('inspect', `Round of ${cluster.name} failed`, { error }));
    }
  }

  private async runRound(name: string): Promise<ClusterState> {
    const cluster = (await this.deps.clusters()).find((c) => c.name === name);
    if (!cluster) throw new AppError('NOT_FOUND', `No cluster named "${name}"`);
    const result = await this.deps.engine.inspect(cluster);
    const findings = result.findings;
    const previous = this.records.get(name);
    const history = previous?.history ?? new Map<string, HostSample[]>();
    const hosts = result.snapshot.hosts.map((h) => hostState(h, findings, this.deps.versionOf?.(h)));
    for (const host of hosts) {
      const samples = history.get(host.name) ?? [];
      samples.push({ t: Date.parse(host.probedAt), load1: host.load1, memUsedPercent: host.memUsedPercent });
      if (samples.length > HISTORY_SIZE) samples.shift();
      history.set(host.name, samples);
    }
    const round = (previous?.round ?? 0) + 1;
    const state: ClusterState = {
      cluster: name,
      round,
      startedAt: new Date(result.snapshot.adminNow).toISOString(),
      durationMs: result.durationMs,
      findings,
      hosts,
    };
    if (result.snapshot.mongo) state.mongo = result.snapshot.mongo.reach;
    this.records.set(name, { round, result, state, history });

    const before = new Map(previous?.state.hosts.map((h) => [h.name, JSON.stringify(h)]));
    this.deps.events.emit('inspectUpdated', {
      cluster: name,
      round,
      startedAt: state.startedAt,
      durationMs: state.durationMs,
      findings: state.findings,
      changedHosts: hosts.filter((h) => before.get(h.name) !== JSON.stringify(h)),
      hostNames: hosts.map((h) => h.name),
      ...(state.mongo ? { mongo: state.mongo } : {}),
    });
    return state;
  }

}

function hostState(snapshot: HostSnapshot, findings: readonly Finding[], version: string | undefined): HostState {
  const mine = findings.filter((f) => f.hosts.includes(snapshot.host.name));
  const worst = severityOrder.find((s) => mine.some((f) => f.severity === s));
  const load = valueOf(snapshot, hostProbes.loadavg);
  const memory = valueOf(snapshot, hostProbes.meminfo);
  const uptime = valueOf(snapshot, hostProbes.uptime);
  const state: HostState = {
    name: snapshot.host.name,
    address: snapshot.host.address,
    roles: snapshot.host.roles,
    reach: snapshot.reach,
    probedAt: snapshot.probedAt,
    status: worst ?? (snapshot.reach.ok ? 'ok' : 'unknown'),
  };
  if (snapshot.roundTripMs !== undefined) state.roundTripMs = snapshot.roundTripMs;
  if (load) state.load1 = load.load1;
  if (memory?.availableBytes !== undefined && memory.totalBytes > 0) {
    state.memUsedPercent = Math.round((1 - memory.availableBytes / memory.totalBytes) * 1000) / 10;
  }
  if (uptime) state.uptimeSeconds = Math.round(uptime.uptimeSeconds);
  if (version) state.version = version;
  return state;
}
