import { expect, test, type Page } from '@playwright/test';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ClusterState, SshLogEntryItem } from '../shared/contract';
import type { ClusterForm } from '../shared/inventory/schema';
import { generateKeyPair, type KeyPair } from '../electron/testing/keys';
import { startSshd, type Sshd, type SshdOptions } from '../electron/testing/sshd';
import { ensureTestUser, TEST_USER } from '../electron/testing/test-user';
import { rpc as callOver } from './support/rpc';
import { startServe, type ServeProcess } from './support/serve';

/*
 * Host keys, changed keys, authentication prompts and the SSH log, against real OpenSSH
 * servers on loopback and the built app in browser mode. The tests build on each other
 * (trusted keys, a changed key), so they run in order.
 */
test.describe.configure({ mode: 'serial', timeout: 120_000 });

const CLUSTER = 'ssh-e2e';
const KBD_CLUSTER = 'ssh-e2e-kbd';

let server: ServeProcess;
let home: string;
let keyDir: string;
let clientKey: KeyPair;
let alpha: Sshd;
let beta: Sshd;
let kbd: Sshd;
/** Servers stopped or replaced during a test, and the fleet of the scale test: cleaned up in afterAll. */
const retired: Sshd[] = [];

test.beforeAll(async () => {
  await ensureTestUser();
  keyDir = await mkdtemp(join(tmpdir(), 'sb-e2e-client-'));
  clientKey = await generateKeyPair(keyDir, 'client_ed25519');
  [alpha, beta, kbd] = await Promise.all([
    startSshd({ authorizedKeys: [clientKey.publicLine] }),
    startSshd({ authorizedKeys: [clientKey.publicLine] }),
    startSshd({ keyboardInteractive: true }),
  ]);
  // A clean home: no ~/.ssh keys or known_hosts of this machine, and no agent, take part.
  home = await mkdtemp(join(tmpdir(), 'sb-e2e-home-'));
  await mkdir(join(home, '.ssh'), { mode: 0o700 });
  server = await startServe({ env: { HOME: home, SSH_AUTH_SOCK: undefined } });
  const keyHost = (name: string, sshd: Sshd) => ({
    name,
    address: sshd.host,
    port: sshd.port,
    user: TEST_USER.name,
    auth: { method: 'key' as const, identityFile: clientKey.privatePath },
  });
  await saveCluster({ name: CLUSTER, environment: 'staging', stacks: ['generic'], hosts: [keyHost('alpha', alpha), keyHost('beta', beta)] });
  // No key at all: the login falls to keyboard-interactive, which the admin answers.
  await saveCluster({
    name: KBD_CLUSTER,
    environment: 'staging',
    stacks: ['generic'],
    hosts: [{ name: 'gamma', address: kbd.host, port: kbd.port, user: TEST_USER.name, auth: { method: 'agent' } }],
  });
});

test.afterAll(async () => {
  await server?.stop();
  await Promise.all([alpha, beta, kbd, ...retired].map((sshd) => sshd?.stop()));
  await Promise.all([home, keyDir].map((dir) => dir && rm(dir, { recursive: true, force: true })));
});

const rpc = <T>(call: string, input: unknown): Promise<T> => callOver<T>(server, call, input);

const saveCluster = (cluster: ClusterForm) => rpc('inventory.save', { cluster });
const refresh = (cluster: string) => rpc<ClusterState>('inspect.refresh', { cluster });
const reachOf = (state: ClusterState | null, host: string) => state?.hosts.find((h) => h.name === host)?.reach;
const knownHosts = () => readFile(join(server.dataDir, 'known_hosts'), 'utf8').catch(() => '');
const keyBlob = (sshd: Sshd) => sshd.hostKey.publicLine.split(' ')[1]!;
const target = (sshd: Sshd) => `127.0.0.1:${sshd.port}`;
const pendingRow = (page: Page, sshd: Sshd) => page.locator(`[data-testid="pending-host-key"][data-target="${target(sshd)}"]`);

async function openApp(page: Page): Promise<void> {
  await page.goto(server.url);
  await expect(page.getByTestId('page-clusters')).toBeVisible();
  await expect(page.getByTestId('host-key-badge')).toBeVisible();
}

async function setLook(page: Page, look: { theme?: 'light' | 'dark' | 'system'; language?: 'en' | 'zh-CN' | 'system' }) {
  await rpc('settings.update', look);
  if (look.theme && look.theme !== 'system') await expect(page.locator('html')).toHaveAttribute('data-theme', look.theme);
  if (look.language === 'zh-CN') await expect(page.getByTestId('host-key-badge')).toContainText('主机密钥');
  if (look.language === 'en') await expect(page.getByTestId('host-key-badge')).toContainText('Host keys');
}

test('first-use host keys wait in the tray with their fingerprints; one batch approval lets the round reach both hosts', async ({ page }) => {
  await openApp(page);
  await expect(page.getByTestId('host-key-count')).toHaveCount(0);

  // The round's connections wait for the admin; the call answers once they are decided.
  const round = refresh(CLUSTER);
  await expect(page.getByTestId('host-key-count')).toHaveText('2');
  const panel = page.getByTestId('host-key-panel');
  await expect(panel).toBeVisible();
  for (const sshd of [alpha, beta]) {
    const row = pendingRow(page, sshd);
    await expect(row.getByTestId('host-key-fingerprint')).toHaveText(sshd.hostKeyFingerprint);
    await expect(row.getByTestId('host-key-type')).toHaveText('ssh-ed25519');
  }
  await expect(panel.locator('code').filter({ hasText: 'ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub' })).toBeVisible();
  await page.screenshot({ path: 'e2e/artifacts/ssh-pending-light.png' });
  await setLook(page, { theme: 'dark' });
  await page.screenshot({ path: 'e2e/artifacts/ssh-pending-dark.png' });
  await setLook(page, { theme: 'light', language: 'zh-CN' });
  await expect(panel.getByRole('button', { name: '信任所选' })).toBeVisible();
  await page.screenshot({ path: 'e2e/artifacts/ssh-pending-zh-CN.png' });
  await setLook(page, { theme: 'system', language: 'en' });

  await expect(panel.getByRole('button', { name: 'Trust selected' })).toBeDisabled();
  await panel.getByLabel('Select all').check();
  await expect(page.getByTestId('selected-count')).toHaveText('2 selected');
  await panel.getByRole('button', { name: 'Trust selected' }).click();
  await expect(page.getByTestId('no-pending-keys')).toBeVisible();
  await expect(page.getByTestId('host-key-count')).toHaveCount(0);

  const state = await round;
  expect(reachOf(state, 'alpha')).toEqual({ ok: true });
  expect(reachOf(state, 'beta')).toEqual({ ok: true });
  const latest = await rpc<ClusterState | null>('inspect.state', { cluster: CLUSTER });
  expect(latest?.hosts.map((h) => h.reach)).toEqual([{ ok: true }, { ok: true }]);
  const trusted = await knownHosts();
  expect(trusted).toContain(keyBlob(alpha));
  expect(trusted).toContain(keyBlob(beta));
});

test('a changed host key is refused; the replace dialog shows both fingerprints and replaces only after confirmation', async ({ page }) => {
  // The same host (address and port) comes back with a new host key, as after a reinstall or an attack.
  const original = beta;
  const knownFingerprint = original.hostKeyFingerprint;
  await original.crash();
  retired.push(original);
  beta = await startSshd({ port: original.port, authorizedKeys: [clientKey.publicLine] });
  expect(beta.hostKeyFingerprint).not.toBe(knownFingerprint);

  await openApp(page);
  const refused = await refresh(CLUSTER);
  expect(reachOf(refused, 'alpha')).toEqual({ ok: true });
  expect(reachOf(refused, 'beta')).toMatchObject({ ok: false, code: 'SSH_HOST_KEY_CHANGED' });

  await expect(page.getByTestId('refused-count')).toHaveText('1');
  await page.getByTestId('host-key-badge').click();
  const row = page.locator(`[data-testid="refused-host-key"][data-target="${target(beta)}"]`);
  await expect(row).toContainText(knownFingerprint);
  await expect(row).toContainText(beta.hostKeyFingerprint);
  await row.getByRole('button', { name: 'Replace…' }).click();

  const dialog = page.getByTestId('replace-host-key-dialog');
  await expect(dialog).toBeVisible();
  await expect(dialog.getByTestId('known-fingerprint')).toHaveText(knownFingerprint);
  await expect(dialog.getByTestId('presented-fingerprint')).toHaveText(beta.hostKeyFingerprint);
  await expect(dialog).toContainText('This may be an attack.');
  const confirm = dialog.getByTestId('replace-confirm');
  await expect(confirm).toBeDisabled();

  // The admin pastes the host's public key, read on its console; its fingerprint must be the one presented.
  await dialog.getByTestId('public-key-input').fill(original.hostKey.publicLine);
  await expect(dialog.getByTestId('pasted-fingerprint')).toContainText(knownFingerprint);
  await expect(dialog.getByTestId('field-error')).toContainText('not the one the server presented');
  await dialog.getByTestId('public-key-input').fill(beta.hostKey.publicLine);
  await expect(dialog.getByTestId('pasted-fingerprint')).toContainText('matches the key the server presented');
  await expect(confirm).toBeDisabled();

  await dialog.getByTestId('confirm-tail').fill(beta.hostKeyFingerprint.slice(-9, -1));
  await expect(confirm).toBeDisabled();
  expect(await knownHosts()).not.toContain(keyBlob(beta));

  await dialog.getByTestId('confirm-tail').fill(beta.hostKeyFingerprint.slice(-8));
  await expect(confirm).toBeEnabled();
  await setLook(page, { theme: 'dark' });
  await page.screenshot({ path: 'e2e/artifacts/ssh-replace-dark.png' });
  await setLook(page, { theme: 'system' });
  await page.screenshot({ path: 'e2e/artifacts/ssh-replace-light.png' });
  await confirm.click();
  await expect(dialog.getByTestId('replace-done')).toContainText(beta.hostKeyFingerprint);
  const trusted = await knownHosts();
  expect(trusted).toContain(keyBlob(beta));
  expect(trusted).not.toContain(keyBlob(original));
  await dialog.getByRole('button', { name: 'Close' }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByTestId('refused-count')).toHaveCount(0);

  const reached = await refresh(CLUSTER);
  expect(reachOf(reached, 'beta')).toEqual({ ok: true });
});

test('the standalone "Replace a host key" dialog compares a pasted key with the refusal before the same confirmation', async ({ page }) => {
  await openApp(page);
  await page.getByTestId('host-key-badge').click();
  await page.getByRole('button', { name: 'Replace a host key…' }).click();
  const chooser = page.getByTestId('manual-replace-dialog');
  await chooser.getByLabel('Host address').fill('127.0.0.1');
  await chooser.getByLabel('Port').fill(String(alpha.port));
  await chooser.getByTestId('public-key-input').fill('not a key');
  await expect(chooser.getByTestId('field-error')).toContainText('not an OpenSSH public key line');
  await chooser.getByTestId('public-key-input').fill(alpha.hostKey.publicLine);
  await expect(chooser.getByTestId('pasted-fingerprint')).toContainText(alpha.hostKeyFingerprint);
  await page.screenshot({ path: 'e2e/artifacts/ssh-replace-manual.png' });
  await chooser.getByRole('button', { name: 'Compare and confirm…' }).click();

  const dialog = page.getByTestId('replace-host-key-dialog');
  await expect(dialog.getByTestId('presented-fingerprint')).toHaveText(alpha.hostKeyFingerprint);
  await expect(dialog).toContainText('Not known here');
  await expect(dialog.getByTestId('replace-confirm')).toBeDisabled();
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await expect(dialog).toBeHidden();
});

test('keyboard-interactive: the host key, then the question, are asked in the app; the answer logs in and is not kept', async ({ page }) => {
  await openApp(page);
  const round = refresh(KBD_CLUSTER);
  await expect(pendingRow(page, kbd).getByTestId('host-key-fingerprint')).toHaveText(kbd.hostKeyFingerprint);
  // Decided from another window: the entry leaves this one too.
  const { items } = await rpc<{ items: { id: string; port: number }[] }>('hostKeys.pending', {});
  await rpc('hostKeys.approve', { ids: items.filter((item) => item.port === kbd.port).map((item) => item.id) });
  await expect(pendingRow(page, kbd)).toHaveCount(0);

  const prompt = page.getByTestId('auth-prompt-dialog');
  await expect(prompt).toBeVisible();
  await expect(prompt.getByRole('heading')).toHaveText('The SSH server asks');
  await expect(prompt).toContainText(`${TEST_USER.name}@127.0.0.1:${kbd.port}`);
  const answer = prompt.getByTestId('prompt-answer');
  await expect(answer).toHaveAttribute('type', 'password');
  await answer.fill(TEST_USER.password);
  await page.screenshot({ path: 'e2e/artifacts/ssh-prompt.png' });
  await prompt.getByRole('button', { name: 'Answer' }).click();
  await expect(prompt).toBeHidden();

  const state = await round;
  expect(reachOf(state, 'gamma')).toEqual({ ok: true });
  const { entries } = await rpc<{ entries: SshLogEntryItem[] }>('ssh.debugLog', {});
  expect(entries.map((e) => e.message).join('\n')).not.toContain(TEST_USER.password);
});

test('Settings › SSH log lists the session newest first, filters by level and text, and follows new entries', async ({ page }) => {
  await openApp(page);
  await page.getByTestId('nav-settings').click();
  const log = page.getByTestId('ssh-log');
  await expect(log.getByTestId('ssh-log-row').first()).toBeVisible();
  const times = await log.getByTestId('ssh-log-row').locator('time').evaluateAll((nodes) => nodes.map((n) => n.getAttribute('datetime') ?? ''));
  expect(times).toEqual([...times].sort().reverse());
  await page.screenshot({ path: 'e2e/artifacts/ssh-log.png' });

  await log.getByTestId('ssh-log-level').selectOption('error');
  const levels = await log.getByTestId('ssh-log-row').evaluateAll((nodes) => nodes.map((n) => n.getAttribute('data-level')));
  expect(levels.length).toBeGreaterThan(0);
  expect(new Set(levels)).toEqual(new Set(['error']));
  await expect(log.getByTestId('ssh-log-row').filter({ hasText: 'CHANGED' }).first()).toBeVisible();

  await log.getByTestId('ssh-log-level').selectOption('debug');
  await log.getByTestId('ssh-log-filter').fill('replaced by the admin');
  await expect(log.getByTestId('ssh-log-row')).toHaveCount(1);
  // A new entry (re-confirming alpha's key) shows up without reloading.
  await rpc('hostKeys.replace', { host: alpha.host, port: alpha.port, keyType: 'ssh-ed25519', publicKey: keyBlob(alpha), fingerprint: alpha.hostKeyFingerprint });
  await expect(log.getByTestId('ssh-log-row')).toHaveCount(2);
  await expect(log.getByTestId('ssh-log-row').first()).toContainText(target(alpha));

  await log.getByTestId('ssh-log-filter').fill('');
  await setLook(page, { language: 'zh-CN', theme: 'dark' });
  await expect(log.getByRole('heading', { name: 'SSH 日志' })).toBeVisible();
  await page.screenshot({ path: 'e2e/artifacts/ssh-log-zh-CN-dark.png' });
  await setLook(page, { language: 'en', theme: 'system' });
});

test('hundreds of new hosts: the tray stays a short, virtualised list and one batch trusts them all', async ({ page }) => {
  test.setTimeout(240_000);
  const PER_CLUSTER = 50;
  const CLUSTERS = 4;
  const fleet = await startMany(PER_CLUSTER * CLUSTERS, { authorizedKeys: [clientKey.publicLine] });
  try {
    const names = Array.from({ length: CLUSTERS }, (_, c) => `fleet-${c + 1}`);
    for (const [c, name] of names.entries()) {
      const servers = fleet.slice(c * PER_CLUSTER, (c + 1) * PER_CLUSTER);
      await saveCluster({
        name,
        environment: 'staging',
        stacks: ['generic'],
        hosts: servers.map((sshd, i) => ({
          name: `node-${i + 1}`,
          address: sshd.host,
          port: sshd.port,
          user: TEST_USER.name,
          auth: { method: 'key' as const, identityFile: clientKey.privatePath },
        })),
      });
    }
    await openApp(page);
    // Each cluster's round connects to its hosts at once; all of them wait for the admin together.
    const rounds = Promise.all(names.map((name) => refresh(name)));
    const total = PER_CLUSTER * CLUSTERS;
    await expect(page.getByTestId('host-key-count')).toHaveText(String(total), { timeout: 60_000 });
    const rendered = await page.getByTestId('pending-host-key').count();
    expect(rendered).toBeGreaterThan(0);
    expect(rendered).toBeLessThan(40);
    await page.screenshot({ path: 'e2e/artifacts/ssh-pending-many.png' });

    // The end of the list is reachable: scrolling brings the last row into the DOM.
    await page.getByTestId('pending-host-keys').evaluate((scroller) => scroller.scrollTo({ top: scroller.scrollHeight }));
    await expect(page.locator(`[data-testid="pending-host-key"][aria-posinset="${total}"]`)).toBeVisible();

    await page.getByTestId('host-key-panel').getByLabel('Select all').check();
    await expect(page.getByTestId('selected-count')).toHaveText(`${total} selected`);
    await page.getByTestId('host-key-panel').getByRole('button', { name: 'Trust selected' }).click();
    await expect(page.getByTestId('no-pending-keys')).toBeVisible({ timeout: 60_000 });
    const trusted = await knownHosts();
    for (const sshd of fleet) expect(trusted).toContain(`[127.0.0.1]:${sshd.port} `);

    // Every host got past the host-key check (on a 2-core machine some may still be slow to answer).
    const states = await rounds;
    const reaches = states.flatMap((state) => state.hosts.map((h) => h.reach));
    expect(reaches).toHaveLength(total);
    expect(reaches.filter((reach) => !reach.ok && reach.code.startsWith('SSH_HOST_KEY'))).toEqual([]);
  } finally {
    await Promise.all(fleet.map((sshd) => sshd.stop()));
  }
});

/**
 * Starts `count` servers sharing one host key, a batch at a time. Concurrent starts can
 * race for the same free port (sshd then exits before the harness reads why), so a
 * start that failed is tried again in the next batch.
 */
async function startMany(count: number, options: SshdOptions): Promise<Sshd[]> {
  const hostKey = await generateKeyPair(keyDir, 'fleet_host_ed25519_key');
  const servers: Sshd[] = [];
  while (servers.length < count) {
    const batch = await Promise.allSettled(Array.from({ length: Math.min(25, count - servers.length) }, () => startSshd({ ...options, hostKey })));
    const started = batch.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
    servers.push(...started);
    retired.push(...started);
    if (started.length === 0) throw (batch[0] as PromiseRejectedResult).reason;
  }
  return servers;
}
