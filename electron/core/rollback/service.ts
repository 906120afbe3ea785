import { AppError } from '../../../shared/contract/errors';
import type { RollbackInspection } from '../../../shared/contract/rollback';
import { findHost, type Cluster, type Host } from '../../../shared/inventory/schema';
import type { Plan } from '../../../shared/ops/plan';
import { asRoot } from '../../../shared/restart/commands';
import { inspectScriptArgv, parseRollbackFacts, type RollbackFacts } from '../../../shared/rollback/inspect-script';
import { planRollback, type RollbackHostInput } from '../../../shared/rollback/planner';
import { canRun, preflightChecks, releaseChecks, type PreflightInput } from '../../../shared/rollback/preflight';
import { labelOf } from '../../../shared/stacks/profiles/common';
import { otaTargetOf, type OtaTarget } from '../../../shared/stacks/profiles/voms';
import type { AuditLog } from '../audit/audit-log';
import type { HostRunner } from '../hosts/host-runner';
import type { OperationEngine } from '../ops/engine';
import { revertedRollbacksOf } from './findings';

export const DEFAULT_RELEASE_PREV = '/opt/voms-release-prev';
export const DEFAULT_SETTLE_SECONDS = 20;
const DEFAULT_GATE_TIMEOUT_SECONDS = 120;
const DROP_IN_NAME = 'switchboard-restart.conf';

/**
 * Writes `[Service]\nRestart=always` as a drop-in, atomically (temp file, then mv), then
 * daemon-reload. The drop-in directory arrives as "$1".
 */
const RESTART_ALWAYS_SCRIPT = [
  'mkdir -p "$1"',
  `printf '[Service]\\nRestart=always\\n' > "$1/.${DROP_IN_NAME}.tmp"`,
  `mv -f "$1/.${DROP_IN_NAME}.tmp" "$1/${DROP_IN_NAME}"`,
  'systemctl daemon-reload',
].join(' && ');

export interface RollbackServiceDeps {
  clusters(): Promise<Cluster[]>;
  runner: HostRunner;
  engine: OperationEngine;
  audit?: AuditLog;
  now?: () => Date;
  /** Default settle time of the health gate (tests use a small one). */
  settleSeconds?: number;
  gateTimeoutSeconds?: number;
}

export interface StartInput {
  cluster: string;
  host: string;
  moreHosts?: string[];
  confirmName?: string;
  mode?: 'backup' | 'release';
  settleSeconds?: number;
}

/** What `inspect` answers: the contract's inspection, always with the release part. */
export type HostInspection = RollbackInspection & { release: NonNullable<RollbackInspection['release']> };

/** The versions and the unit's state as the inspection read them, kept in the plan as evidence. */
function evidenceBefore(facts: RollbackFacts, byRelease: boolean): NonNullable<RollbackHostInput['before']> {
  const unit = [facts.activeState === undefined ? '' : `ActiveState=${facts.activeState}`, facts.nRestarts === undefined ? '' : `NRestarts=${facts.nRestarts}`, `Restart=${facts.restartSetting}`]
    .filter((part) => part !== '')
    .join(' ');
  return {
    unit,
    ...(facts.current.version !== undefined ? { failedVersion: facts.current.version } : {}),
    ...(!byRelease && facts.backup.version !== undefined ? { restoredVersion: facts.backup.version } : {}),
  };
}

/** The previous release directory of a host (label `voms.releasePrev`) and its deploy script. */
function releaseOf(host: Host): { dir: string; deployScript: string } {
  const dir = labelOf(host, 'voms.releasePrev') ?? DEFAULT_RELEASE_PREV;
  return { dir, deployScript: `${dir.replace(/\/+$/, '')}/deploy.sh` };
}

function truthy(value: string | undefined): boolean {
  return value !== undefined && /^(1|true|yes|on)$/i.test(value.trim());
}

/**
 * One-click OTA rollback: inspects the builds on the host, refuses while a red check fails,
 * and runs the rollback plan (`shared/rollback/planner.ts`) on the operation engine with
 * `undo-and-stop`, so a rollback whose health gate fails puts the failed build back. It audits
 * the start; the outcome is audited from the engine's journal (`outcome.ts`), so a rollback
 * resumed after a restart of the app gets its entry too.
 */
export class RollbackService {
  constructor(private readonly deps: RollbackServiceDeps) {}

  async inspect(clusterName: string, hostName: string): Promise<HostInspection> {
    return (await this.inspectWithFacts(clusterName, hostName)).inspection;
  }

  private async inspectWithFacts(clusterName: string, hostName: string): Promise<{ inspection: HostInspection; facts: RollbackFacts }> {
    const { cluster, host, target } = await this.target(clusterName, hostName);
    const facts = await this.readFacts(cluster, host, target);
    const lockHeldBy = await this.lockHeldBy(cluster.name);
    const lock = lockHeldBy ? { lockHeldBy } : {};
    const failedBefore = await this.failedBefore(cluster.name, host.name, facts.backup.sha256);
    const checks = preflightChecks({ facts, ...lock, ...(failedBefore ? { failedBefore } : {}) });
    const release = releaseOf(host);
    const forRelease = releaseChecks({ facts, ...lock }, release.deployScript);
    const inspection: HostInspection = {
      cluster: cluster.name,
      host: host.name,
      target: { ...target, releaseDir: release.dir },
      current: facts.current,
      backup: facts.backup.exists ? facts.backup : null,
      checks,
      restartSetting: facts.restartSetting,
      release: { deployScript: release.deployScript, available: facts.releaseDeploy, checks: forRelease, canRun: canRun(forRelease) },
      ...(lockHeldBy ? { lockHeldBy } : {}),
      canRun: canRun(checks),
      summary: `Stop ${target.unit}, clear its restart counter, keep ${target.binary} as ${target.binary}.failed-<time>, put ${target.backup} in its place, start it and check its health; put the failed build back if the check fails.`,
    };
    return { inspection, facts };
  }

  async setRestartAlways(clusterName: string, hostName: string): Promise<{ restartSetting: string }> {
    const { cluster, host, target } = await this.target(clusterName, hostName);
    const dropInDir = `/etc/systemd/system/${target.unit.endsWith('.service') ? target.unit : `${target.unit}.service`}.d`;
    const result = await this.deps.runner.run(cluster, host, asRoot(host, ['sh', '-c', RESTART_ALWAYS_SCRIPT, 'sh', dropInDir]));
    const facts = await this.readFacts(cluster, host, target);
    const ok = result.exitCode === 0 && facts.restartSetting === 'always';
    await this.deps.audit?.append({
      action: 'rollback.setRestartAlways',
      cluster: cluster.name,
      hosts: [host.name],
      outcome: ok ? 'ok' : 'failed',
      summary: `Restart=always for ${target.unit} on ${host.name} (drop-in ${dropInDir}/${DROP_IN_NAME})`,
      details: { restartSetting: facts.restartSetting, exitCode: result.exitCode },
    });
    if (!ok) {
      throw new AppError('INTERNAL', `Setting Restart=always on ${host.name} failed (exit ${result.exitCode ?? 'none'}, Restart=${facts.restartSetting}): ${result.stderr.trim().slice(0, 300)}`);
    }
    return { restartSetting: facts.restartSetting };
  }

  /** The plan `start` would run now, built from a fresh inspection of every host; refuses while a red check fails. */
  async plan(input: StartInput): Promise<{ plan: Plan; inspections: HostInspection[] }> {
    const cluster = await this.cluster(input.cluster);
    const names = [...new Set([input.host, ...(input.moreHosts ?? [])])];
    const hosts: RollbackHostInput[] = [];
    const inspections: HostInspection[] = [];
    for (const name of names) {
      const { inspection, facts } = await this.inspectWithFacts(cluster.name, name);
      inspections.push(inspection);
      const byRelease = input.mode === 'release';
      const checks = byRelease ? inspection.release.checks : inspection.checks;
      const red = checks.filter((c) => c.level === 'red');
      const backupSha256 = byRelease ? '' : inspection.backup?.sha256;
      if (red.length > 0 || !inspection.current.sha256 || backupSha256 === undefined) {
        const reasons = red.map((c) => c.message.en);
        throw new AppError('CONFLICT', `The rollback of ${name} cannot start: ${reasons.join(' ')}`, { host: name, reasons, checks });
      }
      const { host, target } = await this.target(cluster.name, name);
      hosts.push({
        host,
        target,
        currentSha256: inspection.current.sha256,
        backupSha256,
        ...(byRelease ? { releaseDeploy: inspection.release.deployScript } : {}),
        before: evidenceBefore(facts, byRelease),
      });
    }
    const plan = planRollback({
      cluster: cluster.name,
      hosts,
      now: this.deps.now?.() ?? new Date(),
      settleSeconds: input.settleSeconds ?? this.deps.settleSeconds ?? DEFAULT_SETTLE_SECONDS,
      gateTimeoutSeconds: this.deps.gateTimeoutSeconds ?? DEFAULT_GATE_TIMEOUT_SECONDS,
    });
    return { plan, inspections };
  }

  async start(input: StartInput): Promise<{ opId: string }> {
    const cluster = await this.cluster(input.cluster);
    if (cluster.environment === 'production' && input.confirmName !== cluster.name) {
      throw new AppError('INVALID_INPUT', `Cluster ${cluster.name} is production: type its name to confirm the rollback.`);
    }
    const { plan } = await this.plan(input);
    const names = plan.batches.map((b) => b.steps[0]!.host!);
    const opId = await this.deps.engine.start(plan, { onGateFailure: 'undo-and-stop' });
    await this.deps.audit?.append({
      action: 'rollback.run',
      cluster: cluster.name,
      hosts: names,
      outcome: 'started',
      summary: `Started ${plan.title}`,
      details: { opId, ...plan.details },
    });
    return { opId };
  }

  private async readFacts(cluster: Cluster, host: Host, target: OtaTarget): Promise<RollbackFacts> {
    const argv = inspectScriptArgv({
      binary: target.binary,
      backup: target.backup,
      unit: target.unit,
      versionFlag: truthy(labelOf(host, 'voms.versionFlag')),
      releaseDeploy: releaseOf(host).deployScript,
    });
    const result = await this.deps.runner.run(cluster, host, asRoot(host, argv), { timeoutMs: 60_000 });
    const facts = parseRollbackFacts(result.stdout, target);
    if (!facts.complete) throw new AppError('UNAVAILABLE', `Reading the builds on ${host.name} did not finish (exit ${result.exitCode ?? 'none'}): ${result.stderr.trim().slice(0, 300)}`);
    return facts;
  }

  /** The newest rollback of this host that restored this very backup, failed its gate and was undone. */
  private async failedBefore(cluster: string, host: string, backupSha256: string | undefined): Promise<PreflightInput['failedBefore']> {
    if (backupSha256 === undefined) return undefined;
    const reverted = (await revertedRollbacksOf(this.deps.engine, cluster)).get(host);
    if (reverted?.build.restoredSha256 !== backupSha256) return undefined;
    const gateDetail = reverted.start.gate?.detail;
    return { opId: reverted.opId, finishedAt: reverted.finishedAt, ...(gateDetail ? { gateDetail } : {}) };
  }

  private async lockHeldBy(cluster: string): Promise<string | undefined> {
    const open = (await this.deps.engine.recover()).filter((op) => op.cluster === cluster);
    return open.length === 0 ? undefined : open.map((op) => `"${op.title}" (${op.id}, ${op.status})`).join(', ');
  }

  private async cluster(name: string): Promise<Cluster> {
    const cluster = (await this.deps.clusters()).find((c) => c.name === name);
    if (!cluster) throw new AppError('NOT_FOUND', `No cluster named "${name}"`);
    return cluster;
  }

  private async target(clusterName: string, hostName: string): Promise<{ cluster: Cluster; host: Host; target: OtaTarget }> {
    const cluster = await this.cluster(clusterName);
    const host = findHost(cluster, hostName);
    if (!host) throw new AppError('NOT_FOUND', `Cluster ${cluster.name} has no host "${hostName}".`);
    const target = otaTargetOf(host);
    if (!target) throw new AppError('INVALID_INPUT', `${host.name} is not an OTA-managed VOMS host (no voms role or no systemd voms-server).`);
    return { cluster, host, target };
  }
}
