import type { HostState } from '../../../shared/contract';

/** A connection refused because the host presented a different key than the one trusted. */
export interface HostKeyChange {
  host: string;
  port: number;
  keyType: string;
  /** What the known-hosts store trusts for this host and key type. */
  knownFingerprints: string[];
  /** What the server presented this time. */
  presentedFingerprint: string;
}

/** A refusal seen in an inspection round, remembered until the host is reached again or its key replaced. */
export interface RefusedHostKey extends HostKeyChange {
  cluster: string;
  /** The host's name in the inventory. */
  hostName: string;
  probedAt: string;
}

const FINGERPRINT = 'SHA256:[A-Za-z0-9+/]+';
// The SSH layer's refusal text (electron/core/ssh/host-verifier.ts); the inspect state carries only code and message.
const CHANGED = new RegExp(`The (\\S+) host key of (\\S+) has changed: expected (.+?), the server presented (${FINGERPRINT})`);

/** `[host]:port` (known_hosts style, any port but 22) or a bare host. */
function splitKnownHostsName(name: string): { host: string; port: number } {
  const bracketed = /^\[(.+)\]:(\d+)$/.exec(name);
  return bracketed ? { host: bracketed[1]!, port: Number(bracketed[2]) } : { host: name, port: 22 };
}

/** Reads a host-key refusal out of the SSH layer's message (or a finding's evidence, which quotes it). */
export function hostKeyChangeFromMessage(message: string): HostKeyChange | undefined {
  const match = CHANGED.exec(message);
  if (!match) return undefined;
  const [, keyType, name, expected, presentedFingerprint] = match;
  const knownFingerprints = expected!.match(new RegExp(FINGERPRINT, 'g')) ?? [];
  if (knownFingerprints.length === 0) return undefined;
  return { ...splitKnownHostsName(name!), keyType: keyType!, knownFingerprints, presentedFingerprint: presentedFingerprint! };
}

/** `host:port` for people; IPv6 addresses in brackets. */
export function hostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/**
 * Folds one inspection round into the list of refusals: a host reported again replaces
 * its entry (dropped when it was reached or failed otherwise); hosts no longer in the
 * cluster are dropped.
 */
export function foldInspectRound(
  refusals: readonly RefusedHostKey[],
  round: { cluster: string; changedHosts: readonly HostState[]; hostNames: readonly string[] },
): RefusedHostKey[] {
  const reported = new Set(round.changedHosts.map((host) => host.name));
  const present = new Set(round.hostNames);
  const kept = refusals.filter((r) => r.cluster !== round.cluster || (present.has(r.hostName) && !reported.has(r.hostName)));
  for (const host of round.changedHosts) {
    if (host.reach.ok || host.reach.code !== 'SSH_HOST_KEY_CHANGED') continue;
    const change = hostKeyChangeFromMessage(host.reach.message);
    if (change) kept.push({ ...change, cluster: round.cluster, hostName: host.name, probedAt: host.probedAt });
  }
  return kept;
}

/** After a replacement, the refusals of that host:port are settled (whichever cluster saw them). */
export function withoutHost(refusals: readonly RefusedHostKey[], host: string, port: number): RefusedHostKey[] {
  return refusals.filter((r) => r.host.toLowerCase() !== host.toLowerCase() || r.port !== port);
}

/** What the replace dialog needs about one changed key (its props, less the callbacks). */
export interface HostKeyReplacement {
  host: string;
  port: number;
  keyType: string;
  /** The fingerprint the server presented (`SHA256:...`): the key that will be trusted. */
  fingerprint: string;
  /** What is trusted now; several when known_hosts holds more than one key of this type. Empty when not known here. */
  knownFingerprint: string | readonly string[];
  /** Base64 of the key blob the server presented, when the caller has it; otherwise the admin pastes the host's public key. */
  publicKey?: string;
}

export function replacementFor(change: HostKeyChange): HostKeyReplacement {
  return {
    host: change.host,
    port: change.port,
    keyType: change.keyType,
    fingerprint: change.presentedFingerprint,
    knownFingerprint: change.knownFingerprints,
  };
}
