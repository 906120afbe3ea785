import { expect, type Page } from '@playwright/test';

/**
 * After a restart of the server: the operation is listed as interrupted, its page says the step
 * it stopped at, and Resume goes on from there (what an admin does after a crash).
 */
export async function resumeInterrupted(page: Page, url: string, opId: string, stoppedAtStep: string): Promise<void> {
  await page.goto(url);
  await page.getByTestId('nav-operations').click();
  const row = page.locator(`[data-testid="op-row"][data-op="${opId}"]`);
  await expect(row).toHaveAttribute('data-status', 'interrupted');
  await row.getByRole('button').first().click();
  await expect(page.getByTestId('op-stopped')).toHaveAttribute('data-step', stoppedAtStep);
  await page.getByTestId('op-button-resume').click();
}
