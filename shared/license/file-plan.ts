import type { Cluster, Host } from '../inventory/schema';
import type { Plan, Step } from '../ops/plan';
import { asRoot } from '../restart/commands';
import type { SshExecParams, UnitActiveParams } from '../restart/kinds';
import { labelOf } from '../stacks/profiles/common';

/**
 * Stacks that take their license as a file on each host (VOMS-style). A host says where with
 * labels: `license.path` (absolute), optionally `license.owner` (`user` or `user:group`),
 * `license.mode` (octal, default 0640) and `license.restartUnit` (a systemd unit restarted
 * after the file changed, because the service reads its license at start).
 */

export const LICENSE_FILE_PLAN_KIND = 'license-file';
export const DEFAULT_LICENSE_FILE_MODE = 0o640;

export interface LicenseFileTarget {
  path: string;
  owner?: string;
  group?: string;
  mode: number;
  restartUnit?: string;
}

export type LicenseFileTargetResult = { ok: true; target: LicenseFileTarget } | { ok: false; problem: string };

const NAME = /^[a-z_][a-z0-9_-]{0,31}$/;

/** The host's license file settings, or why its labels do not make one; undefined when it takes no license file. */
export function licenseFileTargetOf(host: Host): LicenseFileTargetResult | undefined {
  const path = labelOf(host, 'license.path')?.trim();
  if (path === undefined) return undefined;
  if (!/^\/[^\0\n\r]*[^/]$/.test(path) || path.split('/').includes('..')) return { ok: false, problem: `${host.name}: license.path "${path}" is not an absolute file path` };
  const target: LicenseFileTarget = { path, mode: DEFAULT_LICENSE_FILE_MODE };
  const owner = labelOf(host, 'license.owner')?.trim();
  if (owner !== undefined) {
    const [user, group, extra] = owner.split(':');
    if (!user || !NAME.test(user) || (group !== undefined && !NAME.test(group)) || extra !== undefined) return { ok: false, problem: `${host.name}: license.owner "${owner}" is not user or user:group` };
    target.owner = user;
    if (group !== undefined) target.group = group;
  }
  const mode = labelOf(host, 'license.mode')?.trim();
  if (mode !== undefined) {
    if (!/^0?[0-7]{3}$/.test(mode)) return { ok: false, problem: `${host.name}: license.mode "${mode}" is not an octal mode such as 0640` };
    target.mode = Number.parseInt(mode, 8);
  }
  const unit = labelOf(host, 'license.restartUnit')?.trim();
  if (unit !== undefined) {
    if (!/^[A-Za-z0-9][A-Za-z0-9@._:-]*$/.test(unit)) return { ok: false, problem: `${host.name}: license.restartUnit "${unit}" is not a unit name` };
    target.restartUnit = unit;
  }
  return { ok: true, target };
}

/** The hosts of a cluster that take a license file. */
export function licenseFileHosts(cluster: Cluster): Host[] {
  return cluster.hosts.filter((host) => licenseFileTargetOf(host) !== undefined);
}

/** `licenseFile.backup`: copies the host's current file (or notes there is none) to `backupPath` on this computer. */
export interface FileBackupParams {
  host: string;
  remotePath: string;
  backupPath: string;
}

/** `licenseFile.put`: uploads `licensePath` atomically (temporary name, SHA-256, rename) with owner and mode; guard/check `licenseFile.sha`. */
export interface FilePutParams {
  host: string;
  remotePath: string;
  licensePath: string;
  sha256: string;
  mode: number;
  owner?: string;
  group?: string;
}

/** `licenseFile.restore`: puts the backed-up file back, or removes the file when there was none. */
export interface FileRestoreParams {
  host: string;
  remotePath: string;
  backupPath: string;
}

/** `licenseFile.verify`: each host's file hashes as expected (absent when `sha256` is undefined) and its unit, if any, is active. */
export interface FileVerifyParams {
  expect: { host: string; sha256?: string }[];
}

/** What goes on one host: the staged license, or a backup put back (a revert). */
export type FileSource = { licensePath: string; sha256: string } | { restoreFrom: string; sha256?: string };

export interface LicenseFileHostInput {
  host: Host;
  target: LicenseFileTarget;
  /** Where this operation backs up the host's current file. */
  backupPath: string;
  source: FileSource;
}

export interface LicenseFilePlanInput {
  cluster: string;
  title: string;
  /** The license applied (for the audit); for a revert, the fingerprint of what is put back. */
  fingerprint: string;
  hosts: LicenseFileHostInput[];
  /** `license.apply` or `license.revert`, and the backup set this operation writes. */
  action: 'license.apply' | 'license.revert';
  backupSet: string;
}

function putStep(name: string, target: LicenseFileTarget, source: FileSource, backupPath: string): Step {
  const undo = { kind: 'licenseFile.restore', params: { host: name, remotePath: target.path, backupPath } satisfies FileRestoreParams };
  const undoTitle = `Put the previous ${target.path} back on ${name} (or remove it if there was none)`;
  if ('restoreFrom' in source) {
    return {
      id: `${name}:put`,
      host: name,
      title: `Put the backed-up ${target.path} back on ${name}`,
      description: source.sha256 ? `Restore ${target.path} (sha256 ${source.sha256.slice(0, 12)}…) from ${source.restoreFrom}, atomically` : `Remove ${target.path}: there was none when ${source.restoreFrom} was taken`,
      action: { kind: 'licenseFile.restore', params: { host: name, remotePath: target.path, backupPath: source.restoreFrom } satisfies FileRestoreParams },
      // It puts a state back rather than apply a change: running it twice is the same.
      idempotent: true,
      undo,
      undoTitle,
      expectedMs: 3000,
    };
  }
  const put: FilePutParams = {
    host: name,
    remotePath: target.path,
    licensePath: source.licensePath,
    sha256: source.sha256,
    mode: target.mode,
    ...(target.owner !== undefined ? { owner: target.owner } : {}),
    ...(target.group !== undefined ? { group: target.group } : {}),
  };
  const ownership = target.owner !== undefined ? `, owner ${target.owner}${target.group !== undefined ? `:${target.group}` : ''}` : '';
  return {
    id: `${name}:put`,
    host: name,
    title: `Put the license at ${target.path} on ${name}`,
    description: `Upload to a private temporary file, copy it beside ${target.path}, set mode ${target.mode.toString(8).padStart(4, '0')}${ownership}, check its SHA-256 is ${source.sha256.slice(0, 12)}…, rename it over ${target.path}`,
    action: { kind: 'licenseFile.put', params: { ...put } },
    guard: { kind: 'licenseFile.sha', params: { host: name, remotePath: target.path, sha256: source.sha256 } },
    undo,
    undoTitle,
    expectedMs: 3000,
  };
}

/** One host at a time: back up its file, put the new one (or the backup) in place, restart its unit; then check every host. */
export function planLicenseFile(input: LicenseFilePlanInput): Plan {
  const batches = input.hosts.map(({ host, target, backupPath, source }) => {
    const name = host.name;
    const id = (step: string) => `${name}:${step}`;
    const steps: Step[] = [
      {
        id: id('backup'),
        host: name,
        title: `Back up ${target.path} on ${name}`,
        description: `Copy ${target.path} from ${name} (if it exists) to ${backupPath}`,
        action: { kind: 'licenseFile.backup', params: { host: name, remotePath: target.path, backupPath } satisfies FileBackupParams },
        guard: { kind: 'license.backupExists', params: { backupPath } },
        expectedMs: 2000,
      },
      putStep(name, target, source, backupPath),
    ];
    if (target.restartUnit !== undefined) {
      const exec: SshExecParams = { host: name, argv: asRoot(host, ['systemctl', 'restart', target.restartUnit]) };
      const active: UnitActiveParams = { host: name, run: { name: target.restartUnit, kind: 'systemd', unit: target.restartUnit } };
      steps.push({
        id: id('restart'),
        host: name,
        title: `Restart ${target.restartUnit} on ${name}`,
        description: `$ ${exec.argv.join(' ')}: the service reads its license when it starts`,
        action: { kind: 'ssh.exec', params: { ...exec } },
        gate: { kind: 'unit.active', params: { ...active }, timeoutMs: 120_000, intervalMs: 2000 },
        idempotent: true,
        expectedMs: 10_000,
      });
    }
    return { id: name, title: name, steps };
  });
  const verify: FileVerifyParams = {
    expect: input.hosts.map(({ host, source }) => ({ host: host.name, ...(source.sha256 !== undefined ? { sha256: source.sha256 } : {}) })),
  };
  const count = `${verify.expect.length} host${verify.expect.length === 1 ? '' : 's'}`;
  batches.push({
    id: 'verify',
    title: 'Verify',
    steps: [
      {
        id: 'verify',
        title: `Verify the license file on ${count}`,
        description: `Each host's license file is the one just put there (by SHA-256) and its unit, if any, is active`,
        action: { kind: 'licenseFile.verify', params: { ...verify } },
        idempotent: true,
        expectedMs: 2000,
      },
    ],
  });
  return {
    kind: LICENSE_FILE_PLAN_KIND,
    cluster: input.cluster,
    title: input.title,
    batches,
    details: { action: input.action, fingerprint: input.fingerprint, method: 'file', nodes: verify.expect.map((e) => e.host), backupId: input.backupSet },
  };
}
