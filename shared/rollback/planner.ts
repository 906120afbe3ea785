import type { Batch, Plan, Step } from '../ops/plan';
import type { Host } from '../inventory/schema';
import { asRoot } from '../restart/commands';
import type { SshExecParams } from '../restart/kinds';
import { CRASH_LOOP_RESTARTS } from '../stacks/profiles/service';
import type { OtaTarget } from '../stacks/profiles/voms';
import { dirnameOf } from './inspect-script';
import type { CopyVerifiedParams, FileShaParams, HealthyParams } from './kinds';

/**
 * The OTA rollback plan: per host, one batch (hosts roll back one at a time, the engine stops
 * at the first failure). Steps: stop the unit; clear its failed state and restart counter
 * (`systemctl reset-failed`, see `reset` below); keep the current build as
 * `server.failed-<UTC time>`; restore the backup atomically; start with a health gate; then a
 * cleanup that marks the host done, so a later host's failure does not undo it.
 */

export const ROLLBACK_PLAN_KIND = 'ota-rollback';

export interface RollbackHostInput {
  host: Host;
  target: OtaTarget;
  /** SHA-256 of the build now in place (the failed one) and of the backup, read by the inspection. */
  currentSha256: string;
  backupSha256: string;
  /** Release-directory rollback: run this deploy script instead of restoring the backup (backupSha256 is then unused). */
  releaseDeploy?: string;
  /** What the inspection saw before the rollback, kept in the plan as evidence (the versions, the unit's state). */
  before?: { failedVersion?: string; restoredVersion?: string; unit?: string };
}

/** One host's builds as the plan's `details.builds` records them (the audit entry and the findings read them back). */
export interface RollbackBuildRecord {
  host: string;
  /** Absent in journals written before it was recorded. */
  unit?: string;
  binary: string;
  failedSha256: string;
  /** Backup rollback: the backup restored, and its SHA-256. */
  backup?: string;
  restoredSha256?: string;
  /** Release rollback: the deploy script run. */
  releaseDeploy?: string;
  kept: string;
  failedVersion?: string;
  restoredVersion?: string;
  /** `ActiveState=… NRestarts=…` of the unit before the rollback. */
  unitBefore?: string;
}

export interface RollbackPlanOptions {
  cluster: string;
  hosts: RollbackHostInput[];
  /** When the plan is made: names the kept build. */
  now: Date;
  /** How long the unit must stay up, unrestarted, after its start. */
  settleSeconds: number;
  /** How long the health gate may take beyond the settle time. */
  gateTimeoutSeconds: number;
}

/** `20261126T021100Z`: sortable, no characters a shell or a file name minds. */
export function utcStamp(now: Date): string {
  return now.toISOString().replace(/\.\d{3}Z$/, 'Z').replace(/[-:]/g, '');
}

export function keptPathOf(binary: string, now: Date): string {
  return `${binary}.failed-${utcStamp(now)}`;
}

export function tmpPathOf(binary: string, purpose: 'restore' | 'keep'): string {
  const base = binary.slice(binary.lastIndexOf('/') + 1);
  return `${dirnameOf(binary)}/.${base}.switchboard-${purpose === 'restore' ? 'tmp' : 'keep'}`;
}

function exec(host: Host, argv: string[]): { kind: string; params: Record<string, unknown> } {
  const params: SshExecParams = { host: host.name, argv: asRoot(host, argv) };
  return { kind: 'ssh.exec', params: { ...params } };
}

function hostSteps(input: RollbackHostInput, options: RollbackPlanOptions): Step[] {
  const { host, target } = input;
  const name = host.name;
  const sudo = host.user !== 'root';
  const kept = keptPathOf(target.binary, options.now);
  const restoreTmp = tmpPathOf(target.binary, 'restore');
  const id = (step: string) => `${name}:${step}`;
  const settleMs = options.settleSeconds * 1000;

  const keep: CopyVerifiedParams = { host: name, from: target.binary, to: kept, tmp: tmpPathOf(target.binary, 'keep'), sha256: input.currentSha256, sudo };
  const keptInPlace: FileShaParams = { host: name, path: kept, sha256: input.currentSha256, sudo };
  const restore: CopyVerifiedParams = { host: name, from: target.backup, to: target.binary, tmp: restoreTmp, sha256: input.backupSha256, sudo };
  const restored: FileShaParams = { host: name, path: target.binary, sha256: input.backupSha256, sudo };
  const putBack: CopyVerifiedParams = { host: name, from: kept, to: target.binary, tmp: restoreTmp, sha256: input.currentSha256, sudo };
  const healthy: HealthyParams = { host: name, unit: target.unit, healthUrl: target.healthUrl, settleMs, sudo, failAfterRestarts: CRASH_LOOP_RESTARTS };

  const restoreStep: Step =
    input.releaseDeploy !== undefined
      ? {
          id: id('deploy'),
          host: name,
          title: `Deploy the previous release (${input.releaseDeploy})`,
          description: `sh ${input.releaseDeploy}: the release's own deploy (it may start the unit)`,
          action: exec(host, ['sh', input.releaseDeploy]),
          undo: { kind: 'rollback.copyVerified', params: { ...putBack } },
          undoTitle: `Put the failed build back from ${kept}`,
          idempotent: true,
        }
      : {
          id: id('restore'),
          host: name,
          title: `Restore ${target.backup} over ${target.binary}`,
          description: `Copy the backup to ${restoreTmp}, check its SHA-256 (${input.backupSha256.slice(0, 12)}…), rename it over ${target.binary}`,
          action: { kind: 'rollback.copyVerified', params: { ...restore } },
          guard: { kind: 'rollback.fileSha', params: { ...restored } },
          undo: { kind: 'rollback.copyVerified', params: { ...putBack } },
          undoTitle: `Put the failed build back from ${kept}`,
          idempotent: true,
        };

  return [
    {
      id: id('stop'),
      host: name,
      title: `Stop ${target.unit} on ${name}`,
      description: `systemctl stop ${target.unit}`,
      action: exec(host, ['systemctl', 'stop', target.unit]),
      undo: exec(host, ['systemctl', 'start', target.unit]),
      undoTitle: `Start ${target.unit} on ${name} again`,
      idempotent: true,
    },
    {
      // systemd keeps NRestarts across a stop that cancelled a pending automatic restart (the
      // crash loop's usual state), so the build started below would inherit the failed build's
      // count and look crash-looping; reset-failed zeroes it and the start rate limit.
      id: id('reset'),
      host: name,
      title: `Clear the failed state and restart counter of ${target.unit}`,
      description: `systemctl reset-failed ${target.unit}: the build started below begins with NRestarts=0 and cannot be refused by the start rate limit`,
      action: exec(host, ['systemctl', 'reset-failed', target.unit]),
      idempotent: true,
    },
    {
      id: id('keep'),
      host: name,
      title: `Keep the failed build as ${kept}`,
      description: `Copy ${target.binary} to ${kept} and check its SHA-256 (${input.currentSha256.slice(0, 12)}…)`,
      action: { kind: 'rollback.copyVerified', params: { ...keep } },
      guard: { kind: 'rollback.fileSha', params: { ...keptInPlace } },
      idempotent: true,
    },
    restoreStep,
    {
      id: id('start'),
      host: name,
      title: `Start ${target.unit} on ${name} and check its health`,
      description: `systemctl start ${target.unit}; ${target.healthUrl} answers OK and the unit stays up without a restart for ${options.settleSeconds} s`,
      action: exec(host, ['systemctl', 'start', target.unit]),
      gate: { kind: 'rollback.healthy', params: { ...healthy }, timeoutMs: settleMs + options.gateTimeoutSeconds * 1000, intervalMs: 500, backoff: { factor: 2, maxIntervalMs: 5000 } },
      undo: exec(host, ['systemctl', 'stop', target.unit]),
      undoTitle: `Stop ${target.unit} on ${name}`,
      idempotent: true,
    },
    {
      id: id('done'),
      host: name,
      title: `${name} rolled back`,
      description: `Remove the temporary copies; ${name} keeps the restored build even if a later host fails`,
      action: exec(host, ['rm', '-f', '--', restoreTmp, tmpPathOf(target.binary, 'keep')]),
      restores: [id('stop'), id(input.releaseDeploy !== undefined ? 'deploy' : 'restore'), id('start')],
      idempotent: true,
    },
  ];
}

export function planRollback(options: RollbackPlanOptions): Plan {
  const batches: Batch[] = options.hosts.map((input) => ({
    id: `rollback:${input.host.name}`,
    title: `Roll back ${input.target.unit} on ${input.host.name}`,
    steps: hostSteps(input, options),
    maxParallel: 1,
  }));
  const names = options.hosts.map((h) => h.host.name);
  return {
    kind: ROLLBACK_PLAN_KIND,
    cluster: options.cluster,
    title: `OTA rollback of ${names.join(', ')}`,
    batches,
    details: { builds: options.hosts.map((h) => buildRecord(h, options.now)) },
  };
}

function buildRecord(input: RollbackHostInput, now: Date): RollbackBuildRecord {
  const { host, target, before } = input;
  return {
    host: host.name,
    unit: target.unit,
    binary: target.binary,
    failedSha256: input.currentSha256,
    ...(input.releaseDeploy !== undefined ? { releaseDeploy: input.releaseDeploy } : { backup: target.backup, restoredSha256: input.backupSha256 }),
    kept: keptPathOf(target.binary, now),
    ...(before?.failedVersion !== undefined ? { failedVersion: before.failedVersion } : {}),
    ...(before?.restoredVersion !== undefined ? { restoredVersion: before.restoredVersion } : {}),
    ...(before?.unit !== undefined ? { unitBefore: before.unit } : {}),
  };
}

/** The `details.builds` of a rollback plan, read back from a journal (entries of another shape are left out). */
export function buildRecordsOf(plan: Pick<Plan, 'kind' | 'details'>): RollbackBuildRecord[] {
  if (plan.kind !== ROLLBACK_PLAN_KIND) return [];
  const builds = plan.details?.builds;
  if (!Array.isArray(builds)) return [];
  return builds.filter(
    (b): b is RollbackBuildRecord =>
      typeof b === 'object' && b !== null && typeof (b as RollbackBuildRecord).host === 'string' && typeof (b as RollbackBuildRecord).failedSha256 === 'string',
  );
}
