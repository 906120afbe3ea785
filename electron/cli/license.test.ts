import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditLog } from '../core/audit/audit-log';
import { startLab, type LabHandle } from '../lab/lab';
import { isRocketChatSystem, type RocketChatLabSystem } from '../lab/systems/rocketchat';
import { runCliCaptured } from './cli-harness';

/** `switchboard license` against the rc-readonly lab (a SIMULATION). */

let dir: string;
let lab: LabHandle;
let rc: RocketChatLabSystem;
let direct: MongoClient;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sb-cli-license-'));
  lab = await startLab({ scenario: 'rc-readonly', timeScale: 0.01, dir: join(dir, 'lab') });
  const system = lab.system('rocketchat');
  if (!isRocketChatSystem(system)) throw new Error('no Rocket.Chat system');
  rc = system;
  direct = new MongoClient(rc.mongoUrl);
  await direct.connect();
}, 60_000);

afterAll(async () => {
  await direct?.close();
  await lab?.stop();
  rmSync(dir, { recursive: true, force: true });
});

// The lab's vault (its admin token) lives in the lab directory: the CLI uses it as its data directory.
const cli = (args: string[]) =>
  runCliCaptured(['license', ...args, '--inventory', lab.inventoryPath, '--cluster', 'rocketchat', '--data-dir', lab.dir, '--journal', join(dir, 'ops')], {
    cwd: dir,
    env: { SWITCHBOARD_VAULT_PASSPHRASE: lab.vaultPassphrase ?? '' },
  });
const sample = (name: string) => join(lab.dir, 'licenses', `${name}.lic`);
const stored = async () => (await direct.db().collection<{ _id: string; value?: string }>('rocketchat_settings').findOne({ _id: 'Enterprise_License' }))?.value ?? '';

describe('switchboard license (lab)', () => {
  it('check: exit 0 for the valid license, 2 with the reason for expired, wrong-site and truncated', async () => {
    const valid = await cli(['check', '--file', sample('valid')]);
    expect(valid.code).toBe(0);
    expect(valid.out).toContain('[ok  ] site-url');
    expect(valid.out).toMatch(/Valid for this cluster/);

    const expired = await cli(['check', '--file', sample('expired')]);
    expect(expired.code).toBe(2);
    expect(expired.out).toMatch(/\[FAIL\] period-expired:0/);
    expect(expired.out).toMatch(/BLOCKED by: .*period-expired:0/);

    const wrongSite = await cli(['check', '--file', sample('wrong-site'), '--json']);
    expect(wrongSite.code).toBe(2);
    expect((JSON.parse(wrongSite.out) as { blockedBy: string[] }).blockedBy).toContain('site-url:0');

    const truncated = await cli(['check', '--file', sample('truncated')]);
    expect(truncated.code).toBe(2);
    expect(truncated.err).toMatch(/^REFUSED: .*Nothing was changed\.$/m);
  }, 60_000);

  it('apply refuses an empty or binary file before reading the cluster, and needs --yes', async () => {
    const empty = join(dir, 'empty.lic');
    writeFileSync(empty, '');
    const binary = join(dir, 'binary.lic');
    writeFileSync(binary, Buffer.from([0x52, 0x43, 0x56, 0x33, 0x00, 0xff, 0x10, 0x00]));
    expect((await cli(['apply', '--file', empty, '--yes'])).err).toMatch(/REFUSED: .*empty/i);
    expect((await cli(['apply', '--file', binary, '--yes'])).err).toMatch(/REFUSED: .*binary/i);
    expect((await cli(['apply', '--file', sample('valid')])).code).toBe(1);
    expect(await stored()).toBe('');
  }, 60_000);

  it('apply --restart-stale: applies through one node, restarts the three that stay read-only, every node runs it', async () => {
    const run = await cli(['apply', '--file', sample('valid'), '--yes', '--ack-all', '--grace', '1', '--restart-stale']);
    expect(run.err).toMatch(/Operation op-\S+: succeeded/);
    expect(run.err).toContain('Restarting rc2, rc3, rc4, one at a time with gates.');
    expect(run.code).toBe(0);
    expect(run.out).toMatch(/^rc1\s+applied/m);
    expect(run.out).toMatch(/^rc4\s+applied/m);
    expect(await stored()).toBe(readFileSync(sample('valid'), 'utf8').trim());
    expect(rc.nodes.map((node) => node.restricted)).toEqual([false, false, false, false]);
    const entries = await new AuditLog(lab.dir).list({ limit: 20 });
    const outcome = entries.find((e) => e.action === 'license.apply' && e.outcome === 'ok');
    expect(outcome?.details?.fingerprint).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(entries)).not.toContain('RCV3_');
  }, 180_000);
});
