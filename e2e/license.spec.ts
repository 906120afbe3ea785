import { expect, test, type Locator, type Page } from '@playwright/test';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { MongoClient } from 'mongodb';
import { parse } from 'yaml';
import type { AuditEntry } from '../shared/contract/audit';
import type { LabStatus } from '../shared/contract/lab';
import type { LicenseBackup, LicenseVerification } from '../shared/contract/license';
import type { Settings } from '../shared/contract';
import type { Cluster } from '../shared/inventory/schema';
import { VaultSecretStore } from '../electron/core/inventory/secrets';
import type { OpSummary } from '../shared/ops/state';
import { InspectPage } from './support/inspect-page';
import { labShell } from './support/lab-shell';
import { labServerHooks } from './support/lab-server';
import { resumeInterrupted } from './support/operations-page';
import { rpc } from './support/rpc';
import { startServe, type ServeProcess } from './support/serve';

// The offline license wizard against the rehearsal lab's rc-readonly scenario (a simulation):
// the lab issues its own licenses, signed by its own key, valid only on its simulated nodes.
const TIME_SCALE = 0.02;
const CLUSTER = 'rehearsal-rocketchat';
const RC_NODES = ['rc1', 'rc2', 'rc3', 'rc4'];
const cli = fileURLToPath(new URL('../out/main/cli.js', import.meta.url));
// The README's walkthrough pictures are taken again only when asked (README_SCREENSHOTS=1): a test run leaves the tree as it was.
const readme = fileURLToPath(new URL(process.env.README_SCREENSHOTS === '1' ? '../build/readme/' : './artifacts/', import.meta.url));

let server: ServeProcess;
labServerHooks((started) => (server = started));

test.use({ viewport: { width: 1360, height: 900 } });

/** rc-readonly, with the app's vault unlocked first so the lab's Rocket.Chat admin token reaches it (licenses.add needs it). */
async function startLab(): Promise<LabStatus> {
  await rpc(server, 'inventory.unlockVault', { passphrase: 'license-e2e-passphrase' });
  const lab = await rpc<LabStatus>(server, 'lab.start', { scenario: 'rc-readonly', timeScale: TIME_SCALE });
  expect(lab.running?.warnings.filter((warning) => /admin token/.test(warning))).toEqual([]);
  return lab;
}

function sampleLicense(lab: LabStatus, name: string): string {
  const path = lab.running?.files.find((file) => file.endsWith(`/${name}.lic`));
  if (!path) throw new Error(`the lab wrote no ${name}.lic`);
  return path;
}

async function openWizard(page: Page, url: string, cluster = CLUSTER): Promise<{ inspect: InspectPage; wizard: Locator }> {
  const inspect = new InspectPage(page);
  await inspect.gotoClusters(url);
  await inspect.openCluster(cluster);
  await inspect.refresh();
  await page.getByTestId('license-wizard').click();
  const wizard = page.getByTestId('license-wizard-dialog');
  await expect(wizard.getByTestId('license-choose')).toBeVisible();
  return { inspect, wizard };
}

/** Picks a license file in the wizard and runs the check against the cluster. */
async function checkFile(wizard: Locator, file: string | { name: string; mimeType: string; buffer: Buffer }): Promise<void> {
  await wizard.getByTestId('license-file-input').setInputFiles(file);
  await expect(wizard.getByTestId('license-file')).toHaveAttribute('data-state', 'ok');
  await wizard.getByTestId('license-check').click();
  await expect(wizard.getByTestId('license-check-page')).not.toHaveAttribute('data-state', 'checking', { timeout: 30_000 });
}

async function ackAll(wizard: Locator): Promise<void> {
  for (const box of await wizard.getByTestId('license-acknowledge').all()) await box.check();
}

/** Saves the whole wizard for the README walkthrough (a tall window, so nothing scrolls inside the dialog). */
async function screenshotWizard(page: Page, wizard: Locator, name: string): Promise<void> {
  const viewport = page.viewportSize()!;
  await page.setViewportSize({ width: viewport.width, height: 1600 });
  await wizard.screenshot({ path: join(readme, `license-${name}.png`) });
  await page.setViewportSize(viewport);
}

function row(wizard: Locator, node: string): Locator {
  return wizard.locator(`[data-testid="license-verify-row"][data-node="${node}"]`);
}

/** The stored license and its status, read straight from the lab's MongoDB. */
async function storedLicense(mongoUrl: string): Promise<{ license: string; status: unknown }> {
  const mongo = new MongoClient(mongoUrl);
  try {
    const settings = mongo.db('rocketchat').collection<{ _id: string; value?: unknown }>('rocketchat_settings');
    const license = await settings.findOne({ _id: 'Enterprise_License' });
    const status = await settings.findOne({ _id: 'Enterprise_License_Status' });
    return { license: String(license?.value ?? ''), status: status?.value };
  } finally {
    await mongo.close();
  }
}

/** The audit entry a finished license operation leaves (written once the outcome auditor has read every node). */
async function auditOutcome(target: Pick<ServeProcess, 'port' | 'token'>, action: 'license.apply' | 'license.revert', opId: string): Promise<AuditEntry> {
  let found: AuditEntry | undefined;
  await expect
    .poll(async () => {
      const entries = await rpc<AuditEntry[]>(target, 'audit.list', { limit: 50 });
      found = entries.find((entry) => entry.action === action && entry.outcome !== 'started' && entry.details?.opId === opId);
      return found?.outcome;
    }, { timeout: 30_000 })
    .toBe('ok');
  return found!;
}

test('a valid license from the read-only finding: applied on one node, the 3 stale nodes restarted from the wizard, all 4 writable, the finding gone, the audit has the fingerprint', async ({ page }) => {
  test.setTimeout(240_000);
  const lab = await startLab();
  const valid = sampleLicense(lab, 'valid');
  const inspect = new InspectPage(page);
  await inspect.gotoClusters(server.url);
  await inspect.openCluster(CLUSTER);
  await inspect.refresh();
  const readOnly = inspect.finding('rocketchat.read-only');
  await expect(readOnly).toBeVisible();
  // The finding's own fix button opens the wizard.
  await readOnly.getByTestId('fix-action').click();
  const wizard = page.getByTestId('license-wizard-dialog');
  await checkFile(wizard, valid);

  await expect(wizard.getByTestId('license-check-page')).toHaveAttribute('data-state', 'checked');
  await expect(wizard.getByTestId('license-type')).toHaveAttribute('data-type', 'offline');
  await expect(wizard.getByTestId('license-notice')).toContainText('signature');
  await expect(wizard.locator('[data-testid="license-check-item"][data-level="red"]')).toHaveCount(0);
  await expect(wizard.locator('[data-testid="license-check-item"][data-check="site-url"]')).toHaveAttribute('data-level', 'green');
  const apply = wizard.getByTestId('license-apply');
  const ambers = await wizard.getByTestId('license-acknowledge').count();
  if (ambers > 0) {
    await expect(apply).toBeDisabled();
    await expect(wizard.getByTestId('license-blockers')).toHaveAttribute('data-blockers', 'unacknowledged');
  }
  await ackAll(wizard);
  // licenses.add is preferred when the cluster has admin credentials; MongoDB is the alternative.
  await expect(wizard.getByTestId('license-method')).toHaveAttribute('data-method', 'rest');
  await expect(wizard.locator('input[name="license-method"][value="mongo"]')).toBeVisible();
  await wizard.getByTestId('license-grace').fill('3');
  const plan = wizard.getByTestId('license-apply-plan');
  await expect(plan.locator('[data-line="applyRest"]')).toContainText('licenses.add');
  await expect(plan.locator('[data-line="verify"]')).toContainText('rc1, rc2, rc3, rc4');
  await expect(plan.locator('[data-line="wait"]')).toContainText('3 s');
  await expect(apply).toBeEnabled();
  const fingerprint = (await wizard.getByTestId('license-fingerprint').textContent())!.trim();
  expect(fingerprint).toMatch(/^[0-9a-f]{64}$/);
  await screenshotWizard(page, wizard, 'check');

  await apply.click();
  await expect(wizard.getByTestId('license-progress')).toBeVisible();
  const applyOp = await wizard.getByTestId('license-progress').getAttribute('data-op');
  // Once the operation verifies, the wizard shows the table: rc1 took licenses.add, the others decided read-only at their start.
  await expect(wizard.getByTestId('license-verify')).toBeVisible({ timeout: 60_000 });
  await expect(row(wizard, 'rc1')).toHaveAttribute('data-state', 'applied', { timeout: 60_000 });
  for (const node of ['rc2', 'rc3', 'rc4']) await expect(row(wizard, node)).toHaveAttribute('data-state', 'stale');
  await expect(wizard.getByTestId('license-run')).toHaveAttribute('data-status', 'succeeded', { timeout: 60_000 });
  await expect(wizard.getByTestId('license-stored')).toHaveAttribute('data-matches', 'true');
  const restartStale = wizard.getByTestId('license-restart-stale');
  await expect(restartStale).toHaveText('Restart these 3 nodes');
  await expect(restartStale).toBeEnabled();
  await screenshotWizard(page, wizard, 'verify-stale');

  await restartStale.click();
  const preview = page.getByTestId('restart-preview');
  await expect(preview.getByTestId('restart-roles').getByRole('checkbox', { name: 'rocketchat', exact: true })).toBeChecked();
  for (const node of ['rc2', 'rc3', 'rc4']) await expect(preview.getByTestId('restart-nodes').getByRole('checkbox', { name: node, exact: true })).toBeChecked();
  await expect(preview.getByTestId('restart-nodes').getByRole('checkbox', { name: 'rc1', exact: true })).not.toBeChecked();
  await preview.getByTestId('restart-plan').click();
  await expect(preview.getByTestId('restart-plan-step').first()).toBeVisible({ timeout: 30_000 });
  await preview.getByTestId('restart-start').click();
  await expect(preview).toHaveCount(0);
  // The wizard stays, and each row turns green as its node restarts on the stored license.
  await expect(wizard.getByTestId('license-restart-run')).toBeVisible();
  await expect(wizard.getByTestId('license-verify-success')).toBeVisible({ timeout: 150_000 });
  for (const node of RC_NODES) await expect(row(wizard, node)).toHaveAttribute('data-state', 'applied');
  await expect(wizard.getByTestId('license-restart-run')).toHaveAttribute('data-status', 'succeeded', { timeout: 60_000 });
  await screenshotWizard(page, wizard, 'verify-done');
  await wizard.getByTestId('license-close').click();

  await inspect.refresh();
  await expect(inspect.finding('rocketchat.read-only')).toHaveCount(0);
  await expect(inspect.finding('rocketchat.node-read-only')).toHaveCount(0);

  const entry = await auditOutcome(server, 'license.apply', applyOp!);
  expect(entry.details).toMatchObject({ fingerprint, method: 'rest' });
  const licenseText = readFileSync(valid, 'utf8').trim();
  const audit = await rpc<AuditEntry[]>(server, 'audit.list', { limit: 100 });
  expect(JSON.stringify(audit)).not.toContain(licenseText.slice(20, 120));
  await page.getByTestId('nav-activity').click();
  await expect(page.getByTestId('activity-row').filter({ hasText: fingerprint.slice(0, 12) }).first()).toBeVisible();
});

test('revert to the previous license: the wizard says what it will do, then empties Enterprise_License again (there was none) as an operation of its own', async ({ page }) => {
  test.setTimeout(180_000);
  const lab = await startLab();
  const cluster = await rpc<Cluster>(server, 'inventory.get', { name: CLUSTER });
  const before = await storedLicense(cluster.mongo!.url!);
  expect(before.license).toBe('');
  const { wizard } = await openWizard(page, server.url);
  await checkFile(wizard, sampleLicense(lab, 'valid'));
  await ackAll(wizard);
  await wizard.getByTestId('license-grace').fill('0');
  await wizard.getByTestId('license-apply').click();
  await expect(wizard.getByTestId('license-run')).toHaveAttribute('data-status', 'succeeded', { timeout: 60_000 });
  expect((await storedLicense(cluster.mongo!.url!)).license).not.toBe('');
  const applyOp = await wizard.getByTestId('license-run').getAttribute('data-op');

  await wizard.getByTestId('license-revert').click();
  const confirm = wizard.getByTestId('license-revert-confirm-box');
  await expect(confirm).toContainText('no license');
  await expect(confirm.locator('[data-line="backup"]')).toContainText('Valid');
  await expect(confirm.locator('[data-line="revertEmpty"]')).toContainText('Enterprise_License');
  await wizard.getByTestId('license-revert-confirm').click();
  // The revert is its own operation, shown like the apply: its progress, then its verification.
  const revertOp = wizard.locator('[data-testid="license-progress"], [data-testid="license-run"]').first();
  await expect(revertOp).not.toHaveAttribute('data-op', applyOp!);
  await expect(wizard.getByTestId('license-verify')).toHaveAttribute('data-kind', 'revert', { timeout: 60_000 });
  await expect.poll(async () => (await storedLicense(cluster.mongo!.url!)).license, { timeout: 30_000 }).toBe('');
  // Its verification waits the default grace period for the nodes, then ends.
  await expect(wizard.getByTestId('license-run')).toHaveAttribute('data-status', 'succeeded', { timeout: 120_000 });
  const reverted = await auditOutcome(server, 'license.revert', (await wizard.getByTestId('license-run').getAttribute('data-op'))!);
  expect(reverted.details).toMatchObject({ method: 'mongo', previousFingerprint: expect.stringMatching(/^[0-9a-f]{64}$/) });
});

test('bad inputs each show their reason and change nothing: empty, binary, 2 MB, truncated, expired, wrong site, over the user limit', async ({ page }) => {
  test.setTimeout(180_000);
  const lab = await startLab();
  const cluster = await rpc<Cluster>(server, 'inventory.get', { name: CLUSTER });
  const mongoUrl = cluster.mongo!.url!;
  const nodesNow = async () =>
    (await rpc<LicenseVerification>(server, 'license.verify', { cluster: CLUSTER })).nodes.map(({ node, state, license, readOnly }) => ({ node, state, license, readOnly }));
  // This server's data directory outlives each test: what earlier tests left is the baseline.
  const backups = () => rpc<LicenseBackup[]>(server, 'license.backups', { cluster: CLUSTER });
  const operations = async () => (await rpc<OpSummary[]>(server, 'ops.list', { cluster: CLUSTER })).map((op) => op.id);
  const before = { stored: await storedLicense(mongoUrl), nodes: await nodesNow(), backups: await backups(), operations: await operations() };
  expect(before.nodes.map((n) => n.readOnly)).toEqual([true, true, true, true]);

  // Input the wizard refuses must never reach the main process: watch what the page sends.
  const checksSent: string[] = [];
  page.on('websocket', (socket) => socket.on('framesent', ({ payload }) => String(payload).includes('"license.check"') && checksSent.push(String(payload).slice(0, 80))));
  const { wizard } = await openWizard(page, server.url);
  const dir = mkdtempSync(join(tmpdir(), 'sb-e2e-license-'));
  try {
    const twoMegabytes = join(dir, 'huge.lic');
    writeFileSync(twoMegabytes, 'A'.repeat(2 * 1024 * 1024));
    const refusedLocally: Array<[string, string | { name: string; mimeType: string; buffer: Buffer }, string]> = [
      ['empty', { name: 'empty.lic', mimeType: 'text/plain', buffer: Buffer.alloc(0) }, 'empty'],
      ['binary', { name: 'logo.png', mimeType: 'image/png', buffer: Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]) }, 'binary'],
      ['2 MB', twoMegabytes, 'too-large'],
    ];
    for (const [what, file, code] of refusedLocally) {
      await test.step(what, async () => {
        await wizard.getByTestId('license-file-input').setInputFiles(file);
        await expect(wizard.getByTestId('license-input-rejection')).toHaveAttribute('data-code', code);
        await expect(wizard.getByTestId('license-check')).toBeDisabled();
      });
    }
    await expect(wizard.getByTestId('license-input-rejection')).toContainText('1 MB');
    expect(checksSent).toEqual([]);

    await test.step('truncated JWT', async () => {
      await checkFile(wizard, sampleLicense(lab, 'truncated'));
      await expect(wizard.getByTestId('license-check-page')).toHaveAttribute('data-state', 'rejected');
      await expect(wizard.getByTestId('license-check-rejection')).toHaveAttribute('data-code', 'truncated');
      await expect(wizard.getByTestId('license-summary')).toHaveCount(0);
      await expect(wizard.getByTestId('license-apply')).toHaveCount(0);
      await wizard.getByTestId('license-back').click();
    });

    const blocked: Array<[string, RegExp]> = [
      ['expired', /^period-expired:/],
      ['wrong-site', /^site-url:\d+$/],
      ['over-limit', /^limit-activeUsers:\d+$/],
    ];
    for (const [name, red] of blocked) {
      await test.step(name, async () => {
        await checkFile(wizard, sampleLicense(lab, name));
        await expect(wizard.getByTestId('license-check-page')).toHaveAttribute('data-state', 'checked');
        const reds = await wizard.locator('[data-testid="license-check-item"][data-level="red"]').evaluateAll((items) => items.map((item) => item.getAttribute('data-check') ?? ''));
        expect(reds.some((id) => red.test(id)), reds.join(' ')).toBe(true);
        await ackAll(wizard);
        await expect(wizard.getByTestId('license-apply')).toBeDisabled();
        await expect(wizard.getByTestId('license-blockers')).toHaveAttribute('data-blockers', 'red');
        await wizard.getByTestId('license-back').click();
      });
    }

    await test.step('the same check in Chinese', async () => {
      await rpc<Settings>(server, 'settings.update', { language: 'zh-CN' });
      try {
        await checkFile(wizard, sampleLicense(lab, 'expired'));
        await expect(wizard.getByTestId('license-apply')).toHaveText('应用');
        await expect(wizard.locator('[data-testid="license-check-item"][data-level="red"]').first()).toContainText('过期');
        await expect(wizard.getByTestId('license-days-left').first()).toHaveAttribute('data-expired', 'true');
        await screenshotWizard(page, wizard, 'check-expired-zh-CN');
      } finally {
        await rpc<Settings>(server, 'settings.update', { language: 'en' });
      }
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }

  // Nothing changed: the stored license, every node, no backup and no operation.
  expect(await storedLicense(mongoUrl)).toEqual(before.stored);
  expect(await nodesNow()).toEqual(before.nodes);
  expect(await backups()).toEqual(before.backups);
  expect(await operations()).toEqual(before.operations);
});

test('the server killed during the verification: the operation shows as interrupted at "verify", resumes from the Operations page and completes once the nodes restart', async ({ page }) => {
  test.setTimeout(180_000);
  // The lab runs in its own process here, so that it outlives the server we kill.
  const labDir = mkdtempSync(join(tmpdir(), 'sb-e2e-license-lab-'));
  const lab = spawn(process.execPath, [cli, 'lab', 'start', '--scenario', 'rc-readonly', '--time-scale', String(TIME_SCALE), '--dir', labDir, '--json'], { stdio: ['ignore', 'pipe', 'ignore'] });
  const ownData = mkdtempSync(join(tmpdir(), 'sb-e2e-license-data-'));
  const serveEnv = { HOME: '/nonexistent-home', SSH_AUTH_SOCK: undefined };
  const passphrase = 'license-e2e-kill-passphrase';
  let own: ServeProcess | undefined;
  try {
    const line = await new Promise<string>((resolve) => createInterface({ input: lab.stdout! }).once('line', resolve));
    const { inventory, files, mongoUrl, hosts, vaultPassphrase } = JSON.parse(line) as {
      inventory: string;
      files: string[];
      mongoUrl: string;
      hosts: Array<{ name: string; port: number }>;
      vaultPassphrase: string;
    };
    const labCluster = (parse(readFileSync(inventory, 'utf8')) as { clusters: Cluster[] }).clusters[0]!;
    own = await startServe({ dataDir: ownData, env: serveEnv });
    // The admin copies the lab's Rocket.Chat token into this server's vault: the nodes are then read
    // with licenses.info, before and after the crash (the vault is unlocked again after the restart).
    await rpc(own, 'inventory.unlockVault', { passphrase });
    const labVault = new VaultSecretStore(labDir);
    await labVault.unlock(vaultPassphrase);
    const token = await rpc<{ secret: string }>(own, 'inventory.setSecret', { value: await labVault.get(labCluster.rocketchat!.authToken!.secret) });
    await rpc(own, 'inventory.save', { cluster: { ...labCluster, name: 'rc-rehearsal', rocketchat: { ...labCluster.rocketchat, authToken: token } } });

    const valid = files.find((file) => file.endsWith('/valid.lic'))!;
    const { wizard } = await openWizard(page, own.url, 'rc-rehearsal');
    await checkFile(wizard, valid);
    await expect(wizard.getByTestId('license-check-page')).toHaveAttribute('data-state', 'checked');
    // MongoDB this time: every node keeps the old license until it restarts, so the verification waits.
    await wizard.locator('input[name="license-method"][value="mongo"]').check();
    await expect(wizard.getByTestId('license-method')).toHaveAttribute('data-method', 'mongo');
    await expect(wizard.getByTestId('license-apply-plan').locator('[data-line="applyMongo"]')).toContainText('restart');
    await ackAll(wizard);
    await wizard.getByTestId('license-grace').fill('600');
    const fingerprint = (await wizard.getByTestId('license-fingerprint').textContent())!.trim();
    await wizard.getByTestId('license-apply').click();
    const opId = (await wizard.getByTestId('license-progress').getAttribute('data-op'))!;

    // Kill it once the verification has read the nodes and found them still on the old license.
    type Op = { status: string; steps: Array<{ id: string; status: string; output: string; attempts: number }> };
    await expect
      .poll(async () => {
        const op = await rpc<Op>(own!, 'ops.get', { opId });
        const verify = op.steps.find((step) => step.id === 'verify');
        return verify?.status === 'running' && verify.output.includes('stale');
      }, { timeout: 60_000, intervals: [100] })
      .toBe(true);
    own.process.kill('SIGKILL');
    await new Promise((resolve) => own!.process.once('exit', resolve));
    expect((await storedLicense(mongoUrl)).license.trim()).toBe(readFileSync(valid, 'utf8').trim());
    own = await startServe({ dataDir: ownData, env: serveEnv });
    await rpc(own, 'inventory.unlockVault', { passphrase });

    await resumeInterrupted(page, own.url, opId, 'verify');
    await expect(page.getByTestId('op-stopped')).toHaveCount(0);

    // The admin restarts the nodes at the terminal meanwhile; the resumed verification sees them pick the license up.
    for (const node of RC_NODES) {
      const shell = await labShell(labDir, hosts.find((host) => host.name === node)!.port);
      try {
        await shell.run('sudo systemctl restart rocketchat');
      } finally {
        shell.close();
      }
    }
    await expect(page.getByTestId('op-finished')).toHaveClass(/op-banner-ok/, { timeout: 120_000 });
    const done = await rpc<Op>(own, 'ops.get', { opId });
    expect(done.steps.map((step) => [step.id, step.status])).toEqual([
      ['backup', 'succeeded'],
      ['apply', 'succeeded'],
      ['verify', 'succeeded'],
    ]);
    expect(done.steps.find((step) => step.id === 'apply')?.attempts).toBe(1);
    expect(done.steps.find((step) => step.id === 'verify')?.output).toContain('All 4 nodes run license');
    const entry = await auditOutcome(own, 'license.apply', opId);
    expect(entry.details).toMatchObject({ fingerprint, method: 'mongo' });
    const verification = await rpc<LicenseVerification>(own, 'license.verify', { cluster: 'rc-rehearsal', fingerprint });
    expect(verification.nodes.map((node) => [node.node, node.state, node.license])).toEqual(RC_NODES.map((node) => [node, 'applied', 'expected']));
  } finally {
    await own?.stop();
    lab.kill('SIGTERM');
    await new Promise((resolve) => (lab.exitCode === null ? lab.once('exit', resolve) : resolve(undefined)));
    rmSync(labDir, { recursive: true, force: true });
    rmSync(ownData, { recursive: true, force: true });
  }
});
