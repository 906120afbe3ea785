import type { Host, Role, ServiceRun } from '../../inventory/schema';
import { raise, type Finding, type FindingRule } from '../findings';
import { detectProbeFailure, ok, parseSha256sum, unknown } from '../parsers';
import { valueOf, type ClusterSnapshot, type CommandProbe } from '../profile';
import { evidence, reachedWithRole } from './common';
import { inService, serviceRunOf, type ServiceProbeSpec } from './service';

/**
 * Config drift: the same config file of one system differs across its nodes. Each node's file is
 * fingerprinted (`sha256sum`) and its effective lines (no comments, no blank lines) read, so the
 * difference can be shown as a diff. Lines that are per node by design (a node's own name, id or
 * address) are left out of the comparison.
 */

/** At most this much of the effective config is read from each node. */
export const CONFIG_READ_LIMIT = 16_384;

export interface ConfigChecksum {
  path: string;
  sha256: string;
}

export interface ConfigContent {
  lines: string[];
  /** The file's effective lines were longer than the read limit. */
  truncated: boolean;
}

export interface ConfigFileSpec extends ServiceProbeSpec {
  /** The config file where the service runs, or undefined when this host has none to compare. */
  pathOf: (host: Host, run: ServiceRun) => string | undefined;
}

// Comment and blank lines go on the host (fewer bytes back); the rest is compared here.
const EFFECTIVE_LINES = `grep -Ev '^ *(#|$)' "$1" | head -c ${CONFIG_READ_LIMIT}`;

export function configProbes(spec: ConfigFileSpec): { checksum: CommandProbe<ConfigChecksum>; content: CommandProbe<ConfigContent> } {
  const located = (host: Host) => {
    if (!host.roles.includes(spec.role)) return undefined;
    const run = serviceRunOf(host, spec.name, spec.fallback(host));
    const path = spec.pathOf(host, run);
    return path === undefined ? undefined : { run, path };
  };
  return {
    checksum: {
      id: `${spec.id}-sum`,
      command: ({ host }) => {
        const file = located(host);
        return file === undefined ? undefined : inService(file.run, ['sha256sum', file.path]);
      },
      parse: (output, exitCode) => {
        const parsed = parseSha256sum(output, exitCode ?? undefined);
        if (parsed.status !== 'ok') return parsed;
        const file = parsed.value.files[0];
        if (file === undefined) return unknown(`no such file: ${parsed.value.missing[0] ?? ''}`, output);
        return ok({ path: file.path, sha256: file.sha256 });
      },
    },
    content: {
      id: spec.id,
      command: ({ host }) => {
        const file = located(host);
        return file === undefined ? undefined : inService(file.run, ['sh', '-c', EFFECTIVE_LINES, 'sh', file.path]);
      },
      parse: (output, exitCode) => {
        const failure = detectProbeFailure(output, exitCode ?? undefined) ?? /^grep: .*$/m.exec(output)?.[0];
        if (failure !== undefined) return unknown(failure, output);
        // grep ends every line it prints; output cut by head does not end with a newline.
        const truncated = output !== '' && !output.endsWith('\n');
        return ok({ lines: output.split('\n').filter((line) => line.trim() !== ''), truncated });
      },
    },
  };
}

const SECRET_KEY = /(cookie|password|passwd|secret|token|apikey|api_key|private)/i;

function keyOf(line: string): string | undefined {
  return /^\s*["']?([A-Za-z0-9_.-]+)["']?\s*[:=]/.exec(line)?.[1];
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A name as a whole word (a host `10.0.0.1` is not in `10.0.0.10`, `vernemq-0` is in `vernemq-0.svc`). */
function wordPattern(name: string): RegExp {
  return new RegExp(`(?<![\\w-])${escapeRegExp(name)}(?![\\w-])`, 'g');
}

/**
 * The lines compared: comments gone, per-node keys left out, and a line naming this node and no
 * other node (its own listener address) made neutral. A line naming several nodes (a seed list)
 * is the same everywhere and stays as it is.
 */
function normalize(lines: readonly string[], self: readonly string[], others: readonly string[], nodeKeys: readonly string[]): string[] {
  const selfPatterns = self.filter((name) => name.length >= 3).sort((a, b) => b.length - a.length).map(wordPattern);
  const otherPatterns = others.filter((name) => name.length >= 3).map(wordPattern);
  const normalized: string[] = [];
  for (const raw of lines) {
    const line = raw.replace(/\s+$/, '');
    if (/^\s*(#|$)/.test(line)) continue;
    const key = keyOf(line);
    if (key !== undefined && nodeKeys.some((nodeKey) => nodeKey === key || key.endsWith(`.${nodeKey}`))) continue;
    const namesOthers = otherPatterns.some((pattern) => line.match(pattern) !== null);
    normalized.push(namesOthers ? line : selfPatterns.reduce((text, pattern) => text.replace(pattern, '<this node>'), line));
  }
  return normalized;
}

/** A line as shown: values of secret-looking keys hidden. */
function shown(line: string): string {
  const key = keyOf(line);
  if (key === undefined || !SECRET_KEY.test(key)) return line;
  return line.replace(/([:=]\s*).*$/, '$1<hidden>');
}

/** The changed lines between two texts, `-` for the reference, `+` for the other (longest common subsequence). */
export function lineDiff(reference: readonly string[], other: readonly string[]): string[] {
  const n = reference.length;
  const m = other.length;
  const common: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = n - 1; i >= 0; i -= 1) {
    for (let j = m - 1; j >= 0; j -= 1) {
      common[i]![j] = reference[i] === other[j] ? common[i + 1]![j + 1]! + 1 : Math.max(common[i + 1]![j]!, common[i]![j + 1]!);
    }
  }
  const out: string[] = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && reference[i] === other[j]) {
      i += 1;
      j += 1;
    } else if (j >= m || (i < n && common[i + 1]![j]! >= common[i]![j + 1]!)) {
      out.push(`-${shown(reference[i]!)}`);
      i += 1;
    } else {
      out.push(`+${shown(other[j]!)}`);
      j += 1;
    }
  }
  return out;
}

const DIFF_LINES_PER_HOST = 12;

export interface DriftSpec {
  role: Role;
  rule: FindingRule;
  checksum: CommandProbe<ConfigChecksum>;
  content: CommandProbe<ConfigContent>;
  /** Keys set per node by design (`nodename`, `nodeId`…): left out of the comparison. */
  nodeKeys: readonly string[];
  /** Other names a node goes by in its own config (e.g. its VerneMQ node name). */
  selfNames?: (host: Host) => string[];
}

/**
 * One finding per system when its nodes' config files differ beyond their per-node lines:
 * evidence is every node's checksum and a diff of each differing node against the most common
 * version. Nodes whose file could not be read completely leave the question open (no finding).
 */
export function configDriftFindings(snapshot: ClusterSnapshot, spec: DriftSpec): Finding[] {
  const nodes = reachedWithRole(snapshot, spec.role).flatMap((host) => {
    const checksum = valueOf(host, spec.checksum);
    const content = valueOf(host, spec.content);
    return checksum === undefined ? [] : [{ host, checksum, content }];
  });
  if (nodes.length < 2 || new Set(nodes.map((node) => node.checksum.sha256)).size < 2) return [];
  if (nodes.some((node) => node.content === undefined || node.content.truncated)) return [];

  const namesOf = (host: Host) => [host.address, host.name, ...(spec.selfNames?.(host) ?? [])];
  const groups = new Map<string, { lines: string[]; hosts: string[] }>();
  for (const node of nodes) {
    const others = nodes.filter((other) => other !== node).flatMap((other) => namesOf(other.host.host));
    const lines = normalize(node.content!.lines, namesOf(node.host.host), others, spec.nodeKeys);
    const id = lines.join('\n');
    const group = groups.get(id) ?? { lines, hosts: [] };
    group.hosts.push(node.host.host.name);
    groups.set(id, group);
  }
  if (groups.size < 2) return [];
  const ordered = [...groups.values()].sort((a, b) => b.hosts.length - a.hosts.length);
  const reference = ordered[0]!;
  const drifted = ordered.slice(1);

  const lines = [`sha256 of ${nodes[0]!.checksum.path}:`, ...nodes.map((node) => `  ${node.host.host.name}: ${node.checksum.sha256.slice(0, 16)}…`)];
  for (const group of drifted) {
    const diff = lineDiff(reference.lines, group.lines);
    const others = reference.hosts.length > 1 ? ` (and ${reference.hosts.length - 1} more)` : '';
    lines.push(`--- ${reference.hosts[0]}${others}`, `+++ ${group.hosts.join(', ')}`);
    lines.push(...diff.slice(0, DIFF_LINES_PER_HOST));
    if (diff.length > DIFF_LINES_PER_HOST) lines.push(`… ${diff.length - DIFF_LINES_PER_HOST} more changed lines`);
  }
  const driftedHosts = drifted.flatMap((group) => group.hosts);
  return [
    raise(spec.rule, {
      cluster: snapshot.cluster.name,
      subject: nodes[0]!.checksum.path,
      hosts: driftedHosts,
      params: { file: nodes[0]!.checksum.path, hosts: driftedHosts.join(', '), reference: reference.hosts.join(', ') },
      evidence: evidence(lines),
    }),
  ];
}
