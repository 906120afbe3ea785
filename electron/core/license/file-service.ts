import { createHash } from 'node:crypto';
import { AppError } from '../../../shared/contract/errors';
import type { LicenseCheckResult } from '../../../shared/contract/license';
import type { Cluster, Host } from '../../../shared/inventory/schema';
import { canApply, type LicenseCheckItem } from '../../../shared/license/checks';
import { licenseFileHosts, licenseFileTargetOf, planLicenseFile, type LicenseFileTarget } from '../../../shared/license/file-plan';
import { checkLicenseText } from '../../../shared/license/input';
import { licenseFingerprint } from '../../../shared/license/parse';
import { asRoot } from '../../../shared/restart/commands';
import type { AuditLog } from '../audit/audit-log';
import type { HostRunner } from '../hosts/host-runner';
import type { OperationEngine } from '../ops/engine';
import type { LicenseFiles } from './license-files';

/**
 * Licenses of stacks that take a file on each host (VOMS-style): the file's format is the
 * service's own, so the wizard checks what it can (the text, each host's path, rights and
 * current file) and then puts the same bytes on every host, one host at a time.
 */

export interface LicenseFileServiceDeps {
  runner: HostRunner;
  engine: OperationEngine;
  files: LicenseFiles;
  audit?: AuditLog;
  now?: () => Date;
}

/** Run as root: prints whether the directory exists, then `sha256sum` of the file or `none`. Path as $1. */
const PROBE_SCRIPT = [
  'd=$(dirname -- "$1")',
  'if [ ! -d "$d" ]; then echo nodir; exit 0; fi',
  'echo dir',
  'if [ -e "$1" ]; then sha256sum -- "$1"; else echo none; fi',
].join('; ');

const text = (en: string, zh: string) => ({ en, 'zh-CN': zh });
const item = (id: string, level: LicenseCheckItem['level'], en: string, zh: string, details: Record<string, unknown> = {}): LicenseCheckItem => ({ id, level, message: text(en, zh), details });

export function sha256Of(content: string): string {
  return createHash('sha256').update(content, 'utf8').digest('hex');
}

export class LicenseFileService {
  constructor(private readonly deps: LicenseFileServiceDeps) {}

  async check(cluster: Cluster, content: string): Promise<LicenseCheckResult> {
    const input = checkLicenseText(content);
    if (!input.ok) return { ok: false, rejection: input.rejection };
    const { items } = await this.checkHosts(cluster, content);
    const decision = canApply(items, []);
    return {
      ok: true,
      cluster: cluster.name,
      fingerprint: licenseFingerprint(content),
      notice: text('This stack reads its own license format: the service checks its dates and limits when it loads the file.', '此服务栈使用自己的许可证格式：服务加载文件时自行检查有效期和限制。'),
      summary: { version: 'file', bytes: Buffer.byteLength(content, 'utf8'), sha256: sha256Of(content) },
      items,
      blockedBy: decision.blockedBy,
      needsAcknowledgement: decision.unacknowledged,
      current: {},
      methods: ['file'],
      methodNotes: [],
      nodes: licenseFileHosts(cluster).map((h) => h.name),
    };
  }

  async apply(cluster: Cluster, content: string, acknowledged: readonly string[]): Promise<{ opId: string; backupId: string }> {
    const input = checkLicenseText(content);
    if (!input.ok) throw new AppError('INVALID_INPUT', `The license cannot be applied: ${input.rejection.message.en}`);
    const { items, targets } = await this.checkHosts(cluster, content);
    const decision = canApply(items, acknowledged);
    if (!decision.allowed) {
      const reasons = [...items.filter((i) => decision.blockedBy.includes(i.id)).map((i) => i.message.en), ...(decision.unacknowledged.length > 0 ? [`Not acknowledged: ${decision.unacknowledged.join(', ')}.`] : [])];
      throw new AppError('CONFLICT', `The license was not applied: ${reasons.join(' ')}`, { blockedBy: decision.blockedBy, unacknowledged: decision.unacknowledged });
    }
    const now = this.deps.now?.() ?? new Date();
    const fingerprint = licenseFingerprint(content);
    const sha256 = sha256Of(content);
    // The exact bytes: a file-based service may care about its final newline.
    const licensePath = await this.deps.files.stage(cluster.name, content, now);
    const backupSet = this.deps.files.newFileBackupSet(now);
    const hosts = targets.map(({ host, target }) => ({ host, target, backupPath: this.deps.files.fileBackupPath(cluster.name, backupSet, host.name), source: { licensePath, sha256 } }));
    return this.start(
      planLicenseFile({
        cluster: cluster.name,
        title: `Put license file ${fingerprint.slice(0, 12)}… on ${hosts.length} host${hosts.length === 1 ? '' : 's'} of ${cluster.name}`,
        fingerprint,
        hosts,
        action: 'license.apply',
        backupSet,
      }),
      backupSet,
    );
  }

  /** Puts back each host's file as backup set `set` holds it (or removes it where there was none), as an operation. */
  async revert(cluster: Cluster, set: string): Promise<{ opId: string; backupId: string }> {
    const saved = await this.deps.files.fileBackupSet(cluster.name, set);
    if (saved.size === 0) throw new AppError('NOT_FOUND', `Cluster ${cluster.name} has no license file backup "${set}".`);
    const now = this.deps.now?.() ?? new Date();
    const backupSet = this.deps.files.newFileBackupSet(now);
    const hosts = [];
    for (const host of licenseFileHosts(cluster)) {
      const entry = saved.get(host.name);
      const parsed = licenseFileTargetOf(host);
      if (!entry || !parsed?.ok) continue;
      hosts.push({
        host,
        target: parsed.target,
        backupPath: this.deps.files.fileBackupPath(cluster.name, backupSet, host.name),
        source: { restoreFrom: entry.path, ...(entry.backup.sha256 !== undefined ? { sha256: entry.backup.sha256 } : {}) },
      });
    }
    if (hosts.length === 0) throw new AppError('CONFLICT', `None of the hosts in backup ${set} still takes a license file in ${cluster.name}.`);
    const first = [...saved.values()][0]!.backup;
    const content = first.contentBase64 === undefined ? '' : Buffer.from(first.contentBase64, 'base64').toString('utf8');
    return this.start(
      planLicenseFile({
        cluster: cluster.name,
        title: `Put back the license files of ${cluster.name} as they were at ${first.createdAt}`,
        fingerprint: licenseFingerprint(content),
        hosts,
        action: 'license.revert',
        backupSet,
      }),
      backupSet,
    );
  }

  backups(cluster: Cluster) {
    return this.deps.files.listFileBackups(cluster.name);
  }

  private async start(plan: ReturnType<typeof planLicenseFile>, backupSet: string): Promise<{ opId: string; backupId: string }> {
    const opId = await this.deps.engine.start(plan, { onGateFailure: 'undo-and-stop' });
    await this.deps.audit?.append({
      action: String(plan.details?.action ?? 'license.apply'),
      cluster: plan.cluster,
      hosts: (plan.details?.nodes as string[] | undefined) ?? [],
      outcome: 'started',
      summary: `Started: ${plan.title}`,
      details: { opId, fingerprint: plan.details?.fingerprint, method: 'file', backupId: backupSet },
    });
    return { opId, backupId: backupSet };
  }

  /** Per host: the labels make a target, the host answers, the directory exists and is writable, chown is possible. */
  private async checkHosts(cluster: Cluster, content: string): Promise<{ items: LicenseCheckItem[]; targets: { host: Host; target: LicenseFileTarget }[] }> {
    const hosts = licenseFileHosts(cluster);
    if (hosts.length === 0) throw new AppError('INVALID_INPUT', `Cluster ${cluster.name} has no host with the role rocketchat or the label license.path: there is nowhere to apply a license.`);
    const expected = sha256Of(content);
    const items: LicenseCheckItem[] = [
      item('file-format', 'amber', 'Switchboard cannot read this license format: only the service can tell whether it is valid. Check that it is the license for this stack.', 'Switchboard 无法读取此许可证格式，只有服务本身能判断其是否有效。请确认这是此服务栈的许可证。'),
    ];
    const targets: { host: Host; target: LicenseFileTarget }[] = [];
    const current = new Set<string>();
    await Promise.all(
      hosts.map(async (host) => {
        const parsed = licenseFileTargetOf(host)!;
        if (!parsed.ok) {
          items.push(item(`file-target:${host.name}`, 'red', parsed.problem, `${host.name}：许可证文件标签无效（${parsed.problem}）`));
          return;
        }
        const { target } = parsed;
        let lines: string[];
        try {
          const result = await this.deps.runner.run(cluster, host, asRoot(host, ['sh', '-c', PROBE_SCRIPT, 'sh', target.path]), { timeoutMs: 20_000 });
          if (result.exitCode !== 0) {
            const why = result.stderr.trim().slice(0, 200) || `exit ${result.exitCode ?? 'signal'}`;
            items.push(item(`file-root:${host.name}`, 'red', `${host.name}: replacing ${target.path} needs root, and running as root failed (${why}).`, `${host.name}：替换 ${target.path} 需要 root 权限，但以 root 运行失败（${why}）。`));
            return;
          }
          lines = result.stdout.trim().split('\n');
        } catch (error) {
          items.push(item(`file-host:${host.name}`, 'red', `${host.name} cannot be reached: ${(error as Error).message}`, `无法连接 ${host.name}：${(error as Error).message}`));
          return;
        }
        const directory = lines[0];
        const sha = lines[1] === 'none' ? 'none' : /^([0-9a-f]{64})\s/.exec(lines[1] ?? '')?.[1];
        const dir = target.path.slice(0, target.path.lastIndexOf('/')) || '/';
        if (directory === 'nodir') {
          items.push(item(`file-dir:${host.name}`, 'red', `${host.name}: the directory ${dir} does not exist.`, `${host.name}：目录 ${dir} 不存在。`));
          return;
        }
        if (directory !== 'dir' || sha === undefined) {
          items.push(item(`file-dir:${host.name}`, 'red', `${host.name}: ${target.path} could not be read (${lines.join(' ').slice(0, 200)}).`, `${host.name}：无法读取 ${target.path}（${lines.join(' ').slice(0, 200)}）。`));
          return;
        }
        targets.push({ host, target });
        if (sha === expected) {
          items.push(item(`file-same:${host.name}`, 'info', `${host.name} already has this license at ${target.path}.`, `${host.name} 的 ${target.path} 已是此许可证。`));
        } else {
          if (sha !== 'none') current.add(sha);
          items.push(
            item(
              `file-replaces:${host.name}`,
              'info',
              sha === 'none' ? `${host.name}: ${target.path} does not exist yet.` : `${host.name}: replaces ${target.path} (sha256 ${sha.slice(0, 12)}…), backed up first.`,
              sha === 'none' ? `${host.name}：${target.path} 尚不存在。` : `${host.name}：将替换 ${target.path}（sha256 ${sha.slice(0, 12)}…），替换前先备份。`,
              { host: host.name, path: target.path, ...(target.restartUnit ? { restartUnit: target.restartUnit } : {}) },
            ),
          );
        }
      }),
    );
    if (current.size > 1) {
      items.push(item('file-hosts-differ', 'info', `The hosts have ${current.size} different license files now: this one will be the same everywhere.`, `各主机当前有 ${current.size} 种不同的许可证文件；应用后将全部一致。`));
    }
    targets.sort((a, b) => hosts.indexOf(a.host) - hosts.indexOf(b.host));
    items.sort((a, b) => a.id.localeCompare(b.id));
    return { items, targets };
  }
}
