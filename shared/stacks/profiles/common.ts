import type { Host, Role } from '../../inventory/schema';
import type { LocalizedText } from '../../localized';
import { redactSecrets } from '../parsers';
import { hostsWithRole, type ClusterSnapshot, type HostSnapshot } from '../profile';

/** Catalogue text in both UI languages. */
export const text = (en: string, zh: string): LocalizedText => ({ en, 'zh-CN': zh });

/** A host label (inventory `labels`), or undefined when absent or blank. */
export function labelOf(host: Host, key: string): string | undefined {
  const value = host.labels?.[key];
  return value === undefined || value.trim() === '' ? undefined : value;
}

/**
 * A port from a host label, or the default when the label is absent. A label that is not a
 * port gives undefined: the probe is then not run, rather than run against a guessed port.
 */
export function portOf(host: Host, key: string, fallback: number): number | undefined {
  const value = labelOf(host, key);
  if (value === undefined) return fallback;
  if (!/^\d{1,5}$/.test(value.trim())) return undefined;
  const port = Number(value.trim());
  return port >= 1 && port <= 65535 ? port : undefined;
}

/** The hosts of a role that answered this round (an unreachable host has no facts to judge). */
export function reachedWithRole(snapshot: ClusterSnapshot, role: Role): HostSnapshot[] {
  return hostsWithRole(snapshot, role).filter((host) => host.reach.ok);
}

const EVIDENCE_LINES = 24;
const EVIDENCE_CHARS = 1600;

/** Evidence text: secret-looking values hidden, at most a couple of dozen lines. */
export function evidence(lines: readonly string[] | string): string {
  const all = typeof lines === 'string' ? lines.split('\n') : [...lines];
  const kept = all.length > EVIDENCE_LINES ? [...all.slice(0, EVIDENCE_LINES), `… (${all.length - EVIDENCE_LINES} more lines)`] : all;
  const joined = redactSecrets(kept.join('\n').trim());
  return joined.length > EVIDENCE_CHARS ? `${joined.slice(0, EVIDENCE_CHARS)}…` : joined;
}

/** The lines of a text that match, with the last `limit` kept (the newest log lines). */
export function matchingLines(lines: readonly string[], pattern: RegExp, limit = 5): string[] {
  return lines.filter((line) => pattern.test(line)).slice(-limit);
}
