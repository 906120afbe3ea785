import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Cluster } from '../../../shared/inventory/schema';
import { LICENSE_FILE_PLAN_KIND } from '../../../shared/license/file-plan';
import { allProfiles } from '../../../shared/stacks/catalog';
import type { LabHandle } from '../../lab/lab';
import { openLabRig, type LabRig } from '../../testing/lab-rig';
import { AuditLog } from '../audit/audit-log';
import { InspectEngine } from '../inspect/engine';
import { createLogger } from '../log/logger';
import { OperationEngine } from '../ops/engine';
import { outcomeAudit } from '../ops/outcome-audit';
import { restartKinds } from '../restart/kinds';
import { licenseParts } from './parts';
import { LicenseService } from './service';

/**
 * A license file on the VOMS host of the healthy lab (a SIMULATION): real SSH and SFTP to the
 * simulated host, the real operation engine. The host's labels (set by the lab) say where the
 * file goes; the lab starts with a license file there, which the first test replaces.
 */

const HOST = 'voms-1';
const PATH = '/opt/voms/license.lic';
const OLD = 'VOMS-LICENSE v1\ncustomer: lab\nuntil: 2026-12-31\n';
const NEW = 'VOMS-LICENSE v1\ncustomer: lab\nuntil: 2027-12-31\n';
const log = createLogger({ minLevel: 'error', sink: () => undefined });

let rig: LabRig;
let lab: LabHandle;
let engine: OperationEngine;
let service: LicenseService;
let audit: AuditLog;
let clusters: Cluster[];

function withLicenseLabels(cluster: Cluster, labels: Record<string, string>): Cluster {
  return { ...cluster, hosts: cluster.hosts.map((host) => (host.name === HOST ? { ...host, labels: { ...host.labels, ...labels } } : host)) };
}

// The lab's own labels, restored after a test changes them.
const labels = { 'license.path': PATH, 'license.owner': 'voms:voms', 'license.mode': '0640', 'license.restartUnit': 'voms-server' };
const vfs = () => lab.host(HOST).vfs;

beforeAll(async () => {
  rig = await openLabRig('healthy');
  ({ lab } = rig);
  const { dir, runner, secrets, mongo } = rig;
  vfs().writeFile(PATH, OLD);
  clusters = lab.clusters;
  expect(clusters.find((c) => c.name === 'voms')?.hosts[0]?.labels).toMatchObject(labels);
  const cluster = async (name: string) => clusters.find((c) => c.name === name)!;
  const inspect = new InspectEngine({ runner, mongo, profiles: allProfiles, log });
  const parts = licenseParts({ dataDir: join(dir, 'data'), runner, secrets, mongo, inspect, cluster });
  const restart = restartKinds({ runner, cluster, mongo: parts.db });
  audit = new AuditLog(join(dir, 'data'));
  engine = new OperationEngine({
    dir: join(dir, 'ops'),
    executors: { ...restart.executors, ...parts.kinds.executors },
    checks: { ...restart.checks, ...parts.kinds.checks },
    log,
    actor: 'test',
    onRecord: outcomeAudit({ get: (opId) => engine.get(opId), append: (entry) => audit.append(entry), log }, { [LICENSE_FILE_PLAN_KIND]: (state) => service.outcomeAuditor(state) }),
  });
  service = new LicenseService({ clusters: async () => clusters, runner, db: parts.db, engine, files: parts.files, verifier: parts.verifier, audit });
}, 60_000);

afterAll(async () => {
  await engine?.dispose();
  await rig?.close();
});

/** Whatever is beside the license file that Switchboard put there: must be nothing after any run. */
const leftovers = () => vfs().readdir('/opt/voms').map((e) => e.name).filter((name) => name.includes('switchboard'));

describe('license file (simulation)', () => {
  it('check: reads each host, names the file it replaces, and asks to acknowledge the unreadable format', async () => {
    const result = await service.check('voms', NEW);
    if (!result.ok) throw new Error('refused');
    expect(result.summary).toMatchObject({ version: 'file', bytes: NEW.length });
    expect(result.methods).toEqual(['file']);
    expect(result.nodes).toEqual([HOST]);
    expect(result.blockedBy).toEqual([]);
    expect(result.needsAcknowledgement).toEqual(['file-format']);
    expect(result.items.find((i) => i.id === `file-replaces:${HOST}`)?.message.en).toContain(`replaces ${PATH}`);
  });

  it('apply: backs the old file up, puts the new one with owner and mode, restarts the unit, verifies; revert puts the old one back', async () => {
    vfs().chmod(PATH, 0o600);
    vfs().chown(PATH, { uid: 0, gid: 0 });
    const { opId, backupId } = await service.apply({ cluster: 'voms', text: NEW, acknowledged: ['file-format'] });
    const state = await engine.settled(opId);
    expect(state.status, JSON.stringify(state.steps.map((s) => [s.id, s.status, s.error?.message]))).toBe('succeeded');
    expect(vfs().readFile(PATH).toString()).toBe(NEW);
    const stat = vfs().stat(PATH);
    expect(stat.mode & 0o777).toBe(0o640);
    expect(stat.uid).toBe(990);
    expect(state.steps.map((s) => s.id)).toEqual([`${HOST}:backup`, `${HOST}:put`, `${HOST}:restart`, 'verify']);
    expect(leftovers()).toEqual([]);
    const fingerprint = (await service.check('voms', NEW)) as { fingerprint: string };
    expect((await service.verify('voms', fingerprint.fingerprint)).nodes).toEqual([expect.objectContaining({ node: HOST, state: 'applied', license: 'expected', healthy: true })]);

    expect((await service.backups('voms'))[0]).toMatchObject({ id: backupId, empty: false });
    const revert = await service.revert({ cluster: 'voms', backupId });
    expect((await engine.settled(revert.opId)).status).toBe('succeeded');
    expect(vfs().readFile(PATH).toString()).toBe(OLD);
    expect(vfs().stat(PATH).mode & 0o777).toBe(0o600);
    expect(vfs().stat(PATH).uid).toBe(0);
    await expect.poll(async () => (await audit.list({ limit: 20 })).filter((e) => e.outcome === 'ok').map((e) => e.action).sort()).toEqual(['license.apply', 'license.revert']);
    expect(JSON.stringify(await audit.list({ limit: 20 }))).not.toContain('until: 2027');
  }, 60_000);

  it('a step that fails mid-way (chown to a user the host lacks) leaves the old file whole and nothing beside it', async () => {
    vfs().writeFile(PATH, OLD);
    clusters = clusters.map((c) => (c.name === 'voms' ? withLicenseLabels(c, { 'license.owner': 'nosuchuser' }) : c));
    try {
      const { opId } = await service.apply({ cluster: 'voms', text: NEW, acknowledged: ['file-format'] });
      const state = await engine.settled(opId);
      expect(state.status).toBe('failed');
      expect(state.steps.find((s) => s.id === `${HOST}:put`)?.error?.message).toMatch(/chown/);
      expect(vfs().readFile(PATH).toString()).toBe(OLD);
      expect(leftovers()).toEqual([]);
      await engine.close(opId, 'test: nothing to undo');
    } finally {
      clusters = clusters.map((c) => (c.name === 'voms' ? withLicenseLabels(c, labels) : c));
    }
  }, 60_000);

  it('labels that do not make a target block with the reason', async () => {
    clusters = clusters.map((c) => (c.name === 'voms' ? withLicenseLabels(c, { 'license.mode': 'rw-r-----' }) : c));
    try {
      const result = await service.check('voms', NEW);
      if (!result.ok) throw new Error('refused');
      expect(result.blockedBy).toEqual([`file-target:${HOST}`]);
      await expect(service.apply({ cluster: 'voms', text: NEW, acknowledged: ['file-format'] })).rejects.toThrow(/not an octal mode/);
    } finally {
      clusters = clusters.map((c) => (c.name === 'voms' ? withLicenseLabels(c, labels) : c));
    }
  });
});
