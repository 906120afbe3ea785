import type { Cluster, Host, Role, Stack } from '../inventory/schema';
import type { Parsed } from './parsers/result';
import type { Finding, FindingRule } from './findings';

/** What a probe is run against. */
export interface ProbeTarget {
  cluster: Cluster;
  host: Host;
}

/**
 * A command run on a host over SSH (an HTTP call is `curl` run on the host), parsed
 * into typed facts by a pure parser. The probes of one host travel in one script, one
 * round trip, each in its own delimited section.
 */
export interface CommandProbe<F = unknown> {
  /** Also the section name: `[a-z0-9_.-]+`, unique across profiles. */
  id: string;
  /** The shell line (built with shellCommand/shellQuote), or undefined when this host has nothing to probe. */
  command(target: ProbeTarget): string | undefined;
  parse(output: string, exitCode: number | null, target: ProbeTarget): Parsed<F>;
  /** It talks to something that can hang (a daemon, an RPC, a network mount): run it under the per-probe limit. */
  mayHang?: boolean;
  /** Shell builtins only, never `exit`/`cd`: runs in the script's shell without a process (see `ScriptSection.inline`). */
  inline?: boolean;
}

/**
 * A query against the cluster's MongoDB (Rocket.Chat's settings, instances, users), made
 * once per round through the official driver, directly or through an SSH tunnel. The
 * query is data; the engine runs it and hands the documents to the pure parser.
 */
export interface MongoProbe<F = unknown> {
  id: string;
  collection: string;
  filter: Record<string, unknown>;
  projection?: Record<string, 0 | 1>;
  limit?: number;
  /** `count` counts matching documents instead of returning them (parse gets `[{count}]`). */
  count?: boolean;
  parse(documents: readonly Record<string, unknown>[]): Parsed<F>;
}

/** What one round learnt from the cluster's MongoDB. */
export interface MongoSnapshot {
  reach: { ok: true } | { ok: false; code: string; message: string };
  facts: Record<string, Parsed<unknown>>;
}

/** What one round learnt about one host. */
export interface HostSnapshot {
  host: Host;
  /**
   * How the host answered: an SSH failure means no facts at all this round. `details`
   * carries the typed error's evidence (e.g. both fingerprints of a changed host key).
   */
  reach: { ok: true } | { ok: false; code: string; message: string; details?: Record<string, unknown> };
  facts: Record<string, Parsed<unknown>>;
  /** Raw output per probe (trimmed), shown in the node view and used as evidence. */
  raw: Record<string, { output: string; exitCode: number | null }>;
  /** When the probe script ran, by the admin's clock. */
  probedAt: string;
  /** Round-trip time of the script in ms, to bound clock-skew estimates. */
  roundTripMs?: number;
}

export interface ClusterSnapshot {
  cluster: Cluster;
  hosts: HostSnapshot[];
  /** Absent when the cluster has no MongoDB configured or no profile queries it. */
  mongo?: MongoSnapshot;
  /** The admin's clock when the round started (epoch ms). */
  adminNow: number;
}

/** Reads a probe's facts from a host snapshot, typed by the probe. */
export function factOf<F>(host: HostSnapshot, probe: CommandProbe<F>): Parsed<F> | undefined {
  return host.facts[probe.id] as Parsed<F> | undefined;
}

/** The value of a probe's facts when it parsed; undefined when missing or unknown. */
export function valueOf<F>(host: HostSnapshot, probe: CommandProbe<F>): F | undefined {
  const fact = factOf(host, probe);
  return fact?.status === 'ok' ? fact.value : undefined;
}

export function mongoValueOf<F>(snapshot: ClusterSnapshot, probe: MongoProbe<F>): F | undefined {
  const fact = snapshot.mongo?.facts[probe.id] as Parsed<F> | undefined;
  return fact?.status === 'ok' ? fact.value : undefined;
}

export function rawOf(host: HostSnapshot, probe: CommandProbe<unknown>): string {
  return host.raw[probe.id]?.output ?? '';
}

export type DiagnosisRule = (snapshot: ClusterSnapshot) => Finding[];

/** One profile per system: adding a system is adding one of these. */
export interface StackProfile {
  stack: Stack;
  /** The roles this stack's hosts carry. */
  roles: readonly Role[];
  probes: readonly CommandProbe[];
  mongoProbes?: readonly MongoProbe[];
  /** The catalogue of findings this profile can raise (text in both languages). */
  catalog: readonly FindingRule[];
  rules: readonly DiagnosisRule[];
  /** The version this system's software reports on a host, for the views; undefined when it said none. */
  versionOf?(host: HostSnapshot): string | undefined;
}

export function hostsWithRole(snapshot: ClusterSnapshot, role: Role): HostSnapshot[] {
  return snapshot.hosts.filter((h) => h.host.roles.includes(role));
}
