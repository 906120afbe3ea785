import { createHash, randomBytes } from 'node:crypto';
import { AppError } from '../../../shared/contract/errors';
import { findHost, type Cluster, type Host } from '../../../shared/inventory/schema';
import { asRoot } from '../../../shared/restart/commands';
import { licenseFileTargetOf, type FileBackupParams, type FilePutParams, type FileRestoreParams, type FileVerifyParams } from '../../../shared/license/file-plan';
import type { HostFileTransfer, HostRunner } from '../hosts/host-runner';
import type { Check, Executor, StepContext } from '../ops/engine';
import type { CheckResult } from '../ops/gate';
import { shaOf } from '../rollback/kinds';
import type { LicenseFiles } from './license-files';

/**
 * The executors and checks of a license-file operation (params: `shared/license/file-plan.ts`).
 * The file reaches each host through `upload`, which never leaves a partial file at the path:
 * it writes a temporary name in the same directory, compares SHA-256 on both sides, then renames.
 */

export interface LicenseFileKindsDeps {
  runner: HostRunner & HostFileTransfer;
  files: LicenseFiles;
  cluster(name: string): Promise<Cluster>;
  now?: () => Date;
}

const TIMEOUT_MS = 30_000;

/** What a host has at the license path: the SHA-256, or none. */
export async function remoteSha(runner: HostRunner, cluster: Cluster, host: Host, path: string, signal?: AbortSignal): Promise<{ sha256?: string; problem?: string }> {
  // As root: a license file is often readable by its service's user only.
  const result = await runner.run(cluster, host, asRoot(host, ['sha256sum', '--', path]), { timeoutMs: TIMEOUT_MS, ...(signal ? { signal } : {}) });
  const sha256 = shaOf(result);
  if (sha256 !== undefined) return { sha256 };
  return /No such file/i.test(result.stderr) ? {} : { problem: result.stderr.trim().slice(0, 200) || `sha256sum exited with ${result.exitCode ?? 'a signal'}` };
}

export function licenseFileKinds(deps: LicenseFileKindsDeps): { executors: Record<string, Executor>; checks: Record<string, Check> } {
  async function target(context: StepContext, hostName: string): Promise<{ cluster: Cluster; host: Host }> {
    const cluster = await deps.cluster(context.cluster);
    const host = findHost(cluster, hostName);
    if (!host) throw new AppError('NOT_FOUND', `Cluster ${cluster.name} has no host "${hostName}" any more.`);
    return { cluster, host };
  }

  /** Runs argv as root (sudo -n unless the SSH user is root); throws with its stderr when it fails. */
  async function asRootOrThrow(context: StepContext, cluster: Cluster, host: Host, argv: string[]): Promise<string> {
    const result = await deps.runner.run(cluster, host, asRoot(host, argv), { timeoutMs: TIMEOUT_MS, signal: context.signal });
    if (result.exitCode !== 0) throw new AppError('UNAVAILABLE', `\`${argv.join(' ')}\` on ${host.name} failed: ${result.stderr.trim().slice(0, 200) || `exit ${result.exitCode ?? 'signal'}`}`);
    return result.stdout;
  }

  /**
   * Puts `data` at `remotePath` so the path only ever holds the old file or the whole new one:
   * SFTP to a private staging file, then as root a copy beside the target, mode and owner, a
   * SHA-256 check, and a rename over the target (atomic within one directory).
   */
  async function put(context: StepContext, hostName: string, remotePath: string, data: Buffer, mode: number, owner?: string, group?: string): Promise<void> {
    const { cluster, host } = await target(context, hostName);
    const expected = createHash('sha256').update(data).digest('hex');
    const staging = `/tmp/.switchboard-license-${randomBytes(6).toString('hex')}`;
    const slash = remotePath.lastIndexOf('/');
    const besideTarget = `${remotePath.slice(0, slash)}/.${remotePath.slice(slash + 1)}.switchboard-tmp`;
    await deps.runner.upload(cluster, host, { source: { data }, remotePath: staging, mode: 0o600, signal: context.signal });
    try {
      await asRootOrThrow(context, cluster, host, ['cp', '--', staging, besideTarget]);
      await asRootOrThrow(context, cluster, host, ['chmod', mode.toString(8).padStart(4, '0'), besideTarget]);
      if (owner !== undefined) await asRootOrThrow(context, cluster, host, ['chown', group !== undefined ? `${owner}:${group}` : owner, besideTarget]);
      const copied = shaOf(await deps.runner.run(cluster, host, asRoot(host, ['sha256sum', '--', besideTarget]), { timeoutMs: TIMEOUT_MS, signal: context.signal }));
      if (copied !== expected) throw new AppError('CONFLICT', `The copy beside ${remotePath} on ${hostName} has sha256 ${copied ?? '(unreadable)'}, expected ${expected}: ${remotePath} was left as it was.`);
      await asRootOrThrow(context, cluster, host, ['mv', '-f', '--', besideTarget, remotePath]);
      context.output(`${remotePath} on ${hostName}: ${data.length} bytes, sha256 ${expected}, mode ${mode.toString(8).padStart(4, '0')}${owner ? `, owner ${owner}${group ? `:${group}` : ''}` : ''}\n`);
    } finally {
      // Best effort: a leftover is a private file in /tmp or a dot-file beside the target, never the target.
      await deps.runner.run(cluster, host, ['rm', '-f', '--', staging], { timeoutMs: TIMEOUT_MS }).catch(() => undefined);
      await deps.runner.run(cluster, host, asRoot(host, ['rm', '-f', '--', besideTarget]), { timeoutMs: TIMEOUT_MS }).catch(() => undefined);
    }
  }

  const executors: Record<string, Executor> = {
    'licenseFile.backup': async (raw, context) => {
      const p = raw as unknown as FileBackupParams;
      const { cluster, host } = await target(context, p.host);
      const base = { cluster: cluster.name, host: host.name, remotePath: p.remotePath, createdAt: (deps.now?.() ?? new Date()).toISOString() };
      const stat = await deps.runner.run(cluster, host, asRoot(host, ['stat', '-c', '%a %U %G', '--', p.remotePath]), { timeoutMs: TIMEOUT_MS, signal: context.signal });
      if (stat.exitCode !== 0) {
        if (!/No such file/i.test(stat.stderr)) throw new AppError('UNAVAILABLE', `Reading ${p.remotePath} on ${host.name} failed: ${stat.stderr.trim().slice(0, 200)}`);
        await deps.files.writeFileBackup(p.backupPath, { ...base, exists: false });
        context.output(`${p.remotePath} does not exist on ${host.name}: the undo removes the new file\n`);
        return;
      }
      const [mode, owner, group] = stat.stdout.trim().split(/\s+/);
      // As root too, so a file only its service can read is backed up all the same (licenses are small).
      const copy = await deps.runner.run(cluster, host, asRoot(host, ['base64', '--', p.remotePath]), { timeoutMs: TIMEOUT_MS, signal: context.signal });
      if (copy.exitCode !== 0) throw new AppError('UNAVAILABLE', `Reading ${p.remotePath} on ${host.name} failed: ${copy.stderr.trim().slice(0, 200)}`);
      const content = Buffer.from(copy.stdout.replace(/\s+/g, ''), 'base64');
      const sha256 = createHash('sha256').update(content).digest('hex');
      await deps.files.writeFileBackup(p.backupPath, {
        ...base,
        exists: true,
        contentBase64: content.toString('base64'),
        sha256,
        ...(mode && /^[0-7]+$/.test(mode) ? { mode: Number.parseInt(mode, 8) } : {}),
        ...(owner ? { owner } : {}),
        ...(group ? { group } : {}),
      });
      context.output(`Saved ${p.remotePath} from ${host.name} (sha256 ${sha256}, mode ${mode ?? '?'}, ${owner ?? '?'}:${group ?? '?'}) to ${p.backupPath}\n`);
    },
    'licenseFile.put': async (raw, context) => {
      const p = raw as unknown as FilePutParams;
      const data = await deps.files.readBytes(p.licensePath);
      const sha256 = createHash('sha256').update(data).digest('hex');
      if (sha256 !== p.sha256) throw new AppError('CONFLICT', `The staged license ${p.licensePath} changed since the plan was made (sha256 ${sha256}, expected ${p.sha256}).`);
      await put(context, p.host, p.remotePath, data, p.mode, p.owner, p.group);
    },
    'licenseFile.restore': async (raw, context) => {
      const p = raw as unknown as FileRestoreParams;
      const backup = await deps.files.readFileBackup(p.backupPath);
      if (!backup.exists || backup.contentBase64 === undefined) {
        const { cluster, host } = await target(context, p.host);
        await asRootOrThrow(context, cluster, host, ['rm', '-f', '--', p.remotePath]);
        context.output(`Removed ${p.remotePath} on ${p.host}: there was none before\n`);
        return;
      }
      await put(context, p.host, p.remotePath, Buffer.from(backup.contentBase64, 'base64'), backup.mode ?? 0o640, backup.owner, backup.group);
    },
    'licenseFile.verify': async (raw, context) => {
      const p = raw as unknown as FileVerifyParams;
      const cluster = await deps.cluster(context.cluster);
      const problems: string[] = [];
      for (const { host: name, sha256: expected } of p.expect) {
        const host = findHost(cluster, name);
        const fileTarget = host ? licenseFileTargetOf(host) : undefined;
        if (!host || !fileTarget?.ok) {
          problems.push(`${name}: no longer takes a license file`);
          continue;
        }
        const { path, restartUnit } = fileTarget.target;
        const { sha256, problem } = await remoteSha(deps.runner, cluster, host, path, context.signal);
        const shown = sha256 ? `sha256 ${sha256.slice(0, 12)}…` : (problem ?? 'absent');
        if (sha256 !== expected || problem !== undefined) problems.push(`${name}: ${path} is ${shown}, expected ${expected ? `${expected.slice(0, 12)}…` : 'absent'}`);
        let line = `${name}  ${path}  ${shown}${sha256 === expected ? ' ok' : ''}`;
        if (restartUnit) {
          const active = await deps.runner.run(cluster, host, ['systemctl', 'is-active', restartUnit], { timeoutMs: TIMEOUT_MS, signal: context.signal });
          const state = active.stdout.trim() || 'unknown';
          line += `  ${restartUnit} ${state}`;
          if (state !== 'active') problems.push(`${name}: ${restartUnit} is ${state}`);
        }
        context.output(`${line}\n`);
      }
      if (problems.length > 0) throw new AppError('CONFLICT', `The license file is not as expected everywhere: ${problems.join('; ')}`);
      context.output(`All ${p.expect.length} hosts have the expected license file.\n`);
    },
  };

  const checks: Record<string, Check> = {
    'licenseFile.sha': async (raw, context): Promise<CheckResult> => {
      const p = raw as unknown as { host: string; remotePath: string; sha256: string };
      const { cluster, host } = await target(context, p.host);
      const { sha256, problem } = await remoteSha(deps.runner, cluster, host, p.remotePath, context.signal);
      return sha256 === p.sha256 ? { ok: true, detail: `${p.remotePath} on ${p.host} is already ${p.sha256.slice(0, 12)}…` } : { ok: false, detail: `${p.remotePath} on ${p.host} is ${sha256 ? `${sha256.slice(0, 12)}…` : (problem ?? 'missing')}` };
    },
  };

  return { executors, checks };
}
