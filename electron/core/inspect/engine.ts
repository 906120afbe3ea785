import { randomBytes } from 'node:crypto';
import { AppError } from '../../../shared/contract/errors';
import type { Cluster, Host } from '../../../shared/inventory/schema';
import { bySeverity, type Finding } from '../../../shared/stacks/findings';
import { buildSectionedScript, SECTION_TIMED_OUT, splitSections, unknown } from '../../../shared/stacks/parsers';
import type { ClusterSnapshot, CommandProbe, HostSnapshot, MongoProbe, MongoSnapshot, ProbeTarget, StackProfile } from '../../../shared/stacks/profile';
import type { Logger } from '../log/logger';
import type { HostRunner } from '../hosts/host-runner';

/** Runs a profile's MongoDB query for a cluster (official driver; direct or tunnelled). */
export interface MongoRunner {
  find(cluster: Cluster, probe: MongoProbe, signal?: AbortSignal): Promise<Record<string, unknown>[]>;
}
import { mapLimit } from './limit';

export interface InspectLimits {
  /** Hosts probed at once across the cluster (the SSH pool limits connects on its own). */
  concurrency: number;
  /** The whole probe script of one host; sections not finished by then are marked truncated. */
  hostTimeoutMs: number;
  /** One probe, where the host has coreutils `timeout`: a hanging probe costs only its own facts. */
  probeTimeoutSeconds: number;
}

export const defaultInspectLimits: InspectLimits = { concurrency: 64, hostTimeoutMs: 20_000, probeTimeoutSeconds: 10 };

/**
 * Findings that come from somewhere other than the probes (e.g. an operation's journal), given
 * each round's snapshot so they can say whether they still hold.
 */
export type FindingSource = (cluster: Cluster, snapshot: ClusterSnapshot) => Promise<Finding[]>;

export interface InspectResult {
  snapshot: ClusterSnapshot;
  findings: Finding[];
  durationMs: number;
}

/** The profiles that apply to a cluster: generic always, then each stack it runs. */
export function profilesFor(cluster: Cluster, profiles: readonly StackProfile[]): StackProfile[] {
  return profiles.filter((p) => p.stack === 'generic' || cluster.stacks.includes(p.stack));
}

/**
 * One inspection round: every applicable probe of every host travels in ONE script per
 * host (one SSH round trip), the output is cut back into sections and parsed, then each
 * profile's rules turn the cluster snapshot into findings. A host that cannot be reached
 * becomes a finding, never an exception.
 */
export class InspectEngine {
  constructor(
    private readonly deps: {
      runner: HostRunner;
      mongo?: MongoRunner;
      profiles: readonly StackProfile[];
      log: Logger;
      now?: () => number;
      limits?: Partial<InspectLimits>;
      /** Added to each round's findings; a source that fails is logged and left out of that round. */
      findingSources?: readonly FindingSource[];
    },
  ) {}

  private get limits(): InspectLimits {
    return { ...defaultInspectLimits, ...this.deps.limits };
  }

  private now(): number {
    return this.deps.now?.() ?? Date.now();
  }

  async inspect(cluster: Cluster, options: { signal?: AbortSignal; hosts?: readonly string[] } = {}): Promise<InspectResult> {
    const started = this.now();
    const profiles = profilesFor(cluster, this.deps.profiles);
    const probes = profiles.flatMap((p) => p.probes);
    const hosts = options.hosts ? cluster.hosts.filter((h) => options.hosts!.includes(h.name)) : cluster.hosts;
    const mongoProbes = profiles.flatMap((p) => p.mongoProbes ?? []);
    const [snapshots, mongo] = await Promise.all([
      mapLimit(hosts, this.limits.concurrency, (host) => this.probeHost(cluster, host, probes, options.signal)),
      this.probeMongo(cluster, mongoProbes, options.signal),
    ]);
    const snapshot: ClusterSnapshot = { cluster, hosts: snapshots, adminNow: started };
    if (mongo) snapshot.mongo = mongo;
    const findings = profiles.flatMap((profile) =>
      profile.rules.flatMap((rule) => {
        try {
          return rule(snapshot);
        } catch (error) {
          this.deps.log.error('inspect', `A diagnosis rule of ${profile.stack} failed`, { error });
          return [];
        }
      }),
    );
    findings.push(...(await this.sourcedFindings(cluster, snapshot)));
    return { snapshot, findings: dedupe(findings).sort(bySeverity), durationMs: this.now() - started };
  }

  private async sourcedFindings(cluster: Cluster, snapshot: ClusterSnapshot): Promise<Finding[]> {
    const lists = await Promise.all(
      (this.deps.findingSources ?? []).map((source) =>
        source(cluster, snapshot).catch((error: unknown) => {
          this.deps.log.warn('inspect', `A finding source failed for ${cluster.name}; its findings are left out of this round`, { error });
          return [];
        }),
      ),
    );
    return lists.flat();
  }

  /** Runs only the probes `wanted` selects on one host (e.g. its logs), in one script. */
  async probeOnly(cluster: Cluster, hostName: string, wanted: (probe: CommandProbe) => boolean, signal?: AbortSignal): Promise<HostSnapshot> {
    const host = cluster.hosts.find((h) => h.name === hostName);
    if (!host) throw new AppError('NOT_FOUND', `No host "${hostName}" in cluster ${cluster.name}`);
    const probes = profilesFor(cluster, this.deps.profiles).flatMap((p) => p.probes).filter(wanted);
    return this.probeHost(cluster, host, probes, signal);
  }

  private async probeMongo(cluster: Cluster, probes: readonly MongoProbe[], signal?: AbortSignal): Promise<MongoSnapshot | undefined> {
    const runner = this.deps.mongo;
    if (!runner || !cluster.mongo || probes.length === 0) return undefined;
    const facts: MongoSnapshot['facts'] = {};
    for (const probe of probes) {
      try {
        const documents = await runner.find(cluster, probe, signal);
        try {
          facts[probe.id] = probe.parse(documents);
        } catch (error) {
          facts[probe.id] = unknown(`the parser failed: ${error instanceof Error ? error.message : String(error)}`, JSON.stringify(documents).slice(0, 400));
        }
      } catch (error) {
        // The first failure to reach MongoDB stands for the whole round: no point retrying each query.
        if (error instanceof AppError) return { reach: { ok: false, code: error.code, message: error.message }, facts };
        return { reach: { ok: false, code: 'INTERNAL', message: error instanceof Error ? error.message : String(error) }, facts };
      }
    }
    return { reach: { ok: true }, facts };
  }

  private async probeHost(cluster: Cluster, host: Host, probes: readonly CommandProbe[], signal?: AbortSignal): Promise<HostSnapshot> {
    const target = { cluster, host };
    const { nonce, script, sections } = hostScript(target, probes, this.limits.probeTimeoutSeconds);
    const probedAt = this.now();
    const base = { host, facts: {}, raw: {}, probedAt: new Date(probedAt).toISOString() };
    let stdout: string;
    try {
      const result = await this.deps.runner.run(cluster, host, ['sh', '-c', script], { timeoutMs: this.limits.hostTimeoutMs, signal });
      stdout = result.stdout;
    } catch (error) {
      const reach =
        error instanceof AppError
          ? { ok: false as const, code: error.code, message: error.message, ...(error.details ? { details: error.details } : {}) }
          : { ok: false as const, code: 'INTERNAL', message: error instanceof Error ? error.message : String(error) };
      return { ...base, reach };
    }
    const roundTripMs = this.now() - probedAt;
    const split = splitSections(stdout, nonce, sections.map((s) => s.name));
    const facts: HostSnapshot['facts'] = {};
    const raw: HostSnapshot['raw'] = {};
    for (const section of split.sections) {
      const entry = sections.find((s) => s.name === section.name);
      if (!entry) continue;
      raw[section.name] = { output: section.output, exitCode: section.exitCode ?? null };
      facts[section.name] =
        section.state !== 'complete'
          ? unknown(section.state === 'missing' ? 'the probe did not run (the script stopped before it)' : 'the output was cut off', section.output)
          : section.exitCode === SECTION_TIMED_OUT
            ? unknown(`the probe did not finish within ${this.limits.probeTimeoutSeconds} s`, section.output)
            : safeParse(entry.probe, section.output, section.exitCode ?? null, target);
    }
    return { ...base, reach: { ok: true }, facts, raw, roundTripMs };
  }
}

/** One host's probe script: its sections in the order they run, and the nonce that frames them. */
export interface HostScript {
  nonce: string;
  script: string;
  sections: { name: string; command: string; timeLimited: boolean; inline: boolean; probe: CommandProbe }[];
}

/**
 * Every probe of one host in one script. Probes that may hang go last, each under the
 * per-probe limit, so a hung daemon costs only its own facts. The very last one needs no
 * limit of its own (the host's limit ends it, and every other section has already come
 * back), which keeps a plain host's script cheap.
 */
export function hostScript(target: ProbeTarget, probes: readonly CommandProbe[], probeTimeoutSeconds: number): HostScript {
  const sections: HostScript['sections'] = [];
  for (const probe of [...probes.filter((p) => !p.mayHang), ...probes.filter((p) => p.mayHang)]) {
    const command = probe.command(target);
    if (command !== undefined) sections.push({ name: probe.id, command, timeLimited: probe.mayHang === true, inline: probe.inline === true, probe });
  }
  const last = sections.at(-1);
  if (last) last.timeLimited = false;
  const nonce = randomBytes(12).toString('hex');
  return { nonce, script: buildSectionedScript(nonce, sections, { timeoutSeconds: probeTimeoutSeconds }), sections };
}

function safeParse(probe: CommandProbe, output: string, exitCode: number | null, target: Parameters<CommandProbe['parse']>[2]) {
  try {
    return probe.parse(output, exitCode, target);
  } catch (error) {
    return unknown(`the parser failed: ${error instanceof Error ? error.message : String(error)}`, output);
  }
}

function dedupe(findings: Finding[]): Finding[] {
  const seen = new Map<string, Finding>();
  for (const finding of findings) if (!seen.has(finding.key)) seen.set(finding.key, finding);
  return [...seen.values()];
}
