import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AuditLog } from '../core/audit/audit-log';
import { startLab, type LabHandle } from '../lab/lab';
import { runCliCaptured } from './cli-harness';

/** `switchboard rollback` against the voms-bad-ota lab (a SIMULATION). */

const SERVER = '/opt/voms/bin/server';
let dir: string | undefined;
let lab: LabHandle | undefined;

async function open(variant?: string): Promise<{ lab: LabHandle; dir: string }> {
  dir = mkdtempSync(join(tmpdir(), 'sb-cli-rollback-'));
  lab = await startLab({ scenario: 'voms-bad-ota', ...(variant ? { variant } : {}), timeScale: 0.01, dir: join(dir, 'lab') });
  return { lab, dir };
}

afterEach(async () => {
  await lab?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
  lab = undefined;
  dir = undefined;
});

/** The audit entries of the data directory the CLI was given, once the outcome is among them. */
async function auditWithOutcome(d: string) {
  const audit = new AuditLog(join(d, 'data'));
  const deadline = Date.now() + 10_000;
  for (;;) {
    const entries = await audit.list({ limit: 20 });
    if (entries.some((e) => e.outcome !== 'started') || Date.now() > deadline) return entries;
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

const common = (l: LabHandle, d: string) => ['--inventory', l.inventoryPath, '--cluster', 'voms', '--node', 'voms-1', '--data-dir', join(d, 'data'), '--journal', join(d, 'ops')];

describe('switchboard rollback (lab)', () => {
  it('plan shows both builds, the checks and the steps; run needs --yes and then rolls back', async () => {
    const { lab: l, dir: d } = await open();
    const bad = l.host('voms-1').vfs.sha256(SERVER);
    const good = l.host('voms-1').vfs.sha256(`${SERVER}.bak`);
    const cli = (args: string[]) => runCliCaptured(args, { cwd: d });

    const plan = await cli(['rollback', 'plan', ...common(l, d)]);
    expect(plan.err).toBe('');
    expect(plan.code).toBe(0);
    expect(plan.out).toContain(`sha256 ${bad}`);
    expect(plan.out).toContain(`sha256 ${good}`);
    expect(plan.out).toContain('[WARN] The unit has Restart=on-failure');
    expect(plan.out).toContain('gate: rollback.healthy');
    const json = await cli(['rollback', 'plan', ...common(l, d), '--json']);
    expect((JSON.parse(json.out) as { plan: { batches: Array<{ steps: unknown[] }> } }).plan.batches[0]!.steps).toHaveLength(6);

    expect((await cli(['rollback', 'run', ...common(l, d)])).code).toBe(1);
    expect(l.host('voms-1').vfs.sha256(SERVER)).toBe(bad);
    const run = await cli(['rollback', 'run', ...common(l, d), '--settle', '1', '--yes']);
    expect(run.err).toMatch(/Operation op-\S+: succeeded/);
    expect(run.code).toBe(0);
    expect(l.host('voms-1').vfs.sha256(SERVER)).toBe(good);
    // The CLI writes the same audit log as the app: the start, then the outcome with both checksums.
    const entries = await auditWithOutcome(d);
    expect(entries.map((e) => [e.action, e.outcome])).toEqual([
      ['rollback.run', 'ok'],
      ['rollback.run', 'started'],
    ]);
    expect(entries[0]!.details?.builds).toEqual([expect.objectContaining({ failedSha256: bad, restoredSha256: good })]);
  }, 120_000);

  it('backup missing: refused with exit 2, nothing changed', async () => {
    const { lab: l, dir: d } = await open('backup-missing');
    const before = l.host('voms-1').vfs.sha256(SERVER);
    const run = await runCliCaptured(['rollback', 'run', ...common(l, d), '--unit', 'voms-server', '--yes'], { cwd: d });
    expect(run.code).toBe(2);
    expect(run.out).toContain('[FAIL] No readable backup');
    expect(run.out).toContain('REFUSED');
    expect(l.host('voms-1').vfs.sha256(SERVER)).toBe(before);
    const release = await runCliCaptured(['rollback', 'plan', ...common(l, d), '--release'], { cwd: d });
    expect(release.code).toBe(0);
    expect(release.out).toMatch(/\$ (sudo -n -- )?sh \/opt\/voms-release-prev\/deploy\.sh {2}\(on voms-1\)/);
  }, 120_000);

  it('backup bad too: run exits 2 with the failed build back in place, and inspect reads the undone rollback from the journal', async () => {
    const { lab: l, dir: d } = await open('backup-bad');
    const bad = l.host('voms-1').vfs.sha256(SERVER);
    const run = await runCliCaptured(['rollback', 'run', ...common(l, d), '--settle', '1', '--yes'], { cwd: d });
    expect(run.err).toMatch(/Operation op-\S+: reverted/);
    expect(run.code).toBe(2);
    expect(l.host('voms-1').vfs.sha256(SERVER)).toBe(bad);
    const inspect = await runCliCaptured(['inspect', '--inventory', l.inventoryPath, '--cluster', 'voms', '--journal', join(d, 'ops'), '--data-dir', join(d, 'data'), '--json'], { cwd: d });
    expect(inspect.code).toBe(2);
    const findings = (JSON.parse(inspect.out) as { clusters: Array<{ findings: Array<{ ruleId: string; severity: string }> }> }).clusters[0]!.findings;
    expect(findings).toContainEqual(expect.objectContaining({ ruleId: 'voms.rollback-reverted', severity: 'P1' }));
  }, 120_000);
});
