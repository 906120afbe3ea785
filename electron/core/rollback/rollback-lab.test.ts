import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startLab, type LabHandle } from '../../lab/lab';
import { createPoolFixture, type PoolFixture } from '../../testing/ssh-pool-fixture';
import { PoolHostRunner } from '../hosts/pool-runner';
import { VaultSecretStore } from '../inventory/secrets';
import { createLogger } from '../log/logger';
import { AuditLog } from '../audit/audit-log';
import { labBinary } from '../../lab/host/lab-binary';
import { OperationEngine } from '../ops/engine';
import { restartKinds } from '../restart/kinds';
import { rollbackKinds } from './kinds';
import { RollbackService } from './service';

/** The OTA rollback against the voms-bad-ota lab (a SIMULATION) through the real engine, SSH pool and kinds. */

const HOST = 'voms-1';
const SERVER = '/opt/voms/bin/server';
const BACKUP = '/opt/voms/bin/server.bak';
const log = createLogger({ minLevel: 'error', sink: () => undefined });

interface Rig {
  dir: string;
  lab: LabHandle;
  fixture: PoolFixture;
  runner: PoolHostRunner;
  engine: OperationEngine;
  service: RollbackService;
  audit: AuditLog;
  newEngine(): OperationEngine;
}

let rig: Rig | undefined;

async function open(variant?: string, gateTimeoutSeconds = 20): Promise<Rig> {
  const dir = mkdtempSync(join(tmpdir(), 'sb-rollback-'));
  const lab = await startLab({ scenario: 'voms-bad-ota', ...(variant ? { variant } : {}), timeScale: 0.01, dir: join(dir, 'lab') });
  const fixture = await createPoolFixture({ policy: 'strict' });
  const secrets = new VaultSecretStore(join(dir, 'lab'));
  if (lab.vaultPassphrase) await secrets.unlock(lab.vaultPassphrase);
  const runner = new PoolHostRunner(fixture.pool, secrets);
  const cluster = async (name: string) => lab.clusters.find((c) => c.name === name)!;
  const kinds = rollbackKinds({ runner, cluster });
  // ssh.exec (stop/start) comes from the restart feature, as in app-core.
  const restart = restartKinds({ runner, cluster, mongo: () => Promise.reject(new Error('no MongoDB in this lab')) });
  const executors = { ...restart.executors, ...kinds.executors };
  const checks = { ...restart.checks, ...kinds.checks };
  const newEngine = () => new OperationEngine({ dir: join(dir, 'ops'), executors, checks, log, actor: 'test' });
  const engine = newEngine();
  const audit = new AuditLog(join(dir, 'data'));
  const service = new RollbackService({ clusters: async () => lab.clusters, runner, engine, audit, settleSeconds: 1, gateTimeoutSeconds });
  rig = { dir, lab, fixture, runner, engine, service, audit, newEngine };
  return rig;
}

afterEach(async () => {
  if (!rig) return;
  await rig.engine.dispose();
  await rig.fixture.close();
  await rig.lab.stop();
  rmSync(rig.dir, { recursive: true, force: true });
  rig = undefined;
});

function sha(r: Rig, path: string): string {
  return r.lab.host(HOST).vfs.sha256(path);
}

/** The audit entry of the rollback's end (written once the operation settled). */
async function finalAudit(r: Rig): Promise<{ outcome: string; details?: Record<string, unknown> }> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const entry = (await r.audit.list({ limit: 20 })).find((e) => e.action === 'rollback.run' && e.outcome !== 'started');
    if (entry) return entry;
    if (Date.now() > deadline) throw new Error('no final audit entry');
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
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
    expect(audit.details?.builds).toEqual([expect.objectContaining({ failedSha256: bad, restoredSha256: good })]);
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

  it('backup-bad (server.bak is the same bad build): blocked by the backup-differs check, nothing touched', async () => {
    const r = await open('backup-bad');
    const bad = sha(r, SERVER);
    expect(sha(r, BACKUP)).toBe(bad);
    const inspection = await r.service.inspect('voms', HOST);
    expect(inspection.checks.find((c) => c.id === 'backup-differs')?.level).toBe('red');
    expect(inspection.canRun).toBe(false);
    await expect(r.service.start({ cluster: 'voms', host: HOST })).rejects.toMatchObject({ code: 'CONFLICT' });
    expect(sha(r, SERVER)).toBe(bad);
    expect(failedCopies(r)).toEqual([]);
  }, 120_000);

  it('a backup that is broken too (another build): the gate fails and the failed build is put back', async () => {
    const r = await open(undefined, 3);
    const bad = sha(r, SERVER);
    const broken = labBinary({ program: 'voms-server', version: '1.8.9', health: 'error', startupMs: 100, sizeBytes: 96 * 1024, versionOutput: 'voms-server 1.8.9' });
    r.lab.host(HOST).vfs.writeFile(BACKUP, broken, { mode: 0o755 });
    const { opId } = await r.service.start({ cluster: 'voms', host: HOST });
    const state = await r.engine.settled(opId);
    expect(state.status).toBe('reverted');
    const start = state.steps.find((s) => s.id === `${HOST}:start`);
    expect(start?.gate?.detail ?? start?.error?.message).toBeTruthy();
    expect(sha(r, SERVER)).toBe(bad);
    const kept = failedCopies(r);
    expect(kept).toHaveLength(1);
    expect(sha(r, `/opt/voms/bin/${kept[0]}`)).toBe(bad);
    const audit = await finalAudit(r);
    expect(audit.outcome).toBe('reverted');
    expect(JSON.stringify(audit.details?.steps)).toContain('HTTP');
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
    } finally {
      clearInterval(sampler);
    }
    expect(sha(r, SERVER)).toBe(good);
    expect([...seen].sort()).toEqual([bad, good].sort());
    expect(r.lab.host(HOST).vfs.exists('/opt/voms/bin/.server.switchboard-tmp')).toBe(false);
  }, 120_000);
});
