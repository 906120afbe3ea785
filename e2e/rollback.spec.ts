import { expect, test, type Page } from '@playwright/test';
import type { AuditEntry } from '../shared/contract/audit';
import { InspectPage } from './support/inspect-page';
import { rpc } from './support/rpc';
import type { ServeProcess } from './support/serve';
import { labServerHooks } from './support/lab-server';

// One-click OTA rollback from the app, against the lab's voms-bad-ota scenario (a simulation).
let server: ServeProcess;
labServerHooks((started) => (server = started));

async function openVoms(page: Page, variant?: string): Promise<InspectPage> {
  await rpc(server, 'lab.start', { scenario: 'voms-bad-ota', timeScale: 0.02, ...(variant ? { variant } : {}) });
  const inspect = new InspectPage(page);
  await inspect.gotoClusters(server.url);
  await inspect.openCluster('rehearsal-voms');
  await inspect.refresh();
  return inspect;
}

test('one click from the bad-update finding (plus the confirmation): voms-server runs the previous build, the finding is gone, the audit log says so', async ({ page }) => {
  const inspect = await openVoms(page);
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
