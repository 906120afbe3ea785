import type { OpState, StepState } from '../ops/state';
import { raise, type Finding } from '../stacks/findings';
import { rawOf, valueOf, type ClusterSnapshot, type HostSnapshot } from '../stacks/profile';
import { evidence } from '../stacks/profiles/common';
import { judgeService, probedAtMs } from '../stacks/profiles/service';
import { VOMS_HEALTH_PATH, vomsProbes, vomsRules } from '../stacks/profiles/voms';
import { buildRecordsOf, ROLLBACK_PLAN_KIND, type RollbackBuildRecord } from './planner';

/**
 * The P1 finding of a rollback undone by its health gate (`voms.rollback-reverted`): the journal
 * says the restored build failed and the failed one was put back; the inspection round says
 * whether that is still what runs. The finding shows while, for that host:
 *   - the newest rollback with a result for the host is one whose gate failed and that was undone
 *     (a later rollback that succeeded, or one the admin undid by choice, ends it);
 *   - the binary is still the build that was put back (another SHA-256 means another build was
 *     installed since; an unreadable one keeps the finding);
 *   - voms-server is not healthy (a running unit with an OK health answer ends it).
 */

/** What a finished rollback did on one host. */
export type HostRollbackResult = 'rolled-back' | 'gate-failed' | 'undone';

export interface RevertedRollback {
  opId: string;
  finishedAt: string;
  build: RollbackBuildRecord;
  /** The start step, whose gate failed. */
  start: StepState;
  /** The steps that were undone, newest change first, as the undo ran them. */
  undone: StepState[];
}

function stepsOf(state: OpState, host: string): StepState[] {
  return state.steps.filter((step) => step.host === host);
}

/** A host's `done` step settles it as rolled back; an operation that ended `reverted` says how its changes were undone. */
export function hostRollbackResult(state: OpState, host: string): HostRollbackResult | undefined {
  if (state.plan.kind !== ROLLBACK_PLAN_KIND) return undefined;
  const steps = stepsOf(state, host);
  if (steps.find((step) => step.id === `${host}:done`)?.status === 'succeeded') return 'rolled-back';
  if (state.status !== 'reverted' || !steps.some((step) => step.status === 'undone')) return undefined;
  return steps.find((step) => step.id === `${host}:start`)?.gate?.status === 'failed' ? 'gate-failed' : 'undone';
}

/**
 * Per host, the rollback undone by its gate that still speaks for it: `newestFirst` are finished
 * rollback operations of one cluster, newest first; the first with a result for a host decides.
 */
export function revertedRollbacks(newestFirst: readonly OpState[]): Map<string, RevertedRollback> {
  const decided = new Set<string>();
  const reverted = new Map<string, RevertedRollback>();
  for (const state of newestFirst) {
    for (const build of buildRecordsOf(state.plan)) {
      if (decided.has(build.host)) continue;
      const result = hostRollbackResult(state, build.host);
      if (result === undefined) continue;
      decided.add(build.host);
      const start = stepsOf(state, build.host).find((step) => step.id === `${build.host}:start`);
      if (result !== 'gate-failed' || start === undefined || state.finished === undefined) continue;
      const undone = stepsOf(state, build.host)
        .filter((step) => step.status === 'undone')
        .reverse();
      reverted.set(build.host, { opId: state.id, finishedAt: state.finished.at, build, start, undone });
    }
  }
  return reverted;
}

const shortSha = (sha: string | undefined) => (sha === undefined ? '?' : `${sha.slice(0, 16)}…`);

function currentSha(host: HostSnapshot, binary: string): string | undefined {
  return valueOf(host, vomsProbes.otaSums)?.files.find((file) => file.path === binary)?.sha256;
}

function serverVerdict(host: HostSnapshot) {
  const unit = valueOf(host, vomsProbes.units)?.['voms-server'];
  return unit === undefined ? undefined : judgeService({ manager: 'systemd', unit }, probedAtMs(host));
}

function healthyNow(host: HostSnapshot): boolean {
  return serverVerdict(host)?.condition === 'running' && valueOf(host, vomsProbes.health)?.overall === 'ok';
}

function evidenceOf(rollback: RevertedRollback, host: HostSnapshot): string {
  const { build, start } = rollback;
  const version = (v: string | undefined) => (v === undefined ? '' : ` (${v})`);
  const restored =
    build.releaseDeploy !== undefined
      ? `the previous release, deployed by ${build.releaseDeploy}`
      : `${build.backup ?? 'the backup'} sha256 ${shortSha(build.restoredSha256)}${version(build.restoredVersion)}`;
  const verdict = serverVerdict(host);
  const health = rawOf(host, vomsProbes.health);
  return evidence([
    `Rollback ${rollback.opId}, undone at ${rollback.finishedAt}:`,
    `1. The build in place: ${build.binary} sha256 ${shortSha(build.failedSha256)}${version(build.failedVersion)}${build.unitBefore ? `; before the rollback ${build.unitBefore}` : ''}.`,
    `2. The rollback started ${restored}; its health gate failed after ${start.gate?.attempts ?? '?'} checks: ${start.gate?.detail ?? start.error?.message ?? 'no detail'}`,
    `Put back: ${rollback.undone.map((step) => step.undoTitle ?? step.title).join('; ')} (${build.binary} is again sha256 ${shortSha(build.failedSha256)}; the kept copy is ${build.kept}).`,
    `Now: ${verdict?.evidence ?? 'voms-server state not read this round'}`,
    ...(health === '' ? [] : [`GET ${VOMS_HEALTH_PATH}: ${health}`]),
  ]);
}

/** The findings of `reverted` rollbacks on the hosts of this round that still run the failed build and are not healthy. */
export function rollbackRevertedFindings(snapshot: ClusterSnapshot, reverted: ReadonlyMap<string, RevertedRollback>): Finding[] {
  const findings: Finding[] = [];
  for (const [name, rollback] of reverted) {
    const host = snapshot.hosts.find((h) => h.host.name === name);
    if (host === undefined) continue;
    const sha = currentSha(host, rollback.build.binary);
    if ((sha !== undefined && sha !== rollback.build.failedSha256) || healthyNow(host)) continue;
    const gate = rollback.start.gate?.detail ?? rollback.start.error?.message ?? 'no detail';
    findings.push(
      raise(vomsRules.rollbackReverted, {
        cluster: snapshot.cluster.name,
        subject: name,
        hosts: [name],
        params: { host: name, unit: rollback.build.unit ?? 'voms-server', gate: gate.length > 160 ? `${gate.slice(0, 160)}…` : gate, opId: rollback.opId },
        evidence: evidenceOf(rollback, host),
      }),
    );
  }
  return findings;
}
