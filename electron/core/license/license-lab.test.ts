import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { licenseFingerprint } from '../../../shared/license/parse';
import { LICENSE_PLAN_KIND } from '../../../shared/license/plan';
import { allProfiles } from '../../../shared/stacks/catalog';
import type { LabHandle } from '../../lab/lab';
import { isRocketChatSystem, type RocketChatLabSystem } from '../../lab/systems/rocketchat';
import { openLabRig, type LabRig } from '../../testing/lab-rig';
import { AuditLog } from '../audit/audit-log';
import { InspectEngine } from '../inspect/engine';
import { createLogger } from '../log/logger';
import { OperationEngine } from '../ops/engine';
import { outcomeAudit } from '../ops/outcome-audit';
import { restartKinds } from '../restart/kinds';
import { RestartService } from '../restart/service';
import { licenseParts } from './parts';
import { LicenseService } from './service';

/**
 * The license wizard's engine against the rc-readonly lab (a SIMULATION): real SSH to the
 * simulated hosts, the lab's MongoDB through the official driver, the real operation engine.
 */

const CLUSTER = 'rocketchat';
const log = createLogger({ minLevel: 'error', sink: () => undefined });

let rig: LabRig;
let lab: LabHandle;
let rc: RocketChatLabSystem;
let direct: MongoClient;
let audit: AuditLog;
let engine: OperationEngine;
let service: LicenseService;
let restart: RestartService;
let newEngine: () => OperationEngine;
let newService: (engine: OperationEngine) => LicenseService;

const sample = (name: string): string => readFileSync(join(lab.dir, 'licenses', `${name}.lic`), 'utf8');

async function storedLicense(): Promise<string> {
  const document = await direct.db().collection<{ _id: string; value?: string }>('rocketchat_settings').findOne({ _id: 'Enterprise_License' });
  return document?.value ?? '';
}

beforeAll(async () => {
  rig = await openLabRig('rc-readonly');
  ({ lab } = rig);
  const { dir, runner, secrets, mongo, cluster } = rig;
  const system = lab.system(CLUSTER);
  if (!isRocketChatSystem(system)) throw new Error('no Rocket.Chat system');
  rc = system;
  const inspect = new InspectEngine({ runner, mongo, profiles: allProfiles, log });
  const { db, files, verifier, kinds: license } = licenseParts({ dataDir: join(dir, 'data'), runner, secrets, mongo, inspect, cluster, verifyIntervalMs: 200 });
  const restartSet = restartKinds({ runner, cluster, mongo: db });
  audit = new AuditLog(join(dir, 'data'));
  newService = (e) => new LicenseService({ clusters: async () => lab.clusters, runner, db, engine: e, files, verifier, audit, graceSeconds: 2 });
  newEngine = () => {
    const created: OperationEngine = new OperationEngine({
      dir: join(dir, 'ops'),
      executors: { ...restartSet.executors, ...license.executors },
      checks: { ...restartSet.checks, ...license.checks },
      log,
      actor: 'test',
      onRecord: outcomeAudit({ get: (opId) => created.get(opId), append: (entry) => audit.append(entry), log }, { [LICENSE_PLAN_KIND]: (state) => service.outcomeAuditor(state) }),
    });
    return created;
  };
  engine = newEngine();
  service = newService(engine);
  restart = new RestartService({ clusters: async () => lab.clusters, snapshot: async (c) => (await inspect.inspect(c)).snapshot, engine });
  direct = new MongoClient(rc.mongoUrl);
  await direct.connect();
}, 60_000);

afterAll(async () => {
  await engine?.dispose();
  await direct?.close();
  await rig?.close();
});

async function until(what: string, predicate: () => boolean | Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise<void>((resolve) => setTimeout(resolve, 50));
  }
}

async function auditOf(opId: string): Promise<{ outcome: string; details?: Record<string, unknown> }> {
  const outcome = async () => (await audit.list({ limit: 50 })).find((e) => e.details?.opId === opId && e.outcome !== 'started');
  await until(`the outcome of ${opId} is audited`, async () => (await outcome()) !== undefined);
  return (await outcome())!;
}

describe('license check (simulation)', () => {
  it('passes the valid lab license with nothing red, and names the nodes it will verify', async () => {
    const result = await service.check(CLUSTER, sample('valid'));
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.blockedBy).toEqual([]);
    expect(result.fingerprint).toBe(licenseFingerprint(sample('valid')));
    expect(result.nodes).toEqual(['rc1', 'rc2', 'rc3', 'rc4']);
    expect(result.methods).toEqual(['rest', 'mongo']);
    expect(result.items.find((i) => i.id === 'site-url')?.level).toBe('green');
    expect(result.items.find((i) => i.id === 'limit-activeUsers')?.level).toBe('green');
  });

  it.each([
    ['expired', /^period-expired:/],
    ['wrong-site', /^site-url:0$/],
    ['over-limit', /^limit-activeUsers:0$/],
  ])('blocks the %s license with a red item, and apply changes nothing', async (name, red) => {
    const before = await storedLicense();
    const result = await service.check(CLUSTER, sample(name));
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.blockedBy.some((id) => red.test(id))).toBe(true);
    await expect(service.apply({ cluster: CLUSTER, text: sample(name), acknowledged: result.needsAcknowledgement })).rejects.toThrow(/was not applied/);
    expect(await storedLicense()).toBe(before);
    expect(await service.backups(CLUSTER)).toEqual([]);
  });

  it('refuses a truncated license before reading the cluster', async () => {
    const result = await service.check(CLUSTER, sample('truncated'));
    expect(result).toMatchObject({ ok: false, rejection: { code: 'truncated' } });
  });
});

describe('license apply (simulation)', () => {
  it('backs up, applies through one node, verifies all four, and a staged restart of the stale nodes finishes the job', async () => {
    const previous = await storedLicense();
    const text = sample('valid');
    const check = await service.check(CLUSTER, text);
    if (!check.ok) throw new Error('valid license refused');
    const { opId, backupId } = await service.apply({ cluster: CLUSTER, text, acknowledged: check.needsAcknowledgement });
    const state = await engine.settled(opId);
    expect(state.status).toBe('succeeded');
    expect(await storedLicense()).toBe(text.trim());

    // The node that got licenses.add runs it; the others decided read-only at their start and keep it.
    const verification = await service.verify(CLUSTER, check.fingerprint);
    expect(verification.storedMatches).toBe(true);
    expect(verification.nodes.find((n) => n.node === 'rc1')).toMatchObject({ state: 'applied', license: 'expected', readOnly: false });
    expect(verification.stale).toEqual(['rc2', 'rc3', 'rc4']);

    const backups = await service.backups(CLUSTER);
    expect(backups[0]).toMatchObject({ id: backupId, empty: previous.trim() === '' });
    const entry = await auditOf(opId);
    expect(entry.outcome).toBe('ok');
    expect(entry.details).toMatchObject({ fingerprint: check.fingerprint, method: 'rest' });
    expect(JSON.stringify(entry)).not.toContain(text.slice(10, 60));

    const { opId: restartId } = await restart.start(CLUSTER, { nodes: verification.stale, maxUnavailable: 1, gateTimeoutSeconds: 120, onGateFailure: 'stop' });
    expect((await engine.settled(restartId)).status).toBe('succeeded');
    const after = await service.verify(CLUSTER, check.fingerprint);
    expect(after.nodes.map((n) => n.state)).toEqual(['applied', 'applied', 'applied', 'applied']);
    expect(rc.nodes.map((node) => node.restricted)).toEqual([false, false, false, false]);
  }, 120_000);

  it('reverts to the backup as an operation of its own', async () => {
    const [latest] = await service.backups(CLUSTER);
    if (!latest) throw new Error('no backup');
    const { opId } = await service.revert({ cluster: CLUSTER, backupId: latest.id });
    expect((await engine.settled(opId)).status).toBe('succeeded');
    const stored = await storedLicense();
    expect(stored.trim() === '' ? undefined : licenseFingerprint(stored)).toBe(latest.fingerprint);
    expect((await auditOf(opId)).outcome).toBe('ok');
  }, 60_000);

  it('resumes a verification cut short by the console going away, and completes', async () => {
    // Every node starts again on what is stored now, so none runs the license about to be written.
    await Promise.all(rc.nodes.map((node) => node.host.services.restart('rocketchat')));
    await until('every node is up and read-only again', () => rc.nodes.every((node) => node.restricted === true));
    const text = sample('valid');
    const check = await service.check(CLUSTER, text);
    if (!check.ok) throw new Error('valid license refused');
    const { opId } = await service.apply({ cluster: CLUSTER, text, acknowledged: check.needsAcknowledgement, method: 'mongo', graceSeconds: 600 });
    await until('the verification reports the stale nodes', async () => (await engine.get(opId)).steps.find((s) => s.id === 'verify')?.output.includes('stale') === true);
    // The console goes away mid-verification.
    await engine.dispose();
    engine = newEngine();
    service = newService(engine);
    expect((await engine.recover()).find((op) => op.id === opId)?.status).toBe('interrupted');
    await engine.resume(opId);
    // The admin restarts the nodes by hand meanwhile: the resumed verification sees them pick it up.
    await Promise.all(rc.nodes.map((node) => node.host.services.restart('rocketchat')));
    const state = await engine.settled(opId);
    expect(state.status).toBe('succeeded');
    expect(state.steps.find((s) => s.id === 'verify')?.output).toContain('All 4 nodes run license');
    expect((await auditOf(opId)).outcome).toBe('ok');
  }, 120_000);
});
