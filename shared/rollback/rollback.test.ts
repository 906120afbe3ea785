import { describe, expect, it } from 'vitest';
import { clusterSchema, type Cluster, type ClusterForm } from '../inventory/schema';
import { planKinds, planSchema, planSteps } from '../ops/plan';
import { otaTargetOf } from '../stacks/profiles/voms';
import { inspectScriptArgv, parseRollbackFacts, ROLLBACK_INSPECT_SCRIPT, type RollbackFacts } from './inspect-script';
import type { CopyVerifiedParams, FileShaParams } from './kinds';
import { buildRecordsOf, keptPathOf, planRollback, tmpPathOf } from './planner';
import { canRun, preflightChecks, releaseChecks } from './preflight';

const BAD = 'a'.repeat(64);
const GOOD = 'b'.repeat(64);

function cluster(user = 'ops'): Cluster {
  return clusterSchema.parse({
    name: 'v',
    environment: 'staging',
    stacks: ['generic', 'voms'],
    hosts: [1, 2].map((i) => ({ name: `voms-${i}`, address: `10.0.0.${i}`, user, roles: ['voms'] })),
  } as ClusterForm);
}

const paths = { binary: '/opt/voms/bin/server', backup: '/opt/voms/bin/server.bak' };

const sample = [
  '== file /opt/voms/bin/server',
  'exists',
  'executable',
  `${BAD}  /opt/voms/bin/server`,
  'stat 98304 1764121860',
  '== file /opt/voms/bin/server.bak',
  'exists',
  'executable',
  `${GOOD}  /opt/voms/bin/server.bak`,
  'stat 98304 1763000000',
  '== df',
  'Filesystem     1024-blocks    Used Available Capacity Mounted on',
  '/dev/vda1         41152736 9000000  30000000      24% /',
  '== unit',
  'Restart=on-failure',
  'NRestarts=7',
  'ActiveState=activating',
  '== version',
  'voms-server 1.9.0',
  '== version-backup',
  'voms-server 1.8.3',
  '== release',
  'deploy',
  '== end',
  '',
].join('\n');

function facts(patch: Partial<RollbackFacts> = {}): RollbackFacts {
  return { ...parseRollbackFacts(sample, paths), ...patch };
}

describe('rollback inspection', () => {
  it('passes paths and the unit as arguments, never as script text', () => {
    const argv = inspectScriptArgv({ binary: "/opt/x y/server'; rm -rf ~", backup: '/b', unit: 'u', versionFlag: false, releaseDeploy: '/r/deploy.sh' });
    expect(argv.slice(0, 4)).toEqual(['sh', '-c', ROLLBACK_INSPECT_SCRIPT, 'sh']);
    expect(argv[4]).toBe("/opt/x y/server'; rm -rf ~");
    expect(argv[8]).toBe('/opt/x y');
    expect(argv[9]).toBe('/r/deploy.sh');
    expect(ROLLBACK_INSPECT_SCRIPT).not.toContain('/opt');
  });

  it('parses both builds, free space, Restart= and versions', () => {
    const parsed = parseRollbackFacts(sample, paths);
    expect(parsed.complete).toBe(true);
    expect(parsed.current).toEqual({ path: paths.binary, exists: true, executable: true, sha256: BAD, size: 98304, mtime: new Date(1764121860_000).toISOString(), version: 'voms-server 1.9.0' });
    expect(parsed.backup.sha256).toBe(GOOD);
    expect(parsed.backup.version).toBe('voms-server 1.8.3');
    expect(parsed.freeBytes).toBe(30000000 * 1024);
    expect(parsed.restartSetting).toBe('on-failure');
    expect(parsed.nRestarts).toBe(7);
    expect(parsed.releaseDeploy).toBe(true);
  });

  it('a missing backup and a cut-short output are not guessed', () => {
    const parsed = parseRollbackFacts('== file /opt/voms/bin/server\nexists\n== file /opt/voms/bin/server.bak\n', paths);
    expect(parsed.backup.exists).toBe(false);
    expect(parsed.current.sha256).toBeUndefined();
    expect(parsed.complete).toBe(false);
  });
});

describe('rollback preflight checks', () => {
  const level = (checks: ReturnType<typeof preflightChecks>, id: string) => checks.find((c) => c.id === id)?.level;

  it('a good backup and Restart=on-failure: can run, with an amber warning', () => {
    const checks = preflightChecks({ facts: facts() });
    expect(canRun(checks)).toBe(true);
    expect(level(checks, 'restart-setting')).toBe('amber');
    expect(checks.filter((c) => c.level === 'red')).toEqual([]);
    expect(checks.every((c) => c.message.en !== '' && c.message['zh-CN'] !== '')).toBe(true);
  });

  it('blocks on a missing, non-executable or identical backup, low disk and a held lock', () => {
    const base = facts();
    expect(level(preflightChecks({ facts: { ...base, backup: { path: paths.backup, exists: false, executable: false } } }), 'backup-exists')).toBe('red');
    expect(level(preflightChecks({ facts: { ...base, backup: { ...base.backup, executable: false } } }), 'backup-executable')).toBe('red');
    expect(level(preflightChecks({ facts: { ...base, backup: { ...base.backup, sha256: BAD } } }), 'backup-differs')).toBe('red');
    expect(level(preflightChecks({ facts: { ...base, freeBytes: 98304 } }), 'free-disk')).toBe('red');
    expect(level(preflightChecks({ facts: { ...base, freeBytes: 2 * 98304 } }), 'free-disk')).toBe('green');
    const locked = preflightChecks({ facts: base, lockHeldBy: '"Staged restart" (op-1, paused)' });
    expect(level(locked, 'lock')).toBe('red');
    expect(canRun(locked)).toBe(false);
    expect(level(preflightChecks({ facts: { ...base, restartSetting: 'always' } }), 'restart-setting')).toBe('green');
  });

  it('warns, without blocking, when this very backup already failed its gate in an undone rollback', () => {
    const checks = preflightChecks({ facts: facts(), failedBefore: { opId: 'op-7', finishedAt: '2026-11-26T03:00:00.000Z', gateDetail: 'HTTP 500' } });
    const warning = checks.find((c) => c.id === 'backup-failed-before');
    expect(warning?.level).toBe('amber');
    expect(warning?.message.en).toContain('rollback op-7');
    expect(warning?.message.en).toContain('(HTTP 500)');
    expect(canRun(checks)).toBe(true);
    expect(preflightChecks({ facts: facts() }).some((c) => c.id === 'backup-failed-before')).toBe(false);
  });

  it('a release rollback needs the deploy script, not the backup', () => {
    const noBackup = { ...facts(), backup: { path: paths.backup, exists: false, executable: false } };
    expect(canRun(preflightChecks({ facts: noBackup }))).toBe(false);
    expect(canRun(releaseChecks({ facts: noBackup }, '/opt/voms-release-prev/deploy.sh'))).toBe(true);
    const none = releaseChecks({ facts: { ...noBackup, releaseDeploy: false } }, '/opt/voms-release-prev/deploy.sh');
    expect(none.find((c) => c.id === 'release-deploy')?.level).toBe('red');
    expect(canRun(none)).toBe(false);
  });
});

describe('rollback plan', () => {
  const now = new Date('2026-11-26T02:11:00.123Z');
  const plan = (user = 'ops') => {
    const c = cluster(user);
    return planRollback({
      cluster: c.name,
      hosts: c.hosts.map((host) => ({ host, target: otaTargetOf(host)!, currentSha256: BAD, backupSha256: GOOD })),
      now,
      settleSeconds: 20,
      gateTimeoutSeconds: 60,
    });
  };

  it('one batch per host, in order, each stop → reset → keep → restore → start+gate → done', () => {
    const p = planSchema.parse(plan());
    expect(p.batches.map((b) => b.id)).toEqual(['rollback:voms-1', 'rollback:voms-2']);
    expect(p.batches.every((b) => b.maxParallel === 1)).toBe(true);
    expect(p.batches[0]!.steps.map((s) => s.id)).toEqual(['voms-1:stop', 'voms-1:reset', 'voms-1:keep', 'voms-1:restore', 'voms-1:start', 'voms-1:done']);
    expect([...planKinds(p).executors].sort()).toEqual(['rollback.copyVerified', 'ssh.exec']);
    expect([...planKinds(p).checks].sort()).toEqual(['rollback.fileSha', 'rollback.healthy']);
  });

  it('keeps the failed build under a UTC name and restores through a temp file in the same directory', () => {
    const steps = planSteps(plan()).map((s) => s.step);
    expect(keptPathOf(paths.binary, now)).toBe('/opt/voms/bin/server.failed-20261126T021100Z');
    const keep = steps.find((s) => s.id === 'voms-1:keep')!;
    expect(keep.action.params).toMatchObject({ from: paths.binary, to: '/opt/voms/bin/server.failed-20261126T021100Z', sha256: BAD });
    const restore = steps.find((s) => s.id === 'voms-1:restore')!;
    const params = restore.action.params as unknown as CopyVerifiedParams;
    expect(params).toMatchObject({ from: paths.backup, to: paths.binary, sha256: GOOD, tmp: tmpPathOf(paths.binary, 'restore') });
    expect(params.tmp.startsWith('/opt/voms/bin/.')).toBe(true);
    // Guard: already restored; undo: put the kept failed build back the same atomic way.
    expect(restore.guard?.params as unknown as FileShaParams).toMatchObject({ path: paths.binary, sha256: GOOD });
    expect(restore.undo?.params).toMatchObject({ from: '/opt/voms/bin/server.failed-20261126T021100Z', to: paths.binary, sha256: BAD });
  });

  it('starts with a health gate covering the settle time, and uses sudo only for non-root users', () => {
    const steps = planSteps(plan()).map((s) => s.step);
    const start = steps.find((s) => s.id === 'voms-1:start')!;
    expect(start.action.params.argv).toEqual(['sudo', '-n', '--', 'systemctl', 'start', 'voms-server']);
    expect(start.gate).toMatchObject({ kind: 'rollback.healthy', timeoutMs: 80_000 });
    expect(start.gate?.params).toMatchObject({ settleMs: 20_000, healthUrl: 'http://localhost:8181/api/v1/public/system/health' });
    expect(start.undo?.params.argv).toEqual(['sudo', '-n', '--', 'systemctl', 'stop', 'voms-server']);
    const rootStop = planSteps(plan('root')).find((s) => s.step.id === 'voms-1:stop')!.step;
    expect(rootStop.action.params.argv).toEqual(['systemctl', 'stop', 'voms-server']);
  });

  it('clears the failed state and restart counter between the stop and the start, so the restored build starts from NRestarts=0', () => {
    const steps = planSteps(plan()).map((s) => s.step);
    const ids = steps.map((s) => s.id);
    const reset = steps.find((s) => s.id === 'voms-1:reset')!;
    expect(reset.action.params.argv).toEqual(['sudo', '-n', '--', 'systemctl', 'reset-failed', 'voms-server']);
    expect(reset.undo).toBeUndefined();
    expect(ids.indexOf('voms-1:stop')).toBeLessThan(ids.indexOf('voms-1:reset'));
    expect(ids.indexOf('voms-1:reset')).toBeLessThan(ids.indexOf('voms-1:start'));
  });

  it('records both builds, the unit and what the inspection saw, for the audit entry and the findings', () => {
    const c = cluster();
    const host = c.hosts[0]!;
    const p = planRollback({
      cluster: c.name,
      hosts: [{ host, target: otaTargetOf(host)!, currentSha256: BAD, backupSha256: GOOD, before: { failedVersion: 'voms-server 1.9.0', restoredVersion: 'voms-server 1.8.3', unit: 'ActiveState=activating NRestarts=7' } }],
      now,
      settleSeconds: 20,
      gateTimeoutSeconds: 60,
    });
    expect(buildRecordsOf(p)).toEqual([
      {
        host: 'voms-1',
        unit: 'voms-server',
        binary: paths.binary,
        failedSha256: BAD,
        backup: paths.backup,
        restoredSha256: GOOD,
        kept: '/opt/voms/bin/server.failed-20261126T021100Z',
        failedVersion: 'voms-server 1.9.0',
        restoredVersion: 'voms-server 1.8.3',
        unitBefore: 'ActiveState=activating NRestarts=7',
      },
    ]);
    expect(buildRecordsOf({ kind: 'staged-restart', details: p.details })).toEqual([]);
  });

  it('release mode runs the deploy script instead of the restore, with the same undo and gate', () => {
    const c = cluster();
    const host = c.hosts[0]!;
    const p = planRollback({
      cluster: c.name,
      hosts: [{ host, target: otaTargetOf(host)!, currentSha256: BAD, backupSha256: '', releaseDeploy: '/opt/voms-release-prev/deploy.sh' }],
      now,
      settleSeconds: 20,
      gateTimeoutSeconds: 60,
    });
    const steps = planSteps(planSchema.parse(p)).map((s) => s.step);
    expect(steps.map((s) => s.id)).toEqual(['voms-1:stop', 'voms-1:reset', 'voms-1:keep', 'voms-1:deploy', 'voms-1:start', 'voms-1:done']);
    const deploy = steps[3]!;
    expect(deploy.action.params.argv).toEqual(['sudo', '-n', '--', 'sh', '/opt/voms-release-prev/deploy.sh']);
    expect(deploy.undo?.params).toMatchObject({ from: '/opt/voms/bin/server.failed-20261126T021100Z', sha256: BAD });
    expect(steps[4]!.gate?.kind).toBe('rollback.healthy');
  });

  it("a host's last step settles its undos, so a later host's failure does not undo it", () => {
    const done = planSteps(plan()).find((s) => s.step.id === 'voms-1:done')!.step;
    expect(done.restores).toEqual(['voms-1:stop', 'voms-1:restore', 'voms-1:start']);
    expect(planSteps(plan()).every((s) => s.step.undo === undefined || s.step.idempotent === true)).toBe(true);
  });
});
