import { expect, test, type Locator, type Page } from '@playwright/test';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Cluster, ClusterForm, ClusterSummary } from '../shared/inventory/schema';
import { rpc as callOver } from './support/rpc';
import { startServe, type ServeProcess } from './support/serve';

let server: ServeProcess;
let fixtureDir: string;

test.beforeAll(async () => {
  server = await startServe();
  fixtureDir = mkdtempSync(join(tmpdir(), 'switchboard-e2e-ssh-'));
});
test.afterAll(async () => {
  await server?.stop();
  if (fixtureDir) rmSync(fixtureDir, { recursive: true, force: true });
});

const fixtures = fileURLToPath(new URL('./fixtures/', import.meta.url));
const inventoryFile = () => join(server.dataDir, 'inventory.yaml');
const inventoryText = () => (existsSync(inventoryFile()) ? readFileSync(inventoryFile(), 'utf8') : '');

const rpc = <T>(call: string, input: unknown): Promise<T> => callOver<T>(server, call, input);

const clusterNames = async () => (await rpc<ClusterSummary[]>('inventory.list', {})).map((cluster) => cluster.name);
const clusterRow = (page: Page, name: string) => page.locator(`[data-testid="cluster-row"][data-cluster="${name}"]`);

async function openClusters(page: Page): Promise<void> {
  await page.goto(server.url);
  await expect(page.getByTestId('page-clusters')).toBeVisible();
}

async function openNewClusterEditor(page: Page): Promise<Locator> {
  const empty = page.getByTestId('clusters-empty');
  const header = page.locator('.page-header');
  await (await empty.isVisible() ? empty : header).getByRole('button', { name: 'Add cluster' }).click();
  const editor = page.getByTestId('cluster-editor');
  await expect(editor).toBeVisible();
  return editor;
}

interface HostInput {
  name: string;
  address: string;
  user: string;
  port?: string;
  roles?: string[];
  auth?: 'agent' | 'key' | 'password';
  identityFile?: string;
  password?: string;
  jump?: string;
}

async function fillHost(editor: Locator, index: number, host: HostInput): Promise<void> {
  if ((await editor.getByTestId(`host-row-${index}`).count()) === 0) await editor.getByTestId('add-host').click();
  const row = editor.getByTestId(`host-row-${index}`);
  await row.getByLabel('Host name', { exact: true }).fill(host.name);
  await row.getByLabel('Address', { exact: true }).fill(host.address);
  if (host.port) await row.getByLabel('Port', { exact: true }).fill(host.port);
  await row.getByLabel('User', { exact: true }).fill(host.user);
  for (const role of host.roles ?? []) await row.getByLabel(role, { exact: true }).check();
  if (host.auth) await row.getByLabel('Log in with').selectOption(host.auth);
  if (host.identityFile) await row.getByLabel('Identity file').fill(host.identityFile);
  if (host.password) await row.getByLabel('Password', { exact: true }).fill(host.password);
  if (host.jump) await row.getByLabel('Jump hosts').fill(host.jump);
}

function seedCluster(cluster: ClusterForm): Promise<Cluster> {
  return rpc<Cluster>('inventory.save', { cluster });
}

test('the empty list offers Add and Import; a cluster with two hosts is created through the form', async ({ page }) => {
  await openClusters(page);
  await expect(page.getByTestId('clusters-empty')).toBeVisible();
  await expect(page.getByTestId('vault-status')).toHaveAttribute('data-state', 'absent');
  await expect(page.getByTestId('clusters-empty').getByRole('button', { name: 'Import…' })).toBeVisible();
  await page.screenshot({ path: 'e2e/artifacts/clusters-empty.png' });

  const editor = await openNewClusterEditor(page);
  await editor.getByLabel('Name', { exact: true }).fill('chat-staging');
  await editor.getByLabel('Environment').selectOption('staging');
  await editor.getByTestId('stacks').getByLabel('Rocket.Chat').check();
  await fillHost(editor, 0, { name: 'rc-1', address: '10.0.0.11', user: 'ops', roles: ['rocketchat'] });
  await fillHost(editor, 1, {
    name: 'db-1',
    address: 'db.example.com',
    port: '2222',
    user: 'ops',
    roles: ['mongodb'],
    auth: 'key',
    identityFile: '~/.ssh/chat_ed25519',
    jump: 'rc-1',
  });
  await editor.getByTestId('mongo-section').locator('summary').click();
  await editor.getByLabel('Connection URL').fill('mongodb://db.example.com:27017/rocketchat');
  await editor.getByLabel('Reach through').selectOption('rc-1');
  await page.screenshot({ path: 'e2e/artifacts/clusters-editor.png' });
  await editor.getByTestId('save-cluster').click();
  await expect(editor).toHaveCount(0);

  const row = clusterRow(page, 'chat-staging');
  await expect(row.getByTestId('host-count')).toHaveText('2');
  await expect(row.getByTestId('environment-badge')).toHaveText('Staging');
  await expect(row).toContainText('Rocket.Chat');
  await expect(row.getByTestId('health-summary')).toHaveText('Not inspected yet');

  const saved = await rpc<Cluster>('inventory.get', { name: 'chat-staging' });
  expect(saved.stacks).toEqual(['generic', 'rocketchat']);
  expect(saved.hosts).toEqual([
    { name: 'rc-1', address: '10.0.0.11', port: 22, user: 'ops', roles: ['rocketchat'], auth: { method: 'agent' } },
    {
      name: 'db-1',
      address: 'db.example.com',
      port: 2222,
      user: 'ops',
      roles: ['mongodb'],
      auth: { method: 'key', identityFile: '~/.ssh/chat_ed25519' },
      jump: ['rc-1'],
    },
  ]);
  expect(saved.mongo).toEqual({ url: 'mongodb://db.example.com:27017/rocketchat', tunnelVia: 'rc-1' });
});

test('hostile addresses are refused next to their fields and nothing is saved', async ({ page }) => {
  await openClusters(page);
  const before = inventoryText();
  const editor = await openNewClusterEditor(page);
  await editor.getByLabel('Name', { exact: true }).fill('evil-cluster');
  await fillHost(editor, 0, { name: 'h1', address: 'a;rm -rf /', user: 'ops' });
  await fillHost(editor, 1, { name: 'h2', address: '$(id)', user: 'ops' });
  await editor.getByTestId('save-cluster').click();

  const first = editor.getByTestId('host-row-0');
  const second = editor.getByTestId('host-row-1');
  await expect(first.getByTestId('field-error')).toHaveText('"a;rm -rf /" is refused: a host address cannot contain spaces');
  await expect(second.getByTestId('field-error')).toHaveText('"$(id)" is refused: a host address cannot contain "$"');
  await expect(first.getByLabel('Address', { exact: true })).toHaveAttribute('aria-invalid', 'true');
  await expect(editor.getByTestId('editor-error')).toContainText('Fix 2 problems to save.');
  await page.screenshot({ path: 'e2e/artifacts/clusters-editor-errors.png' });

  await editor.getByRole('button', { name: 'Cancel' }).click();
  await expect(editor).toHaveCount(0);
  await expect(clusterRow(page, 'evil-cluster')).toHaveCount(0);
  await page.reload();
  await expect(page.getByTestId('page-clusters')).toBeVisible();
  await expect(clusterRow(page, 'evil-cluster')).toHaveCount(0);
  expect(await clusterNames()).not.toContain('evil-cluster');
  expect(inventoryText()).toBe(before);
});

test('a problem found by the main process is shown in the editor', async ({ page }) => {
  await seedCluster({ name: 'taken', environment: 'lab', stacks: ['generic'], hosts: [] });
  await openClusters(page);
  const editor = await openNewClusterEditor(page);
  await editor.getByLabel('Name', { exact: true }).fill('taken');
  await fillHost(editor, 0, { name: 'h1', address: 'h1.example.com', user: 'ops' });
  await editor.getByTestId('save-cluster').click();
  await expect(editor.getByTestId('editor-error')).toHaveText('A cluster named "taken" already exists');
  await editor.getByRole('button', { name: 'Cancel' }).click();
  expect((await rpc<Cluster>('inventory.get', { name: 'taken' })).hosts).toEqual([]);
});

test('edits, duplicates and deletes clusters, asking before a delete', async ({ page }) => {
  await openClusters(page);
  // Saved by another client: the list follows the inventoryChanged event without a reload.
  await seedCluster({
    name: 'chat-eu',
    environment: 'staging',
    stacks: ['generic', 'rocketchat'],
    hosts: [
      { name: 'rc-1', address: '10.1.0.1', user: 'ops', roles: ['rocketchat'], labels: { rack: 'b2' } },
      {
        name: 'rc-2',
        address: '10.1.0.2',
        user: 'ops',
        roles: ['rocketchat'],
        services: [{ name: 'rocketchat', kind: 'docker', container: 'rocketchat-2' }],
      },
    ],
  });
  await seedCluster({
    name: 'scratch',
    environment: 'lab',
    simulated: true,
    stacks: ['generic'],
    hosts: [{ name: 'only', address: '127.0.0.1', port: 42022, user: 'lab' }],
  });
  await expect(clusterRow(page, 'chat-eu').getByTestId('host-count')).toHaveText('2');
  await expect(clusterRow(page, 'scratch').getByTestId('simulation-badge')).toHaveText('Simulation');
  await expect(clusterRow(page, 'chat-eu').getByTestId('simulation-badge')).toHaveCount(0);

  await clusterRow(page, 'chat-eu').getByRole('button', { name: 'Edit chat-eu' }).click();
  const editor = page.getByTestId('cluster-editor');
  await expect(editor.getByRole('heading', { level: 2 })).toHaveText('Edit cluster chat-eu');
  await editor.getByLabel('Name', { exact: true }).fill('chat-eu-prod');
  await editor.getByLabel('Environment').selectOption('production');
  await editor.getByTestId('host-row-1').getByLabel('Port', { exact: true }).fill('2201');
  await editor.getByTestId('host-row-1').getByLabel('presence', { exact: true }).check();
  await editor.getByTestId('save-cluster').click();
  await expect(editor).toHaveCount(0);
  await expect(clusterRow(page, 'chat-eu')).toHaveCount(0);
  await expect(clusterRow(page, 'chat-eu-prod').getByTestId('environment-badge')).toHaveText('Production');
  const edited = await rpc<Cluster>('inventory.get', { name: 'chat-eu-prod' });
  expect(edited.hosts[1]).toMatchObject({ port: 2201, roles: ['rocketchat', 'presence'], services: [{ container: 'rocketchat-2' }] });
  expect(edited.hosts[0]?.labels).toEqual({ rack: 'b2' });

  await clusterRow(page, 'chat-eu-prod').getByRole('button', { name: 'Duplicate chat-eu-prod' }).click();
  await expect(clusterRow(page, 'chat-eu-prod-copy').getByTestId('host-count')).toHaveText('2');

  // A production cluster: the name must be typed before Delete is possible.
  await clusterRow(page, 'chat-eu-prod-copy').getByRole('button', { name: 'Delete chat-eu-prod-copy' }).click();
  const confirm = page.getByTestId('delete-dialog');
  await expect(confirm.getByTestId('delete-question')).toHaveText(
    "Delete cluster chat-eu-prod-copy and its 2 hosts from Switchboard's inventory? Nothing on the hosts changes.",
  );
  const deleteButton = confirm.getByRole('button', { name: 'Delete', exact: true });
  await expect(deleteButton).toBeDisabled();
  await confirm.getByLabel('Type chat-eu-prod-copy to confirm').fill('chat-eu-prod');
  await expect(deleteButton).toBeDisabled();
  await confirm.getByLabel('Type chat-eu-prod-copy to confirm').fill('chat-eu-prod-copy');
  await page.screenshot({ path: 'e2e/artifacts/clusters-delete-production.png' });
  await deleteButton.click();
  await expect(confirm).toHaveCount(0);
  await expect(clusterRow(page, 'chat-eu-prod-copy')).toHaveCount(0);
  expect(await clusterNames()).not.toContain('chat-eu-prod-copy');

  // Cancel leaves it alone; a lab cluster needs no typing.
  await clusterRow(page, 'scratch').getByRole('button', { name: 'Delete scratch' }).click();
  await expect(confirm.getByTestId('delete-question')).toHaveText(
    "Delete cluster scratch and its 1 host from Switchboard's inventory? Nothing on the host changes.",
  );
  await confirm.getByRole('button', { name: 'Cancel' }).click();
  await expect(clusterRow(page, 'scratch')).toHaveCount(1);
  await clusterRow(page, 'scratch').getByRole('button', { name: 'Delete scratch' }).click();
  await confirm.getByRole('button', { name: 'Delete', exact: true }).click();
  await expect(clusterRow(page, 'scratch')).toHaveCount(0);
  expect(await clusterNames()).toContain('chat-eu-prod');
});

test('a host password goes to a new vault; the inventory file keeps only a reference', async ({ page }) => {
  const password = 'Sup3r-Secret-Pa55word';
  const passphrase = 'correct horse battery staple';
  await openClusters(page);
  const editor = await openNewClusterEditor(page);
  await editor.getByLabel('Name', { exact: true }).fill('vaulted');
  await fillHost(editor, 0, { name: 'pw-host', address: 'pw.example.com', user: 'root', auth: 'password', password });
  await editor.getByTestId('save-cluster').click();

  const vault = page.getByTestId('vault-dialog');
  await expect(vault.getByRole('heading', { level: 2 })).toHaveText('Create the secret vault');
  await vault.getByLabel('Passphrase', { exact: true }).fill('short');
  await vault.getByLabel('Repeat the passphrase').fill('short');
  await vault.getByRole('button', { name: 'Create vault' }).click();
  await expect(vault.getByTestId('field-error')).toHaveText('Use at least 8 characters.');
  await vault.getByLabel('Passphrase', { exact: true }).fill(passphrase);
  await vault.getByLabel('Repeat the passphrase').fill(`${passphrase}!`);
  await vault.getByRole('button', { name: 'Create vault' }).click();
  await expect(vault.getByTestId('field-error')).toHaveText('The two passphrases differ.');
  await page.screenshot({ path: 'e2e/artifacts/clusters-vault-create.png' });
  await vault.getByLabel('Repeat the passphrase').fill(passphrase);
  await vault.getByRole('button', { name: 'Create vault' }).click();
  await expect(editor).toHaveCount(0);
  await expect(clusterRow(page, 'vaulted').getByTestId('host-count')).toHaveText('1');
  await expect(page.getByTestId('vault-status')).toHaveAttribute('data-state', 'unlocked');

  const firstSave = inventoryText();
  expect(firstSave).toContain('secret:');
  expect(firstSave).not.toContain(password);
  expect(readFileSync(join(server.dataDir, 'secrets.vault'), 'utf8')).not.toContain(password);
  const firstRef = (await rpc<Cluster>('inventory.get', { name: 'vaulted' })).hosts[0]?.auth.password?.secret;
  expect(firstRef).toMatch(/^[A-Za-z0-9_-]+$/);

  // Locked again: changing the password asks for the passphrase, and a wrong one is refused.
  await page.getByTestId('vault-action').click();
  await expect(page.getByTestId('vault-status')).toHaveAttribute('data-state', 'locked');
  await clusterRow(page, 'vaulted').getByRole('button', { name: 'Edit vaulted' }).click();
  const passwordField = editor.getByTestId('host-row-0').getByLabel('Password', { exact: true });
  await expect(passwordField).toHaveAttribute('placeholder', 'Stored — type to replace');
  await expect(passwordField).toHaveValue('');
  await passwordField.fill('An0ther-Secret-Pa55word');
  await editor.getByTestId('save-cluster').click();
  await expect(vault.getByRole('heading', { level: 2 })).toHaveText('Unlock the secret vault');
  await vault.getByLabel('Passphrase', { exact: true }).fill('not the passphrase');
  await vault.getByRole('button', { name: 'Unlock' }).click();
  await expect(vault.getByTestId('vault-error')).toHaveText('Wrong vault passphrase');
  await page.screenshot({ path: 'e2e/artifacts/clusters-vault-wrong.png' });
  await vault.getByLabel('Passphrase', { exact: true }).fill(passphrase);
  await vault.getByRole('button', { name: 'Unlock' }).click();
  await expect(editor).toHaveCount(0);

  const secondSave = inventoryText();
  expect(secondSave).toContain('secret:');
  expect(secondSave).not.toContain('An0ther-Secret-Pa55word');
  const secondRef = (await rpc<Cluster>('inventory.get', { name: 'vaulted' })).hosts[0]?.auth.password?.secret;
  expect(secondRef).not.toBe(firstRef);
  expect(secondSave).not.toContain(firstRef);
});

test('the list is keyboard navigable with a visible focus', async ({ page }) => {
  await openClusters(page);
  const rows = page.getByTestId('cluster-row');
  await expect(rows.nth(1)).toBeVisible();
  const firstEdit = rows.nth(0).getByRole('button', { name: /^Edit / });
  await firstEdit.focus();
  await page.keyboard.press('ArrowDown');
  await expect(rows.nth(1).getByRole('button', { name: /^Edit / })).toBeFocused();
  await page.keyboard.press('End');
  await expect(rows.last().getByRole('button', { name: /^Edit / })).toBeFocused();
  await page.keyboard.press('Home');
  await expect(firstEdit).toBeFocused();
  expect(await firstEdit.evaluate((el) => getComputedStyle(el).outlineStyle)).not.toBe('none');

  await page.keyboard.press('Enter');
  await expect(page.getByTestId('cluster-editor')).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('cluster-editor')).toHaveCount(0);
  await expect(firstEdit).toBeFocused();
});

test('imports an OpenSSH client config with host patterns, ProxyJump and an Include', async ({ page }) => {
  const template = readFileSync(join(fixtures, 'ssh-config/config'), 'utf8');
  mkdirSync(join(fixtureDir, 'config.d'), { recursive: true });
  writeFileSync(join(fixtureDir, 'config'), template.replaceAll('__FIXTURE_DIR__', fixtureDir));
  writeFileSync(join(fixtureDir, 'config.d/mongo.conf'), readFileSync(join(fixtures, 'ssh-config/config.d/mongo.conf')));

  await openClusters(page);
  await page.locator('.page-header').getByRole('button', { name: 'Import…' }).click();
  const dialog = page.getByTestId('import-dialog');
  await dialog.getByLabel('OpenSSH client config').check();
  await dialog.getByLabel('A file on the machine running Switchboard').check();
  await dialog.getByLabel('File path').fill(join(fixtureDir, 'config'));
  await dialog.getByTestId('import-preview').click();

  const hosts = dialog.getByTestId('import-host');
  await expect(hosts).toHaveCount(4);
  const host = (name: string) => dialog.locator(`[data-testid="import-host"][data-host="${name}"]`);
  await expect(host('mongo-1')).toContainText('10.0.1.10');
  await expect(host('mongo-1')).toContainText('mongo');
  await expect(host('bastion')).toContainText('bastion.example.com');
  await expect(host('bastion')).toContainText('2222');
  await expect(host('rc-2')).toContainText('2200');
  await expect(host('rc-2')).toContainText('deploy');
  await expect(host('rc-2')).toContainText('.ssh/chat_ed25519');
  await expect(host('rc-2')).toContainText('bastion');
  await expect(dialog.getByTestId('import-warnings')).toContainText('legacy-box');
  await dialog.getByLabel('Name', { exact: true }).fill('chat-ssh');
  await dialog.getByLabel('Environment').selectOption('staging');
  await page.screenshot({ path: 'e2e/artifacts/clusters-import-ssh.png' });
  await dialog.getByTestId('import-save').click();
  await expect(dialog).toHaveCount(0);

  await expect(clusterRow(page, 'chat-ssh').getByTestId('host-count')).toHaveText('4');
  const saved = await rpc<Cluster>('inventory.get', { name: 'chat-ssh' });
  expect(saved.environment).toBe('staging');
  const byName = Object.fromEntries(saved.hosts.map((h) => [h.name, h]));
  expect(byName['rc-1']).toMatchObject({ address: '10.0.1.21', port: 22, user: 'deploy', jump: ['bastion'] });
  expect(byName['rc-2']).toMatchObject({ address: '10.0.1.22', port: 2200, user: 'deploy', jump: ['bastion'] });
  expect(byName['bastion']).toMatchObject({ port: 2222, user: 'ops' });
  expect(byName['mongo-1']).toMatchObject({ address: '10.0.1.10', user: 'mongo', jump: ['bastion'] });
  expect(byName['rc-1']?.auth.identityFile).toMatch(/\/\.ssh\/chat_ed25519$/);
});

test('imports an Ansible INI inventory: role groups become roles, ranges are expanded', async ({ page }) => {
  await openClusters(page);
  await page.locator('.page-header').getByRole('button', { name: 'Import…' }).click();
  const dialog = page.getByTestId('import-dialog');
  await dialog.getByLabel('Ansible inventory (INI or YAML)').check();
  await dialog.getByLabel('Pasted text').check();
  await dialog.getByLabel('Text to import').fill(readFileSync(join(fixtures, 'ansible/chat.ini'), 'utf8'));
  await dialog.getByTestId('import-preview').click();

  await expect(dialog.getByTestId('import-host')).toHaveCount(6);
  await expect(dialog.getByTestId('import-summary')).toContainText('6 hosts read from an Ansible INI inventory');
  const roles = (name: string) => dialog.locator(`[data-testid="import-host"][data-host="${name}"]`).getByTestId('import-host-roles');
  for (const n of [1, 2, 3, 4]) await expect(roles(`rc${n}.example.com`)).toHaveText('rocketchat');
  await expect(roles('db1.example.com')).toHaveText('mongodb');
  await expect(roles('lb.example.com')).toHaveText('haproxy');
  await dialog.getByLabel('Name', { exact: true }).fill('chat-ansible');
  await dialog.getByLabel('Environment').selectOption('production');
  await page.screenshot({ path: 'e2e/artifacts/clusters-import-ansible.png' });
  await dialog.getByTestId('import-save').click();
  await expect(dialog).toHaveCount(0);

  const row = clusterRow(page, 'chat-ansible');
  await expect(row.getByTestId('host-count')).toHaveText('6');
  await expect(row.getByTestId('environment-badge')).toHaveText('Production');
  const saved = await rpc<Cluster>('inventory.get', { name: 'chat-ansible' });
  expect(saved.stacks).toEqual(['generic', 'rocketchat']);
  expect(saved.hosts.find((h) => h.name === 'db1.example.com')).toMatchObject({ address: '10.0.2.10', port: 2222, user: 'mongo', roles: ['mongodb'] });
  expect(saved.hosts.find((h) => h.name === 'rc3.example.com')).toMatchObject({ user: 'deploy', roles: ['rocketchat'] });
});

test('screenshots of the list and the editor in light, dark and Chinese', async ({ page }) => {
  await rpc('settings.update', { theme: 'light', language: 'en' });
  await openClusters(page);
  await expect(clusterRow(page, 'chat-ansible')).toBeVisible();
  await page.screenshot({ path: 'e2e/artifacts/clusters-list-light.png', fullPage: true });

  await rpc('settings.update', { theme: 'dark' });
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  await page.screenshot({ path: 'e2e/artifacts/clusters-list-dark.png', fullPage: true });
  await clusterRow(page, 'chat-staging').getByRole('button', { name: 'Edit chat-staging' }).click();
  await expect(page.getByTestId('cluster-editor')).toBeVisible();
  await page.screenshot({ path: 'e2e/artifacts/clusters-editor-dark.png' });
  await page.keyboard.press('Escape');

  await rpc('settings.update', { theme: 'light', language: 'zh-CN' });
  await expect(page.getByTestId('nav-clusters')).toHaveText('集群');
  await expect(clusterRow(page, 'chat-ansible').getByTestId('environment-badge')).toHaveText('生产');
  await expect(clusterRow(page, 'chat-staging').getByTestId('health-summary')).toHaveText('尚未巡检');
  await page.screenshot({ path: 'e2e/artifacts/clusters-list-zh-CN.png', fullPage: true });
  await clusterRow(page, 'chat-staging').getByRole('button', { name: '编辑 chat-staging' }).click();
  await expect(page.getByTestId('cluster-editor').getByRole('heading', { level: 2 })).toHaveText('编辑集群 chat-staging');
  await page.screenshot({ path: 'e2e/artifacts/clusters-editor-zh-CN.png' });
  await page.keyboard.press('Escape');
  await page.locator('.page-header').getByRole('button', { name: '导入…' }).click();
  await expect(page.getByTestId('import-dialog')).toBeVisible();
  await page.screenshot({ path: 'e2e/artifacts/clusters-import-zh-CN.png' });
  await rpc('settings.update', { theme: 'system', language: 'system' });
});
