import { expect, test, type Page } from '@playwright/test';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import type { AuditEntry } from '../shared/contract/audit';
import type { LabStatus } from '../shared/contract/lab';
import type { Cluster } from '../shared/inventory/schema';
import type { OpState, OpSummary } from '../shared/ops/state';
import { InspectPage } from './support/inspect-page';
import { labShell, type LabShell } from './support/lab-shell';
import { rpc } from './support/rpc';
import { startServe, type ServeProcess } from './support/serve';
import { labServerHooks } from './support/lab-server';
import { resumeInterrupted } from './support/operations-page';

// One-click OTA rollback from the app, against the lab's voms-bad-ota scenario (a simulation).
const cli = fileURLToPath(new URL('../out/main/cli.js', import.meta.url));
const SERVER = '/opt/voms/bin/server';
const BACKUP = '/opt/voms/bin/server.bak';
let server: ServeProcess;
labServerHooks((started) => (server = started));

async function openVoms(page: Page, variant?: string): Promise<InspectPage> {
  await startVomsLab(variant);
  return openInspect(page);
}

async function startVomsLab(variant?: string): Promise<LabStatus> {
  return rpc<LabStatus>(server, 'lab.start', { scenario: 'voms-bad-ota', timeScale: 0.02, ...(variant ? { variant } : {}) });
}

async function openInspect(page: Page): Promise<InspectPage> {
  const inspect = new InspectPage(page);
  await inspect.gotoClusters(server.url);
  await inspect.openCluster('rehearsal-voms');
  await inspect.refresh();
  return inspect;
}

/**
 * Runs rounds until the bad update shows: in the first seconds of the crash loop a round can catch
 * the server up with fewer than 3 restarts and between two health answers, which is no finding yet.
 */
async function untilBadUpdate(inspect: InspectPage): Promise<void> {
  await expect(async () => {
    await inspect.refresh();
    await expect(inspect.finding('voms.bad-update')).toBeVisible({ timeout: 1_000 });
  }).toPass({ timeout: 60_000 });
}

/** The SHA-256 of a file on the lab host, or `missing` when sha256sum could not read it. */
async function sha256Of(shell: LabShell, path: string): Promise<string> {
  return /^([0-9a-f]{64})\s/.exec(await shell.run(`sha256sum ${path}`))?.[1] ?? 'missing';
}

test('one click from the bad-update finding (plus the confirmation): voms-server runs the previous build, the finding is gone, the audit log says so', async ({ page }) => {
  const inspect = await openVoms(page);
  await untilBadUpdate(inspect);
  await inspect.finding('voms.bad-update').getByTestId('fix-action').click();
  const dialog = page.getByTestId('rollback-dialog');
  await expect(dialog.getByTestId('rollback-build-current')).toBeVisible();
  const backupSha = await dialog.getByTestId('rollback-build-backup').locator('[data-sha256]').getAttribute('data-sha256');
  await expect(dialog.getByTestId('rollback-restart-setting')).toHaveAttribute('data-restart', 'on-failure');
  // Restart=on-failure is offered as its own confirmed fix; here it is only acknowledged.
  for (const box of await dialog.getByTestId('rollback-acknowledge').all()) await box.check();
  await dialog.getByTestId('rollback-run').click();
  await expect(page.getByTestId('op-finished')).toHaveClass(/op-banner-ok/, { timeout: 120_000 });

  await inspect.gotoClusters(server.url);
  await inspect.openCluster('rehearsal-voms');
  await inspect.refresh();
  await expect(inspect.finding('voms.bad-update')).toHaveCount(0);
  // Started from a cleared restart counter, the healthy server is not judged crash-looping on the old count.
  await expect(inspect.finding('voms.server-down')).toHaveCount(0);
  await expect(inspect.node('voms-1')).not.toHaveAttribute('data-status', 'P1');
  await page.getByTestId('nav-activity').click();
  await expect(page.getByTestId('activity-row').first()).toContainText('rollback');
  const audit = await rpc<AuditEntry[]>(server, 'audit.list', { limit: 20 });
  const done = audit.find((entry) => entry.action.startsWith('rollback') && entry.outcome === 'ok');
  expect(JSON.stringify(done?.details)).toContain(backupSha!);
});

test('backup missing: the dialog blocks with its reason and nothing on the host changes', async ({ page }) => {
  const inspect = await openVoms(page, 'backup-missing');
  await inspect.openNode('voms-1');
  await page.getByTestId('rollback-open').click();
  const dialog = page.getByTestId('rollback-dialog');
  await expect(dialog.locator('[data-testid="rollback-check"][data-check="backup-exists"]')).toHaveAttribute('data-level', 'red');
  await expect(dialog.getByTestId('rollback-run')).toBeDisabled();
  const before = await rpc<{ current: { sha256?: string } }>(server, 'rollback.inspect', { cluster: 'rehearsal-voms', host: 'voms-1' });
  await expect(rpc(server, 'rollback.start', { cluster: 'rehearsal-voms', host: 'voms-1' })).rejects.toThrow(/CONFLICT/);
  const after = await rpc<{ current: { sha256?: string } }>(server, 'rollback.inspect', { cluster: 'rehearsal-voms', host: 'voms-1' });
  expect(after.current.sha256).toBe(before.current.sha256);
});

test('Restart=on-failure: the fix is offered separately and applied only when confirmed', async ({ page }) => {
  const inspect = await openVoms(page);
  await inspect.openNode('voms-1');
  await page.getByTestId('rollback-open').click();
  const dialog = page.getByTestId('rollback-dialog');
  await expect(dialog.getByTestId('rollback-restart-setting')).toHaveAttribute('data-restart', 'on-failure');
  await dialog.getByTestId('rollback-restart-always').click();
  await expect(dialog.getByTestId('rollback-restart-setting')).toHaveAttribute('data-restart', 'on-failure');
  await dialog.getByTestId('rollback-restart-always-confirm').click();
  await expect(dialog.getByTestId('rollback-restart-setting')).toHaveAttribute('data-restart', 'always');
});

test('backup bad too: the rollback fails its health gate, the failed build is put back (its SHA-256 on the lab host), and a P1 finding shows both attempts', async ({ page }) => {
  // The restored build never passes: the gate polls for its settle time + 120 s before the undo.
  test.setTimeout(300_000);
  const lab = await startVomsLab('backup-bad');
  const host = (await rpc<Cluster>(server, 'inventory.get', { name: 'rehearsal-voms' })).hosts[0]!;
  const shell = await labShell(lab.running!.dir, host.port);
  try {
    const failed = await sha256Of(shell, SERVER);
    const backup = await sha256Of(shell, BACKUP);
    expect(failed).toMatch(/^[0-9a-f]{64}$/);
    expect(backup).toMatch(/^[0-9a-f]{64}$/);
    expect(backup).not.toBe(failed);

    const inspect = await openInspect(page);
    await untilBadUpdate(inspect);
    await inspect.finding('voms.bad-update').getByTestId('fix-action').click();
    const dialog = page.getByTestId('rollback-dialog');
    await expect(dialog.getByTestId('rollback-build-backup').locator('[data-sha256]')).toHaveAttribute('data-sha256', backup);
    for (const box of await dialog.getByTestId('rollback-acknowledge').all()) await box.check();
    await dialog.getByTestId('rollback-run').click();
    await expect(page.getByTestId('op-finished')).toBeVisible({ timeout: 240_000 });
    await expect(page.getByTestId('op-finished')).toHaveClass(/banner-warn/);
    const [op] = await rpc<OpSummary[]>(server, 'ops.list', { cluster: 'rehearsal-voms' });
    const state = await rpc<OpState>(server, 'ops.get', { opId: op!.id });
    expect(state.status).toBe('reverted');
    expect(state.steps.find((s) => s.id === 'voms-1:start')?.gate?.status).toBe('failed');

    // The host is as it was: the failed build at the binary's path, and kept once beside it.
    expect(await sha256Of(shell, SERVER)).toBe(failed);
    const kept = (await shell.run('ls -a /opt/voms/bin')).split('\n').filter((name) => name.startsWith('server.failed-'));
    expect(kept).toHaveLength(1);
    expect(await sha256Of(shell, `/opt/voms/bin/${kept[0]}`)).toBe(failed);

    const after = await openInspect(page);
    const finding = after.finding('voms.rollback-reverted');
    await expect(finding).toHaveAttribute('data-severity', 'P1');
    await expect(finding.getByTestId('finding-title')).toContainText('voms-1');
    const evidence = await after.evidenceOf(finding);
    expect(evidence).toContain(`sha256 ${failed.slice(0, 16)}… (voms-server 1.9.0)`);
    expect(evidence).toContain(`server.bak sha256 ${backup.slice(0, 16)}… (voms-server 1.9.0-rc.2); its health gate failed`);
    expect(evidence).toContain(`Put back: Stop voms-server on voms-1; Put the failed build back from /opt/voms/bin/${kept[0]}; Start voms-server on voms-1 again`);
    await expect(after.node('voms-1')).toHaveAttribute('data-status', 'P1');

    const audit = await rpc<AuditEntry[]>(server, 'audit.list', { limit: 20 });
    const outcome = audit.filter((entry) => entry.action === 'rollback.run' && entry.details?.opId === op!.id && entry.outcome !== 'started');
    expect(outcome.map((entry) => entry.outcome)).toEqual(['reverted']);
  } finally {
    shell.close();
  }
});

test('the server killed mid-rollback (in the health gate): offered for resume, it completes; the binary was always one whole build; the audit shows the outcome', async ({ page }) => {
  test.setTimeout(240_000);
  // The lab runs in its own process here, so that it outlives the server we kill.
  const labDir = mkdtempSync(join(tmpdir(), 'sb-e2e-rollback-lab-'));
  const lab = spawn(process.execPath, [cli, 'lab', 'start', '--scenario', 'voms-bad-ota', '--time-scale', '0.02', '--dir', labDir, '--json'], { stdio: ['ignore', 'pipe', 'ignore'] });
  const ownData = mkdtempSync(join(tmpdir(), 'sb-e2e-rollback-data-'));
  const env = { HOME: '/nonexistent-home', SSH_AUTH_SOCK: undefined };
  let own: ServeProcess | undefined;
  let shell: LabShell | undefined;
  let sampling = true;
  let sampler: Promise<void> | undefined;
  const samples: string[] = [];
  try {
    const line = await new Promise<string>((resolve) => createInterface({ input: lab.stdout! }).once('line', resolve));
    const { inventory } = JSON.parse(line) as { inventory: string };
    const labCluster = (parse(readFileSync(inventory, 'utf8')) as { clusters: Cluster[] }).clusters[0]!;
    own = await startServe({ dataDir: ownData, env });
    await rpc(own, 'inventory.save', { cluster: { ...labCluster, name: 'voms-kill' } });
    shell = await labShell(labDir, labCluster.hosts[0]!.port);
    const failed = await sha256Of(shell, SERVER);
    const backup = await sha256Of(shell, BACKUP);
    // What is at the binary's path, read on the lab host over and over, from before the start to the end.
    const hostShell = shell;
    sampler = (async () => {
      while (sampling) samples.push(await sha256Of(hostShell, SERVER));
    })();

    const { opId } = await rpc<{ opId: string }>(own, 'rollback.start', { cluster: 'voms-kill', host: 'voms-1' });
    // Kill it once the restored build is in place and its health gate is being checked.
    await expect
      .poll(async () => (await rpc<OpState>(own!, 'ops.get', { opId })).steps.find((s) => s.id === 'voms-1:start')?.gate?.status, { timeout: 60_000, intervals: [50] })
      .toBe('running');
    own.process.kill('SIGKILL');
    await new Promise((resolve) => own!.process.once('exit', resolve));
    expect(await sha256Of(shell, SERVER)).toBe(backup);
    own = await startServe({ dataDir: ownData, env });

    await resumeInterrupted(page, own.url, opId, 'voms-1:start');
    await expect(page.getByTestId('op-finished')).toHaveClass(/op-banner-ok/, { timeout: 120_000 });
    sampling = false;
    await sampler;

    const done = await rpc<OpState>(own, 'ops.get', { opId });
    expect(done.steps.find((s) => s.id === 'voms-1:restore')?.attempts).toBe(1);
    expect(await sha256Of(shell, SERVER)).toBe(backup);
    expect((await shell.run('ls -a /opt/voms/bin')).split('\n').filter((name) => name.includes('switchboard'))).toEqual([]);
    // Never a partial or missing binary: only ever the failed build, then the backup.
    expect(samples.length).toBeGreaterThan(20);
    expect(new Set(samples)).toEqual(new Set([failed, backup]));
    expect(samples.indexOf(backup)).toBeGreaterThan(samples.lastIndexOf(failed));

    // The resumed server wrote the outcome, once.
    const audit = await rpc<AuditEntry[]>(own, 'audit.list', { limit: 50 });
    const ends = audit.filter((entry) => entry.action === 'rollback.run' && entry.details?.opId === opId && entry.outcome !== 'started');
    expect(ends.map((entry) => entry.outcome)).toEqual(['ok']);
    expect(JSON.stringify(ends[0]!.details)).toContain(backup);
  } finally {
    sampling = false;
    await sampler?.catch(() => undefined);
    shell?.close();
    await own?.stop();
    lab.kill('SIGTERM');
    await new Promise((resolve) => (lab.exitCode === null ? lab.once('exit', resolve) : resolve(undefined)));
    rmSync(labDir, { recursive: true, force: true });
    rmSync(ownData, { recursive: true, force: true });
  }
});
