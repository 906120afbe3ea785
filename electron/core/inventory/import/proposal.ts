import { homedir, userInfo } from 'node:os';
import { AppError } from '../../../../shared/contract/errors';
import { importProposalSchema, type ImportProposal, type InventoryFormat } from '../../../../shared/inventory/import-proposal';
import { nameSchema, type ClusterForm, type Environment, type HostForm } from '../../../../shared/inventory/schema';
import { describeIssues, toIssues } from '../../../../shared/inventory/validate';

/** Settings every importer shares. */
export interface ImportOptions {
  /** The home directory for `~` and for ssh_config's relative Include (default: the current user's). */
  home?: string;
  /** The SSH user when the source names none, as ssh and Ansible do (default: the current user). */
  localUser?: string;
  clusterName?: string;
  /** Default 'production': an imported cluster is treated with the most care until the admin says otherwise. */
  environment?: Environment;
}

export interface ResolvedImportOptions {
  home: string;
  localUser: string;
  clusterName: string;
  environment: Environment;
}

export function resolveImportOptions(options: ImportOptions, defaultClusterName: string): ResolvedImportOptions {
  return {
    home: options.home ?? homedir(),
    localUser: options.localUser ?? currentUser(),
    clusterName: options.clusterName ?? defaultClusterName,
    environment: options.environment ?? 'production',
  };
}

function currentUser(): string {
  try {
    return userInfo().username;
  } catch {
    return process.env.USER ?? process.env.USERNAME ?? 'root';
  }
}

/** Turns a source's host or group name into a valid Switchboard name ("db 1" -> "db-1"). */
export function toName(raw: string, fallback = 'host'): string {
  const cleaned = raw
    .normalize('NFC')
    .replace(/[^\p{L}\p{N}._-]+/gu, '-')
    .replace(/^[^\p{L}\p{N}]+/u, '')
    .slice(0, 64);
  return nameSchema.safeParse(cleaned).success ? cleaned : fallback;
}

/** `name`, or `name-2`, `name-3`... whichever is not taken yet; records the result as taken. */
export function claimName(name: string, taken: Set<string>): string {
  let candidate = name;
  for (let n = 2; taken.has(candidate); n++) candidate = `${name.slice(0, 60)}-${n}`;
  taken.add(candidate);
  return candidate;
}

export function expandHome(path: string, home: string): string {
  if (path === '~') return home;
  if (path.startsWith('~/')) return `${home}${path.slice(1)}`;
  return path;
}

/** Validates what an importer built; a failure here is reported, never saved. */
export function finishProposal(format: InventoryFormat, cluster: ClusterForm, warnings: string[]): ImportProposal {
  const parsed = importProposalSchema.safeParse({ format, cluster, warnings });
  if (!parsed.success) {
    const issues = toIssues(parsed.error);
    throw new AppError('INVALID_INPUT', `The imported cluster is not valid:\n${describeIssues(issues)}`, { issues });
  }
  return parsed.data;
}

/** Drops hosts whose jump chain names an imported host that was itself skipped. */
export function withoutDanglingJumps(hosts: HostForm[], importedNames: ReadonlySet<string>, warnings: string[]): HostForm[] {
  let kept = hosts;
  for (;;) {
    const present = new Set(kept.map((host) => host.name));
    const next = kept.filter((host) => {
      const missing = (host.jump ?? []).find((hop) => importedNames.has(hop) && !present.has(hop));
      if (missing !== undefined) warnings.push(`Host ${JSON.stringify(host.name)} skipped: its jump host "${missing}" was skipped`);
      return missing === undefined;
    });
    if (next.length === kept.length) return kept;
    kept = next;
  }
}
