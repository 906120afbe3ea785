import { expect, test, type Page } from '@playwright/test';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { MongoClient } from 'mongodb';
import { parse } from 'yaml';
import type { Cluster } from '../shared/inventory/schema';
import type { LabStatus } from '../shared/contract/lab';
import { InspectPage } from './support/inspect-page';
import { rpc } from './support/rpc';
import { startServe, type ServeProcess } from './support/serve';
import { labServerHooks } from './support/lab-server';
import { resumeInterrupted } from './support/operations-page';
import { labShell } from './support/lab-shell';

// Staged restarts from the app, against the rehearsal lab (a simulation), in fast lab time.
const TIME_SCALE = 0.02;
const cli = fileURLToPath(new URL('../out/main/cli.js', import.meta.url));

let server: ServeProcess;
labServerHooks((started) => (server = started));

async function startLab(scenario: string): Promise<LabStatus> {
  return rpc<LabStatus>(server, 'lab.start', { scenario, timeScale: TIME_SCALE });
}

/** Opens the staged-restart preview of a cluster, plans it for the given roles and starts it. */
async function runRestart(page: Page, cluster: string, roles: string[]): Promise<void> {
  const inspect = new InspectPage(page);
  await inspect.gotoClusters(server.url);
  await inspect.openCluster(cluster);
  await inspect.refresh();
  await page.getByTestId('staged-restart').click();
  for (const role of roles) await page.getByTestId('restart-roles').getByRole('checkbox', { name: role, exact: true }).check();
  await page.getByTestId('restart-plan').click();
  await expect(page.getByTestId('restart-plan-step').first()).toBeVisible({ timeout: 30_000 });
  await expect(page.getByTestId('restart-refusals')).toHaveCount(0);
  await page.getByTestId('restart-start').click();
  await expect(page.getByTestId('op-page')).toBeVisible();
}

async function expectSucceeded(page: Page): Promise<void> {
  await expect(page.getByTestId('op-finished')).toBeVisible({ timeout: 120_000 });
  await expect(page.getByTestId('op-finished')).toHaveClass(/op-banner-ok/);
}

/** rc-readonly with the lab's valid license stored in MongoDB: each node reads it when it restarts. */
async function startLicensedRocketChat(): Promise<{ lab: LabStatus; cluster: Cluster }> {
  const lab = await startLab('rc-readonly');
  const cluster = await rpc<Cluster>(server, 'inventory.get', { name: 'rehearsal-rocketchat' });
  const license = readFileSync(lab.running!.files.find((f) => f.endsWith('valid.lic'))!, 'utf8').trim();
  const mongo = new MongoClient(cluster.mongo!.url!);
  try {
    await mongo.db('rocketchat').collection('rocketchat_settings').updateOne({ _id: 'Enterprise_License' as never }, { $set: { value: license } });
  } finally {
    await mongo.close();
  }
  return { lab, cluster };
}

test('rc-readonly with the license stored: a rolling restart drains each node before its restart and ends with every node writable', async ({ page }) => {
  await startLicensedRocketChat();
  await runRestart(page, 'rehearsal-rocketchat', ['rocketchat']);
  // The preview said what keeps serving; the operation shows each node drained, restarted, readied.
  await expectSucceeded(page);
  const steps = await page.getByTestId('op-step').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-step') ?? ''));
  for (const node of ['rc1', 'rc2', 'rc3', 'rc4']) {
    const order = steps.filter((id) => id.includes(node));
    expect(order.findIndex((id) => /drain/.test(id)), `${node}: ${order.join(' ')}`).toBeLessThan(order.findIndex((id) => /restart/.test(id)));
  }
  // After the restart every node read the stored license: no read-only finding is left.
  const inspect = new InspectPage(page);
  await inspect.gotoClusters(server.url);
  await inspect.openCluster('rehearsal-rocketchat');
  await inspect.refresh();
  await expect(inspect.finding('rocketchat.read-only')).toHaveCount(0);
  await expect(inspect.finding('rocketchat.node-read-only')).toHaveCount(0);
  await inspect.expectNodeStatus('rc1', 'ok');
});

test('wukongim-split: the restart starts 1001 first, and afterwards the nodes agree on membership and one leader', async ({ page }) => {
  await startLab('wukongim-split');
  await runRestart(page, 'rehearsal-wukongim', ['wukongim']);
  await expectSucceeded(page);
  const steps = await page.getByTestId('op-step').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-step') ?? ''));
  expect(steps.findIndex((id) => id.includes('1001'))).toBe(0);
  const inspect = new InspectPage(page);
  await inspect.gotoClusters(server.url);
  await inspect.openCluster('rehearsal-wukongim');
  await inspect.refresh();
  await expect(inspect.finding('wukongim.membership')).toHaveCount(0);
  await expect(inspect.finding('wukongim.multiple-leaders')).toHaveCount(0);
});

test('a second operation on the same cluster is refused while the first holds the lock', async () => {
  await startLab('wukongim-split');
  const policy = { roles: ['wukongim'], maxUnavailable: 1, gateTimeoutSeconds: 300, onGateFailure: 'stop' };
  const first = await rpc<{ opId: string }>(server, 'restart.start', { cluster: 'rehearsal-wukongim', policy });
  await expect(rpc(server, 'restart.start', { cluster: 'rehearsal-wukongim', policy })).rejects.toThrow(/CONFLICT|locked|unfinished|operation/i);
  // Leave nothing running for the next test: stop it and put back what it changed.
  const aborted = await rpc<{ op: { status: string }; pendingUndo: unknown[] }>(server, 'ops.abort', { opId: first.opId });
  if (aborted.pendingUndo.length > 0) await rpc(server, 'ops.undo', { opId: first.opId });
});

test('vernemq-nonempty: the restart disables the bridge, joins, then enables and starts it; all three nodes run', async ({ page }) => {
  await startLab('vernemq-nonempty');
  await runRestart(page, 'rehearsal-vernemq', ['vernemq']);
  await expectSucceeded(page);
  const steps = await page.getByTestId('op-step').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-step') ?? ''));
  const at = (suffix: string) => steps.indexOf(`vernemq-3:${suffix}`);
  expect(at('bridge-off')).toBeGreaterThanOrEqual(0);
  expect(at('bridge-off')).toBeLessThan(at('restart'));
  expect(at('restart')).toBeLessThan(at('join'));
  expect(at('join')).toBeLessThan(at('bridge-enable'));
  expect(at('bridge-enable')).toBeLessThan(at('bridge-start'));
  const inspect = new InspectPage(page);
  await inspect.gotoClusters(server.url);
  await inspect.openCluster('rehearsal-vernemq');
  await inspect.refresh();
  await expect(inspect.finding('vernemq.non-empty-join')).toHaveCount(0);
  await expect(inspect.finding('vernemq.not-in-cluster')).toHaveCount(0);
  for (const node of ['vernemq-1', 'vernemq-2', 'vernemq-3']) await expect(inspect.node(node)).not.toHaveAttribute('data-status', 'P1');
});

test('the server killed mid-operation: the operation shows as interrupted at its step, and resume completes it without repeating finished steps', async ({ page }) => {
  // The lab runs in its own process here, so that it outlives the server we kill.
  const labDir = mkdtempSync(join(tmpdir(), 'sb-e2e-kill-lab-'));
  const lab = spawn(process.execPath, [cli, 'lab', 'start', '--scenario', 'wukongim-split', '--time-scale', '0.05', '--dir', labDir, '--json'], { stdio: ['ignore', 'pipe', 'ignore'] });
  const ownData = mkdtempSync(join(tmpdir(), 'sb-e2e-kill-data-'));
  let own: ServeProcess | undefined;
  try {
    const line = await new Promise<string>((resolve) => createInterface({ input: lab.stdout! }).once('line', resolve));
    const { inventory } = JSON.parse(line) as { inventory: string };
    const labCluster = (parse(readFileSync(inventory, 'utf8')) as { clusters: Cluster[] }).clusters[0]!;
    own = await startServe({ dataDir: ownData, env: { HOME: '/nonexistent-home', SSH_AUTH_SOCK: undefined } });
    await rpc(own, 'inventory.save', { cluster: { ...labCluster, name: 'wk-rehearsal' } });
    const policy = { roles: ['wukongim'], maxUnavailable: 1, gateTimeoutSeconds: 300, onGateFailure: 'stop' };
    const { opId } = await rpc<{ opId: string }>(own, 'restart.start', { cluster: 'wk-rehearsal', policy });
    type Op = { steps: Array<{ id: string; status: string; attempts: number }> };
    // Kill it once the seed node's step has finished and the next one is under way.
    await expect
      .poll(async () => {
        const op = await rpc<Op>(own!, 'ops.get', { opId });
        return op.steps[0]?.status === 'succeeded' && op.steps[1]?.status === 'running';
      }, { timeout: 60_000, intervals: [50] })
      .toBe(true);
    own.process.kill('SIGKILL');
    await new Promise((resolve) => own!.process.once('exit', resolve));
    own = await startServe({ dataDir: ownData, env: { HOME: '/nonexistent-home', SSH_AUTH_SOCK: undefined } });

    await resumeInterrupted(page, own.url, opId, 'wukongim-1002:restart');
    await expect(page.getByTestId('op-finished')).toHaveClass(/op-banner-ok/, { timeout: 120_000 });
    const done = await rpc<Op>(own, 'ops.get', { opId });
    expect(done.steps.find((s) => s.id === 'wukongim-1001:restart')?.attempts).toBe(1);
    expect(done.steps.every((s) => s.status === 'succeeded')).toBe(true);
  } finally {
    await own?.stop();
    lab.kill('SIGTERM');
    await new Promise((resolve) => (lab.exitCode === null ? lab.once('exit', resolve) : resolve(undefined)));
    rmSync(labDir, { recursive: true, force: true });
    rmSync(ownData, { recursive: true, force: true });
  }
});

test('while 4 Rocket.Chat nodes roll, HAProxy keeps at least 3 backends UP, sampled all along', async ({ page }) => {
  const { lab, cluster } = await startLicensedRocketChat();
  const haproxy = cluster.hosts.find((h) => h.roles.includes('haproxy'))!;
  const shell = await labShell(lab.running!.dir, haproxy.port);
  const samples: number[] = [];
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      const csv = await shell.run('echo "show stat" | socat stdio /run/haproxy/admin.sock');
      samples.push(csv.split('\n').filter((line) => /^rocketchat_back,rc\d,/.test(line) && /,UP[ ,]/.test(line)).length);
    }
  })();
  try {
    await runRestart(page, 'rehearsal-rocketchat', ['rocketchat']);
    await expect(page.getByTestId('op-finished')).toBeVisible({ timeout: 120_000 });
  } finally {
    sampling = false;
    await sampler;
    shell.close();
  }
  expect(samples.length).toBeGreaterThan(20);
  expect(Math.min(...samples)).toBeGreaterThanOrEqual(3);
  expect(samples).toContain(3);
});

test('a health gate that never passes stops the operation at that node; the nodes after it are untouched', async ({ page }) => {
  await startLicensedRocketChat();
  await rpc(server, 'lab.fault', { host: 'rc2', fault: 'unhealthy', on: true });
  const inspect = new InspectPage(page);
  await inspect.gotoClusters(server.url);
  await inspect.openCluster('rehearsal-rocketchat');
  await inspect.refresh();
  await page.getByTestId('staged-restart').click();
  await page.getByTestId('restart-roles').getByRole('checkbox', { name: 'rocketchat', exact: true }).check();
  await page.getByTestId('restart-gate-timeout').fill('5');
  await page.getByTestId('restart-plan').click();
  await expect(page.getByTestId('restart-plan-step').first()).toBeVisible({ timeout: 30_000 });
  await page.getByTestId('restart-start').click();
  await expect(page.getByTestId('op-stopped')).toHaveAttribute('data-step', 'rc2:restart', { timeout: 60_000 });
  const stateOf = (step: string) => page.locator(`[data-testid="op-step"][data-step="${step}"]`).getAttribute('data-state');
  expect(await stateOf('rc1:ready')).toBe('succeeded');
  for (const untouched of ['rc3:drain', 'rc3:restart', 'rc4:drain', 'rc4:restart']) expect(await stateOf(untouched)).toBe('pending');
  // rc2 is left drained and the page says so, with the undo offered.
  await expect(page.getByTestId('op-pending-undo')).toContainText('rc2');
  await rpc(server, 'lab.fault', { host: 'rc2', fault: 'unhealthy', on: false });
  await page.getByTestId('op-undo-pending').click();
  await page.getByTestId('op-confirm').click();
  await expect(page.getByTestId('op-finished')).toBeVisible({ timeout: 60_000 });
  await expect(page.getByTestId('op-pending-undo')).toHaveCount(0);
});
