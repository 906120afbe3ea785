import { expect, test } from '@playwright/test';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Settings } from '../shared/contract';
import type { Cluster } from '../shared/inventory/schema';
import { InspectPage } from './support/inspect-page';
import { rpc } from './support/rpc';
import { startServe, type ServeProcess } from './support/serve';
import { startSshdHosts, type SshdHosts } from './support/sshd-hosts';

/**
 * The overview against real OpenSSH servers: two healthy hosts, one whose root file
 * system is 95% full (its `df` says so), and one on a port nothing listens on.
 */
const CLUSTER = 'chat-e2e';
let hosts: SshdHosts;
let server: ServeProcess;
let dataDir: string;
let fakeBin: string;

test.describe.configure({ mode: 'serial' });

/** A `df -P` that reports / as 95% full, put first in PATH of one sshd's sessions. */
const FULL_DF = `#!/bin/sh
echo 'Filesystem     1024-blocks      Used Available Capacity Mounted on'
echo '/dev/vda1         10000000   9500000    500000      95% /'
`;

test.beforeAll(async () => {
  fakeBin = await mkdtemp(join(tmpdir(), 'sb-e2e-fakebin-'));
  await chmod(fakeBin, 0o755);
  await writeFile(join(fakeBin, 'df'), FULL_DF, { mode: 0o755 });
  hosts = await startSshdHosts([{}, {}, { extraConfig: [`SetEnv PATH=${fakeBin}:/usr/bin:/bin`] }]);
  dataDir = await mkdtemp(join(tmpdir(), 'switchboard-e2e-inspect-'));
  await hosts.trustIn(dataDir);
  server = await startServe({ dataDir });
  const [db, app, full] = hosts.servers;
  const login = { address: '127.0.0.1', user: hosts.user.name, auth: { method: 'key', identityFile: hosts.clientKey.privatePath } };
  await rpc<Cluster>(server, 'inventory.save', {
    cluster: {
      name: CLUSTER,
      environment: 'staging',
      stacks: ['generic'],
      hosts: [
        { ...login, name: 'db-1', port: db?.port, roles: ['mongodb'] },
        { ...login, name: 'app-1', port: app?.port, roles: ['rocketchat'] },
        { ...login, name: 'app-2', port: full?.port, roles: ['rocketchat'] },
        { ...login, name: 'lb-1', port: hosts.closedPort, roles: ['haproxy'] },
      ],
    },
  });
});

test.afterAll(async () => {
  await server?.stop();
  await hosts?.stop();
  await Promise.all([dataDir, fakeBin].filter(Boolean).map((dir) => rm(dir, { recursive: true, force: true })));
});

const settings = (patch: Partial<Settings>) => rpc<Settings>(server, 'settings.update', patch);

test('a refresh shows reachable hosts ok, the full disk as P2 and the closed port as P1, grouped by role', async ({ page }) => {
  const inspect = new InspectPage(page);
  await inspect.gotoClusters(server.url);
  await expect(inspect.healthSummary(CLUSTER)).toHaveText('Not inspected yet');
  await inspect.openCluster(CLUSTER);
  await expect(page.getByTestId('not-inspected')).toBeVisible();
  await expect(inspect.lastRound).toContainText('never');

  await inspect.refresh();
  await expect(inspect.lastRound.getByTestId('round-age')).toHaveText(/^\d+ s ago$/);
  expect(await inspect.groups()).toEqual(['dataStores', 'loadBalancer', 'appNodes']);
  expect(await inspect.visibleNodes()).toEqual(['db-1', 'lb-1', 'app-1', 'app-2']);

  for (const name of ['db-1', 'app-1']) {
    await inspect.expectNodeStatus(name, 'ok');
    const node = inspect.node(name);
    await expect(node.getByTestId('node-load')).toHaveText(/^\d+\.\d{2}$/);
    await expect(node.getByTestId('node-memory')).toHaveText(/^\d+\.\d%$/);
    await expect(node.getByTestId('node-uptime')).toHaveText(/^\d+ (min|h \d+ min|d \d+ h)$/);
    await expect(node.getByTestId('finding-badge')).toHaveCount(0);
  }
  await inspect.expectNodeStatus('app-2', 'P2');
  await inspect.expectNodeStatus('lb-1', 'P1');
  await expect(inspect.node('lb-1').getByTestId('finding-badge')).toHaveText('P1 × 1');
  await expect(inspect.node('lb-1').getByTestId('node-load')).toHaveText('—');

  const unreachable = inspect.finding('host.unreachable');
  await expect(unreachable.getByTestId('finding-title')).toHaveText('lb-1 cannot be reached over SSH');
  await expect(unreachable).toContainText('Check that the host is up');
  expect(await inspect.evidenceOf(unreachable)).toMatch(/^SSH_CONNECT: /);
  await expect(inspect.finding('host.disk-full').getByTestId('finding-title')).toHaveText('/ on app-2 is 95% full');
  expect(await inspect.findingSeverities()).toEqual(['P1', 'P2']);
  await inspect.screenshot('overview-light');

  await inspect.backToClusters();
  const health = inspect.healthSummary(CLUSTER);
  await expect(health).toContainText('1 × P1');
  await expect(health).toContainText('1 × P2');
  await expect(health.getByTestId('round-age')).toHaveText(/s ago$/);
  await inspect.screenshot('clusters-list');
});

test('the Refresh action of the clusters list runs a round in place', async ({ page }) => {
  const inspect = new InspectPage(page);
  await inspect.gotoClusters(server.url);
  const button = inspect.clusterRow(CLUSTER).getByTestId('refresh-button');
  await expect(button).toHaveAccessibleName(`Refresh ${CLUSTER}`);
  const before = await rpc<{ round: number }>(server, 'inspect.state', { cluster: CLUSTER });
  await button.click();
  await expect(button).toBeEnabled();
  await expect.poll(async () => (await rpc<{ round: number }>(server, 'inspect.state', { cluster: CLUSTER })).round).toBeGreaterThan(before.round);
  await expect(inspect.healthSummary(CLUSTER)).toContainText('1 × P1');
});

test('the node view shows facts, raw probe output, history and the log panel', async ({ page }) => {
  const inspect = new InspectPage(page);
  await inspect.gotoClusters(server.url);
  await inspect.openCluster(CLUSTER);
  await inspect.openNode('db-1');

  const view = inspect.nodeView;
  await expect(view.getByTestId('node-status')).toHaveAttribute('data-status', 'ok');
  await expect(view.getByTestId('node-load')).toHaveText(/^\d+\.\d{2}$/);
  await expect(inspect.fact('host.loadavg')).toHaveAttribute('data-fact-status', 'ok');
  await expect(inspect.fact('host.loadavg')).toContainText('load1');
  await expect(inspect.fact('host.meminfo')).toContainText('totalBytes');
  await expect(inspect.fact('host.disk')).toContainText('mountedOn');

  const raw = inspect.rawOutput('host.loadavg');
  await expect(raw).toContainText('exit code 0');
  await raw.locator('summary').click();
  await expect(raw.locator('pre')).toHaveText(/^\d+\.\d+ \d+\.\d+ \d+\.\d+ \d+\/\d+ \d+\s*$/);

  await expect(view.getByTestId('sparkline-load').locator('svg')).toHaveAttribute('aria-label', /Load \(1 min\) over the last \d+ rounds/);
  await expect(view.getByTestId('sparkline-memory').locator('circle')).toHaveCount(1);
  await expect(view.getByTestId('logs-none')).toBeVisible();
  await expect(view.getByTestId('node-findings')).toContainText('No findings on this node.');
  await inspect.screenshot('node-light', { whole: true });

  await inspect.backToCluster();
  await inspect.openNode('lb-1');
  await expect(inspect.nodeView.getByTestId('node-unreachable')).toContainText('SSH_CONNECT');
  await expect(inspect.nodeView.getByTestId('node-facts')).toContainText('No facts');
  await expect(inspect.nodeView.getByTestId('finding')).toHaveCount(1);
});

test('finding actions open the node or the cluster editor', async ({ page }) => {
  const inspect = new InspectPage(page);
  await inspect.gotoClusters(server.url);
  await inspect.openCluster(CLUSTER);

  const diskFull = inspect.finding('host.disk-full');
  await expect(diskFull.getByTestId('fix-action')).toHaveText('Open the node');
  await diskFull.getByTestId('fix-action').click();
  await expect(inspect.nodeView).toHaveAttribute('data-host', 'app-2');
  await expect(inspect.fact('host.disk')).toContainText('95');
  await inspect.backToCluster();

  await inspect.finding('host.unreachable').getByTestId('fix-action').click();
  const editor = page.getByTestId('cluster-editor');
  await expect(editor).toBeVisible();
  await expect(editor.getByLabel('Name', { exact: true })).toHaveValue(CLUSTER);
  await page.keyboard.press('Escape');
  await expect(editor).toHaveCount(0);
  await expect(inspect.overview).toBeVisible();
});

test('search filters nodes by name, role and status; arrow keys walk them and Enter opens one', async ({ page }) => {
  const inspect = new InspectPage(page);
  await inspect.gotoClusters(server.url);
  await inspect.openCluster(CLUSTER);

  await inspect.search.fill('rocketchat');
  expect(await inspect.visibleNodes()).toEqual(['app-1', 'app-2']);
  await expect(page.getByTestId('node-count')).toHaveText('2 of 4 nodes');
  await inspect.search.fill('p1');
  expect(await inspect.visibleNodes()).toEqual(['lb-1']);
  await inspect.search.fill('db');
  expect(await inspect.visibleNodes()).toEqual(['db-1']);
  await inspect.search.fill('nothing-like-this');
  await expect(page.getByTestId('node-list-no-match')).toBeVisible();
  await inspect.search.fill('');
  expect(await inspect.visibleNodes()).toEqual(['db-1', 'lb-1', 'app-1', 'app-2']);

  await inspect.search.focus();
  await page.keyboard.press('Tab');
  await expect(inspect.nodeListbox).toBeFocused();
  await expect(inspect.activeNode()).toHaveAttribute('data-host', 'db-1');
  await page.keyboard.press('ArrowDown');
  await expect(inspect.activeNode()).toHaveAttribute('data-host', 'lb-1');
  await page.keyboard.press('End');
  await expect(inspect.activeNode()).toHaveAttribute('data-host', 'app-2');
  await page.keyboard.press('ArrowUp');
  await expect(inspect.activeNode()).toHaveAttribute('data-host', 'app-1');
  const activeId = await inspect.activeNode().getAttribute('id');
  await expect(inspect.nodeListbox).toHaveAttribute('aria-activedescendant', activeId ?? '');
  await page.keyboard.press('Home');
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Enter');
  await expect(inspect.nodeView).toHaveAttribute('data-host', 'lb-1');

  await inspect.backToCluster();
  // Back from the node, the list remembers where the admin was.
  await expect(inspect.activeNode()).toHaveAttribute('data-host', 'lb-1');
});

test('in Chinese the finding title comes from the catalogue; light, dark and Chinese screenshots', async ({ page }) => {
  const inspect = new InspectPage(page);
  await inspect.gotoClusters(server.url);
  await inspect.openCluster(CLUSTER);
  await settings({ language: 'zh-CN' });
  await expect(inspect.finding('host.unreachable').getByTestId('finding-title')).toHaveText('无法通过 SSH 连接 lb-1');
  await expect(inspect.finding('host.disk-full').getByTestId('finding-title')).toHaveText('app-2 上的 / 已使用 95%');
  await expect(inspect.node('db-1').getByTestId('node-status')).toHaveText('正常');
  await expect(inspect.lastRound.getByTestId('round-age')).toHaveText(/秒前|分钟前/);
  await inspect.screenshot('overview-zh-CN');
  await inspect.openNode('app-2');
  await inspect.screenshot('node-zh-CN', { whole: true });
  await inspect.backToCluster();

  await settings({ language: 'en', theme: 'dark' });
  await expect(inspect.finding('host.unreachable').getByTestId('finding-title')).toHaveText('lb-1 cannot be reached over SSH');
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  await inspect.screenshot('overview-dark');
  // Wide windows put the findings beside the nodes.
  await page.setViewportSize({ width: 1600, height: 900 });
  await inspect.screenshot('overview-wide-dark');
  await page.setViewportSize({ width: 1280, height: 720 });
  await inspect.openNode('db-1');
  await inspect.screenshot('node-dark', { whole: true });
  await settings({ theme: 'light' });
});

test('an auto-refresh interval brings new rounds without a click, merged from the update events', async ({ page }) => {
  const inspect = new InspectPage(page);
  await inspect.gotoClusters(server.url);
  await inspect.openCluster(CLUSTER);
  const round = async () => Number(await inspect.lastRound.getAttribute('data-round'));
  const first = await round();
  expect(first).toBeGreaterThan(0);

  const interval = inspect.overview.getByTestId('interval-select');
  await expect(interval.locator('option')).toHaveText(['Off', 'Every 15 s', 'Every 30 s', 'Every 60 s', 'Every 5 min']);
  await interval.selectOption({ label: 'Every 15 s' });
  try {
    await expect.poll(round, { timeout: 40_000 }).toBeGreaterThan(first);
    await inspect.expectNodeStatus('lb-1', 'P1');
    await inspect.expectNodeStatus('db-1', 'ok');
  } finally {
    await interval.selectOption({ label: 'Off' });
  }
});
