import type { RollbackCheck } from '../contract/rollback';
import type { RollbackFacts } from './inspect-script';

/** The checks the rollback dialog shows; a red one blocks the rollback. */

export interface PreflightInput {
  facts: RollbackFacts;
  /** "title (opId)" of the unfinished operation holding the cluster's lock. */
  lockHeldBy?: string;
  /** A rollback of this host to the same backup (by SHA-256) whose health gate failed and that was undone. */
  failedBefore?: { opId: string; finishedAt: string; gateDetail?: string };
}

function check(id: RollbackCheck['id'], level: RollbackCheck['level'], en: string, zh: string): RollbackCheck {
  return { id, ok: level === 'green', level, message: { en, 'zh-CN': zh } };
}

export function preflightChecks({ facts, lockHeldBy, failedBefore }: PreflightInput): RollbackCheck[] {
  const { backup } = facts;
  const checks: RollbackCheck[] = [];
  checks.push(
    backup.exists && backup.sha256 !== undefined
      ? check('backup-exists', 'green', `Backup ${backup.path} exists.`, `备份 ${backup.path} 存在。`)
      : check('backup-exists', 'red', `No readable backup at ${backup.path}: nothing to roll back to.`, `${backup.path} 没有可读的备份：无法回滚。`),
  );
  checks.push(
    backup.executable
      ? check('backup-executable', 'green', 'The backup is executable.', '备份可执行。')
      : check('backup-executable', 'red', `${backup.path} is not executable.`, `${backup.path} 不可执行。`),
  );
  if (facts.current.sha256 === undefined) {
    checks.push(check('backup-differs', 'red', `The current build ${facts.current.path} could not be read.`, `无法读取当前版本 ${facts.current.path}。`));
  } else if (backup.sha256 !== undefined && backup.sha256 === facts.current.sha256) {
    checks.push(
      check('backup-differs', 'red', 'The backup is the same build as the current one (SHA-256 equal): rolling back would change nothing.', '备份与当前版本相同（SHA-256 一致）：回滚不会有任何改变。'),
    );
  } else {
    checks.push(check('backup-differs', backup.sha256 === undefined ? 'red' : 'green', 'The backup differs from the current build.', '备份与当前版本不同。'));
  }
  if (failedBefore !== undefined) {
    // Not red: the cause may have been fixed since (a migration, a config); the admin decides, knowingly.
    const why = failedBefore.gateDetail ? ` (${failedBefore.gateDetail})` : '';
    checks.push(
      check(
        'backup-failed-before',
        'amber',
        `This backup already failed its health gate in rollback ${failedBefore.opId} (undone at ${failedBefore.finishedAt})${why}. Unless its cause was fixed, it will fail the same way: put a known-good build at ${backup.path} first.`,
        `此备份在回滚 ${failedBefore.opId}（于 ${failedBefore.finishedAt} 撤销）中已未通过健康检查${why}。除非原因已修复，否则会以同样方式失败：请先在 ${backup.path} 放置已知正常的版本。`,
      ),
    );
  }
  return [...checks, ...commonChecks({ facts, ...(lockHeldBy ? { lockHeldBy } : {}) })];
}

/** Release-directory rollback: the previous release's deploy script must be there; the current build must be readable (it is kept). */
export function releaseChecks({ facts, lockHeldBy }: PreflightInput, deployScript: string): RollbackCheck[] {
  const checks: RollbackCheck[] = [
    facts.releaseDeploy
      ? check('release-deploy', 'green', `${deployScript} is there and executable.`, `${deployScript} 存在且可执行。`)
      : check('release-deploy', 'red', `No executable ${deployScript}: no previous release to deploy.`, `没有可执行的 ${deployScript}：没有可部署的上一个版本。`),
  ];
  if (facts.current.sha256 === undefined) {
    checks.push(check('backup-differs', 'red', `The current build ${facts.current.path} could not be read (it is kept before the deploy).`, `无法读取当前版本 ${facts.current.path}（部署前需保留它）。`));
  }
  return [...checks, ...commonChecks({ facts, ...(lockHeldBy ? { lockHeldBy } : {}) })];
}

function commonChecks({ facts, lockHeldBy }: PreflightInput): RollbackCheck[] {
  const { current } = facts;
  const checks: RollbackCheck[] = [];
  const needed = 2 * (current.size ?? 0);
  if (facts.freeBytes === undefined || current.size === undefined) {
    checks.push(check('free-disk', 'red', 'Free disk space could not be read.', '无法读取剩余磁盘空间。'));
  } else if (facts.freeBytes < needed) {
    checks.push(
      check('free-disk', 'red', `Only ${facts.freeBytes} bytes free; the rollback needs ${needed} (two copies of the binary).`, `仅剩 ${facts.freeBytes} 字节；回滚需要 ${needed} 字节（两份二进制）。`),
    );
  } else {
    checks.push(check('free-disk', 'green', `${facts.freeBytes} bytes free (needs ${needed}).`, `剩余 ${facts.freeBytes} 字节（需要 ${needed}）。`));
  }
  checks.push(
    facts.restartSetting === 'always'
      ? check('restart-setting', 'green', 'The unit has Restart=always.', '该单元设置了 Restart=always。')
      : check(
          'restart-setting',
          'amber',
          `The unit has Restart=${facts.restartSetting}: an OTA update restarts it only under Restart=always.`,
          `该单元为 Restart=${facts.restartSetting}：只有 Restart=always 时 OTA 更新才会重启服务。`,
        ),
  );
  checks.push(
    lockHeldBy === undefined
      ? check('lock', 'green', 'No other operation holds the cluster.', '没有其他操作占用该集群。')
      : check('lock', 'red', `Operation ${lockHeldBy} holds the cluster's lock: resume, undo or close it first.`, `操作 ${lockHeldBy} 占用集群锁：请先继续、撤销或关闭它。`),
  );
  return checks;
}

export function canRun(checks: readonly RollbackCheck[]): boolean {
  return checks.every((c) => c.level !== 'red');
}
