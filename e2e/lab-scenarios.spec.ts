import { expect, test } from '@playwright/test';
import { InspectPage } from './support/inspect-page';
import { rpc } from './support/rpc';
import type { ServeProcess } from './support/serve';
import { labServerHooks } from './support/lab-server';

// Each lab scenario (a simulation) is started from the app, inspected through the views, and
// must show the findings of its incident with the right severity and evidence. Fast lab time.
const TIME_SCALE = 0.02;

let server: ServeProcess;
labServerHooks((started) => (server = started));

async function startFromSettings(inspect: InspectPage, scenario: string, variant?: string): Promise<void> {
  const { page } = inspect;
  await page.getByTestId('nav-settings').click();
  await page.getByTestId('lab-scenario').selectOption(scenario);
  if (variant) await page.getByTestId('lab-variant').selectOption(variant);
  await page.getByTestId('lab-pace').selectOption(String(0.01));
  await page.getByTestId('lab-start').click();
  await expect(page.getByTestId('lab-running')).toBeVisible({ timeout: 60_000 });
  await page.getByTestId('nav-clusters').click();
}

async function startOverRpc(scenario: string, variant?: string): Promise<void> {
  await rpc(server, 'lab.start', { scenario, timeScale: TIME_SCALE, ...(variant ? { variant } : {}) });
}

async function inspectCluster(inspect: InspectPage, cluster: string): Promise<void> {
  await inspect.gotoClusters(server.url);
  await expect(inspect.clusterRow(cluster)).toContainText('Simulation');
  await inspect.openCluster(cluster);
  await inspect.refresh();
}

async function expectFinding(inspect: InspectPage, ruleId: string, severity: string, evidence: RegExp): Promise<void> {
  const finding = inspect.finding(ruleId).first();
  await expect(finding).toHaveAttribute('data-severity', severity);
  expect(await inspect.evidenceOf(finding)).toMatch(evidence);
}

test('healthy: all four systems inspected, nothing above P3', async ({ page }) => {
  const inspect = new InspectPage(page);
  await page.goto(server.url);
  await startFromSettings(inspect, 'healthy');
  for (const cluster of ['rehearsal-rocketchat', 'rehearsal-wukongim', 'rehearsal-vernemq', 'rehearsal-voms']) {
    await inspectCluster(inspect, cluster);
    const severities = await inspect.findingSeverities();
    expect(severities.filter((s) => s === 'P1' || s === 'P2'), `${cluster}: ${severities.join(',')}`).toEqual([]);
    await inspect.backToClusters();
  }
  await inspect.screenshot('lab-healthy');
});

test('rc-readonly: the workspace is read-only on all four nodes (P1), presence on another version (P3)', async ({ page }) => {
  const inspect = new InspectPage(page);
  await startOverRpc('rc-readonly');
  await inspectCluster(inspect, 'rehearsal-rocketchat');
  await expectFinding(inspect, 'rocketchat.read-only', 'P1', /Invalid/);
  await expect(inspect.finding('rocketchat.read-only').getByTestId('finding-host')).toHaveText(['rc1', 'rc2', 'rc3', 'rc4']);
  await expect(inspect.finding('rocketchat.read-only').getByTestId('fix-action')).toHaveAttribute('data-fix', 'license-wizard');
  await expectFinding(inspect, 'presence.version-mismatch', 'P3', /6\.13\.1/);
  await inspect.expectNodeStatus('rc1', 'P1');
  await inspect.screenshot('lab-rc-readonly', { whole: true });
});

test('wukongim-split: nodes disagree on membership and leaders (P1), versions differ (P2)', async ({ page }) => {
  const inspect = new InspectPage(page);
  await startOverRpc('wukongim-split');
  await inspectCluster(inspect, 'rehearsal-wukongim');
  await expectFinding(inspect, 'wukongim.membership', 'P1', /1001/);
  await expectFinding(inspect, 'wukongim.multiple-leaders', 'P1', /leader/i);
  await expectFinding(inspect, 'wukongim.version-skew', 'P2', /v2\.0\.10/);
});

test('vernemq-nonempty: the join refused as non-empty (P1), the bridge on before the join (P2)', async ({ page }) => {
  const inspect = new InspectPage(page);
  await startOverRpc('vernemq-nonempty');
  await inspectCluster(inspect, 'rehearsal-vernemq');
  await expectFinding(inspect, 'vernemq.non-empty-join', 'P1', /non-empty|non_empty_node/);
  await expectFinding(inspect, 'vernemq.bridge-before-join', 'P2', /vmq_bridge/);
  await inspect.expectNodeStatus('vernemq-3', 'P1');
  await inspect.expectNodeStatus('vernemq-1', 'ok');
});

test('voms-bad-ota: a bad update (P1, fixed by rollback) and Restart=on-failure (P3)', async ({ page }) => {
  const inspect = new InspectPage(page);
  await startOverRpc('voms-bad-ota');
  await inspectCluster(inspect, 'rehearsal-voms');
  await expectFinding(inspect, 'voms.bad-update', 'P1', /server\.bak|sha256|NRestarts/i);
  await expectFinding(inspect, 'voms.restart-not-always', 'P3', /Restart=on-failure/);
  await expect(inspect.finding('voms.bad-update').getByTestId('fix-action')).toHaveAttribute('data-fix', 'rollback');
});

test('voms-bad-ota clock-skew variant: the 5-minute skew is found (P2)', async ({ page }) => {
  const inspect = new InspectPage(page);
  await startOverRpc('voms-bad-ota', 'clock-skew');
  await inspectCluster(inspect, 'rehearsal-voms');
  await expectFinding(inspect, 'host.clock-skew', 'P2', /date \+%s/);
});

test('stopping the lab removes its clusters', async ({ page }) => {
  const inspect = new InspectPage(page);
  await startOverRpc('rc-readonly');
  await inspect.gotoClusters(server.url);
  await expect(inspect.clusterRow('rehearsal-rocketchat')).toBeVisible();
  await page.getByTestId('nav-settings').click();
  await page.getByTestId('lab-stop').click();
  await expect(page.getByTestId('lab-start')).toBeVisible();
  await page.getByTestId('nav-clusters').click();
  await expect(inspect.clusterRow('rehearsal-rocketchat')).toHaveCount(0);
});

test("a node's logs: the journal of its service, filtered, followed live between rounds", async ({ page }) => {
  const inspect = new InspectPage(page);
  await startOverRpc('voms-bad-ota');
  await inspectCluster(inspect, 'rehearsal-voms');
  await inspect.openNode('voms-1');
  const lines = page.getByTestId('log-lines');
  await expect(lines).toContainText('voms-server.service');
  const before = await lines.textContent();
  // The bad build keeps crashing, so its journal grows: following shows new lines without a round.
  await page.getByTestId('logs-follow').check();
  await expect.poll(async () => (await lines.textContent()) !== before, { timeout: 20_000 }).toBe(true);
  await page.getByTestId('logs-filter').fill('Main process exited');
  await expect(lines).toContainText('Main process exited');
  await expect(lines).not.toContainText('Started ');
  await page.getByTestId('logs-follow').uncheck();
});
