import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ROLLBACK_PLAN_KIND } from '../../../shared/rollback/planner';
import { allProfiles } from '../../../shared/stacks/catalog';
import { parseSystemctlShow } from '../../../shared/stacks/parsers';
import { judgeService, systemctlShowArgv } from '../../../shared/stacks/profiles/service';
import { openLabRig, type LabRig } from '../../testing/lab-rig';
import { InspectEngine } from '../inspect/engine';
import { createLogger } from '../log/logger';
import { AuditLog } from '../audit/audit-log';
import { OperationEngine } from '../ops/engine';
import { outcomeAudit } from '../ops/outcome-audit';
import { restartKinds } from '../restart/kinds';
import { rollbackFindingSource } from './findings';
import { rollbackKinds } from './kinds';
import { rollbackOutcomeAuditor } from './outcome';
import { RollbackService } from './service';

/** The OTA rollback against the voms-bad-ota lab (a SIMULATION) through the real engine, SSH pool and kinds. */

const HOST = 'voms-1';
const SERVER = '/opt/voms/bin/server';
const BACKUP = '/opt/voms/bin/server.bak';
const log = createLogger({ minLevel: 'error', sink: () => undefined });

/** The lab rig, with the rollback's engine, service and audit log. */
interface Rig extends LabRig {
  engine: OperationEngine;
  service: RollbackService;
  audit: AuditLog;
  newEngine(): OperationEngine;
}

let rig: Rig | undefined;

async function open(variant?: string, gateTimeoutSeconds = 20): Promise<Rig> {
  const labRig = await openLabRig('voms-bad-ota', variant ? { variant } : {});
  const { dir, lab, runner, cluster } = labRig;
  const kinds = rollbackKinds({ runner, cluster });
  // ssh.exec (stop/start) comes from the restart feature, as in app-core.
  const restart = restartKinds({ runner, cluster, mongo: () => Promise.reject(new Error('no MongoDB in this lab')) });
  const executors = { ...restart.executors, ...kinds.executors };
  const checks = { ...restart.checks, ...kinds.checks };
  const audit = new AuditLog(join(dir, 'data'));
  // As in app-core: the outcome is audited from the journal, by whichever engine finishes the operation.
  const newEngine = () => {
    const engine: OperationEngine = new OperationEngine({
      dir: join(dir, 'ops'),
      executors,
      checks,
      log,
      actor: 'test',
      onRecord: outcomeAudit({ get: (opId) => engine.get(opId), append: (entry) => audit.append(entry), log }, { [ROLLBACK_PLAN_KIND]: rollbackOutcomeAuditor }),
    });
    return engine;
  };
  const engine = newEngine();
  const service = new RollbackService({ clusters: async () => lab.clusters, runner, engine, audit, settleSeconds: 1, gateTimeoutSeconds });
  rig = { ...labRig, engine, service, audit, newEngine };
  return rig;
}

afterEach(async () => {
  if (!rig) return;
  await rig.engine.dispose();
  await rig.close();
  rig = undefined;
});

function sha(r: Rig, path: string): string {
  return r.lab.host(HOST).vfs.sha256(path);
}

/** The audit entry of the rollback's end (written once the operation settled); there is exactly one. */
async function finalAudit(r: Rig): Promise<{ outcome: string; details?: Record<string, unknown> }> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const entries = (await r.audit.list({ limit: 20 })).filter((e) => e.action === 'rollback.run' && e.outcome !== 'started');
    const entry = entries[0];
    if (entry) {
      expect(entries).toHaveLength(1);
      return entry;
    }
    if (Date.now() > deadline) throw new Error('no final audit entry');
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

/** voms-server as systemd shows it on the lab host, judged by the console's one crash-loop rule. */
async function serverUnit(r: Rig) {
  const show = await r.lab.host(HOST).run(systemctlShowArgv(['voms-server']).join(' '));
  const parsed = parseSystemctlShow(show.stdout, show.code ?? undefined, { unitCount: 1 });
  if (parsed.status !== 'ok') throw new Error(parsed.reason);
  const unit = parsed.value[0]!;
  return { unit, verdict: judgeService({ manager: 'systemd', unit }, r.lab.host(HOST).clock.now()) };
}

function failedCopies(r: Rig): string[] {
  return r.lab.host(HOST).vfs.readdir('/opt/voms/bin').map((e) => e.name).filter((name) => name.startsWith('server.failed-'));
}

describe('OTA rollback on voms-bad-ota (simulation)', () => {
  it('inspects, rolls back to server.bak, keeps the failed build, and passes the health gate', async () => {
    const r = await open();
    const bad = sha(r, SERVER);
    const good = sha(r, BACKUP);
    expect(bad).not.toBe(good);

    const inspection = await r.service.inspect('voms', HOST);
    expect(inspection.current.sha256).toBe(bad);
    expect(inspection.backup?.sha256).toBe(good);
    expect(inspection.restartSetting).toBe('on-failure');
    expect(inspection.checks.find((c) => c.id === 'restart-setting')?.level).toBe('amber');
    expect(inspection.canRun).toBe(true);

    const { opId } = await r.service.start({ cluster: 'voms', host: HOST });
    const state = await r.engine.settled(opId);
    expect(state.steps.filter((s) => s.status !== 'succeeded').map((s) => `${s.id} ${s.status} ${s.error?.message ?? s.gate?.detail ?? ''}`)).toEqual([]);
    expect(state.status).toBe('succeeded');
    expect(sha(r, SERVER)).toBe(good);
    const kept = failedCopies(r);
    expect(kept).toHaveLength(1);
    expect(sha(r, `/opt/voms/bin/${kept[0]}`)).toBe(bad);
    expect(r.lab.host(HOST).vfs.exists('/opt/voms/bin/.server.switchboard-tmp')).toBe(false);
    const after = await r.service.inspect('voms', HOST);
    expect(after.current.sha256).toBe(good);
    const audit = await finalAudit(r);
    expect(audit.outcome).toBe('ok');
    expect(audit.details?.builds).toEqual([expect.objectContaining({ failedSha256: bad, restoredSha256: good, failedVersion: 'voms-server 1.9.0', restoredVersion: 'voms-server 1.8.3' })]);
    // The restored build starts from a cleared restart counter: the crash loop's count does not follow it.
    const { unit, verdict } = await serverUnit(r);
    expect(unit.nRestarts).toBe(0);
    expect(verdict.condition).toBe('running');
  }, 120_000);

  it('backup-missing: blocked by a red check, nothing touched', async () => {
    const r = await open('backup-missing');
    const before = sha(r, SERVER);
    const inspection = await r.service.inspect('voms', HOST);
    expect(inspection.backup).toBeNull();
    expect(inspection.canRun).toBe(false);
    expect(inspection.checks.find((c) => c.id === 'backup-exists')?.level).toBe('red');
    await expect(r.service.start({ cluster: 'voms', host: HOST })).rejects.toMatchObject({ code: 'CONFLICT' });
    expect(sha(r, SERVER)).toBe(before);
    expect(failedCopies(r)).toEqual([]);
    expect(await r.engine.list()).toEqual([]);
    // The release directory is offered instead.
    expect(inspection.release).toMatchObject({ deployScript: '/opt/voms-release-prev/deploy.sh', available: true, canRun: true });
  }, 120_000);

  it('backup-missing: the release rollback deploys /opt/voms-release-prev under the same gate', async () => {
    const r = await open('backup-missing');
    const bad = sha(r, SERVER);
    const previous = sha(r, '/opt/voms-release-prev/bin/server');
    expect(previous).not.toBe(bad);
    const { opId } = await r.service.start({ cluster: 'voms', host: HOST, mode: 'release' });
    const state = await r.engine.settled(opId);
    expect(state.steps.filter((s) => s.status !== 'succeeded').map((s) => `${s.id} ${s.status} ${s.error?.message ?? s.gate?.detail ?? ''}`)).toEqual([]);
    expect(sha(r, SERVER)).toBe(previous);
    const kept = failedCopies(r);
    expect(kept).toHaveLength(1);
    expect(sha(r, `/opt/voms/bin/${kept[0]}`)).toBe(bad);
  }, 120_000);

  it('backup-bad (server.bak is another bad build): the gate fails, the failed build is put back and started, the audit and a P1 finding say so', async () => {
    const r = await open('backup-bad', 3);
    const bad = sha(r, SERVER);
    const backup = sha(r, BACKUP);
    expect(backup).not.toBe(bad);
    const inspection = await r.service.inspect('voms', HOST);
    expect(inspection.canRun).toBe(true);

    const { opId } = await r.service.start({ cluster: 'voms', host: HOST });
    const state = await r.engine.settled(opId);
    expect(state.status).toBe('reverted');
    const start = state.steps.find((s) => s.id === `${HOST}:start`);
    expect(start?.gate).toMatchObject({ status: 'failed', detail: expect.stringMatching(/HTTP 500|no HTTP response|voms-server is \w+ \([\w-]+\), NRestarts=\d+/) });
    // The gate does not wait out its time once the restored build crash-loops.
    expect(start?.gate?.detail).toMatch(/the build crash-loops|systemd gave up on it/);
    expect(state.steps.filter((s) => s.status === 'undone').map((s) => s.id)).toEqual([`${HOST}:stop`, `${HOST}:restore`, `${HOST}:start`]);
    // Exactly what was there before: the failed build, kept once, running again under its unit.
    expect(sha(r, SERVER)).toBe(bad);
    const kept = failedCopies(r);
    expect(kept).toHaveLength(1);
    expect(sha(r, `/opt/voms/bin/${kept[0]}`)).toBe(bad);
    expect(r.lab.host(HOST).vfs.exists('/opt/voms/bin/.server.switchboard-tmp')).toBe(false);
    expect(['active', 'activating']).toContain((await serverUnit(r)).unit.activeState);

    const audit = await finalAudit(r);
    expect(audit.outcome).toBe('reverted');
    expect(audit.details?.steps).toContainEqual({ id: `${HOST}:start`, status: 'undone', gate: start!.gate!.detail });
    expect(audit.details?.builds).toEqual([expect.objectContaining({ failedSha256: bad, restoredSha256: backup })]);

    // The inspection round's finding: both attempts, from the journal and this round's probes.
    const cluster = r.lab.clusters.find((c) => c.name === 'voms')!;
    const { snapshot } = await new InspectEngine({ runner: r.runner, profiles: allProfiles, log }).inspect(cluster);
    const findings = await rollbackFindingSource(r.engine)(cluster, snapshot);
    expect(findings.map((f) => [f.ruleId, f.severity, f.hosts])).toEqual([['voms.rollback-reverted', 'P1', [HOST]]]);

    // Offered again, the same backup comes with a warning that it already failed.
    const again = await r.service.inspect('voms', HOST);
    expect(again.checks.find((c) => c.id === 'backup-failed-before')).toMatchObject({ level: 'amber', message: { en: expect.stringContaining(opId) } });
    expect(findings[0]!.evidence).toContain(`sha256 ${bad.slice(0, 16)}… (voms-server 1.9.0)`);
    expect(findings[0]!.evidence).toContain(`server.bak sha256 ${backup.slice(0, 16)}… (voms-server 1.9.0-rc.2); its health gate failed`);
  }, 120_000);

  it('an identical backup is still refused up front by the backup-differs check, nothing touched', async () => {
    const r = await open();
    const bad = sha(r, SERVER);
    r.lab.host(HOST).vfs.writeFile(BACKUP, r.lab.host(HOST).vfs.readFile(SERVER), { mode: 0o755 });
    const inspection = await r.service.inspect('voms', HOST);
    expect(inspection.checks.find((c) => c.id === 'backup-differs')?.level).toBe('red');
    expect(inspection.canRun).toBe(false);
    await expect(r.service.start({ cluster: 'voms', host: HOST })).rejects.toMatchObject({ code: 'CONFLICT' });
    expect(sha(r, SERVER)).toBe(bad);
    expect(failedCopies(r)).toEqual([]);
  }, 120_000);

  it('sets Restart=always with a drop-in and daemon-reload', async () => {
    const r = await open();
    expect((await r.service.inspect('voms', HOST)).restartSetting).toBe('on-failure');
    const result = await r.service.setRestartAlways('voms', HOST);
    expect(result.restartSetting).toBe('always');
    expect(r.lab.host(HOST).vfs.readFile('/etc/systemd/system/voms-server.service.d/switchboard-restart.conf').toString()).toBe('[Service]\nRestart=always\n');
    const inspection = await r.service.inspect('voms', HOST);
    expect(inspection.checks.find((c) => c.id === 'restart-setting')?.level).toBe('green');
  }, 120_000);

  it('a crash mid-rollback resumes on a new engine; the binary is always one whole build', async () => {
    const r = await open();
    const bad = sha(r, SERVER);
    const good = sha(r, BACKUP);
    const seen = new Set<string>();
    const sampler = setInterval(() => {
      try {
        seen.add(sha(r, SERVER));
      } catch {
        seen.add('missing');
      }
    }, 1);
    try {
      const { opId } = await r.service.start({ cluster: 'voms', host: HOST });
      // Crash as soon as the restore step has begun.
      const deadline = Date.now() + 60_000;
      for (;;) {
        const state = await r.engine.get(opId);
        const restore = state.steps.find((s) => s.id === `${HOST}:restore`);
        if (restore && restore.status !== 'pending') break;
        if (Date.now() > deadline) throw new Error('the restore step never began');
        // Let the SSH I/O run between polls (a yield, not a timed wait).
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
      await r.engine.dispose();
      const crashed = sha(r, SERVER);
      expect([bad, good]).toContain(crashed);

      const engine = r.newEngine();
      r.engine = engine;
      const recovered = await engine.recover();
      expect(recovered.map((op) => op.id)).toContain(opId);
      await engine.resume(opId);
      const state = await engine.settled(opId);
      expect(state.status).toBe('succeeded');
      // The engine that resumed it wrote the outcome; the one that started it never saw the end.
      const audit = await finalAudit(r);
      expect(audit.outcome).toBe('ok');
      expect(audit.details?.opId).toBe(opId);
    } finally {
      clearInterval(sampler);
    }
    expect(sha(r, SERVER)).toBe(good);
    expect([...seen].sort()).toEqual([bad, good].sort());
    expect(r.lab.host(HOST).vfs.exists('/opt/voms/bin/.server.switchboard-tmp')).toBe(false);
  }, 120_000);
});
