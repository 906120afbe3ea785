import { expect, test } from '@playwright/test';
import WebSocket from 'ws';
import { startServe, type ServeProcess } from './support/serve';

let server: ServeProcess;

test.beforeAll(async () => {
  server = await startServe();
});
test.afterAll(async () => {
  await server.stop();
});

const sections = ['clusters', 'operations', 'activity', 'settings'] as const;

test('navigates all four sections and saves a screenshot of each', async ({ page }) => {
  await page.goto(server.url);
  // The token leaves the address bar once the page has it.
  await expect(page).toHaveURL(`${server.origin}/`);
  for (const section of sections) {
    await page.getByTestId(`nav-${section}`).click();
    await expect(page.getByTestId(`page-${section}`)).toBeVisible();
    await expect(page.getByTestId(`nav-${section}`)).toHaveAttribute('aria-current', 'page');
    await page.screenshot({ path: `e2e/artifacts/section-${section}.png` });
  }
  await expect(page.getByTestId('connection-banner')).toHaveCount(0);
});

test('switches to Chinese, and the choice survives a reload', async ({ page }) => {
  await page.goto(server.url);
  await page.getByTestId('nav-settings').click();
  await page.getByTestId('settings-language').selectOption('zh-CN');
  await expect(page.getByTestId('nav-clusters')).toHaveText('集群');
  await expect(page.getByTestId('nav-operations')).toHaveText('操作');
  await expect(page.locator('html')).toHaveAttribute('lang', 'zh-CN');
  await page.reload();
  await expect(page.getByTestId('nav-settings')).toHaveText('设置');
  await page.getByTestId('nav-settings').click();
  await page.screenshot({ path: 'e2e/artifacts/settings-zh-CN.png' });
  await page.getByTestId('settings-language').selectOption('en');
  await expect(page.getByTestId('nav-settings')).toHaveText('Settings');
});

test('keyboard: arrow keys move between sections and focus is visible', async ({ page }) => {
  await page.goto(server.url);
  await page.getByTestId('nav-clusters').focus();
  await page.keyboard.press('ArrowDown');
  await expect(page.getByTestId('nav-operations')).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('page-operations')).toBeVisible();
  const outline = await page.getByTestId('nav-operations').evaluate((el) => getComputedStyle(el).outlineStyle);
  expect(outline).not.toBe('none');
});

test('the dark theme can be forced and follows the setting', async ({ page }) => {
  await page.emulateMedia({ colorScheme: 'light' });
  await page.goto(server.url);
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'light');
  await page.getByTestId('nav-settings').click();
  await page.getByTestId('settings-theme').selectOption('dark');
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  await page.getByTestId('settings-theme').selectOption('system');
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'light');
});

function openSocket(url: string, headers: Record<string, string> = {}): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.once('error', reject);
  });
}

function request(ws: WebSocket, message: unknown): Promise<Record<string, unknown>> {
  return new Promise((resolve) => {
    ws.once('message', (data) => resolve(JSON.parse(String(data)) as Record<string, unknown>));
    ws.send(JSON.stringify(message));
  });
}

test('a call with invalid input is rejected with a typed error', async () => {
  const ws = await openSocket(`ws://127.0.0.1:${server.port}/rpc?token=${server.token}`);
  try {
    const reply = await request(ws, { id: 7, call: 'settings.update', input: { language: 'klingon' } });
    expect(reply).toMatchObject({ id: 7, ok: false, error: { code: 'INVALID_INPUT' } });
    expect(JSON.stringify(reply)).not.toMatch(/at .*\.js:\d+/);
    const unknown = await request(ws, { id: 8, call: 'settings.drop', input: {} });
    expect(unknown).toMatchObject({ id: 8, ok: false, error: { code: 'NOT_FOUND' } });
    const good = await request(ws, { id: 9, call: 'app.info', input: {} });
    expect(good).toMatchObject({ id: 9, ok: true, result: { name: 'Switchboard', host: 'browser' } });
  } finally {
    ws.close();
  }
});

test('a connection without the token, with a wrong token or from another origin is refused', async () => {
  await expect(openSocket(`ws://127.0.0.1:${server.port}/rpc`)).rejects.toThrow('HTTP 401');
  await expect(openSocket(`ws://127.0.0.1:${server.port}/rpc?token=${'x'.repeat(server.token.length)}`)).rejects.toThrow('HTTP 401');
  await expect(
    openSocket(`ws://127.0.0.1:${server.port}/rpc?token=${server.token}`, { origin: 'http://evil.example' }),
  ).rejects.toThrow('HTTP 403');
});

test('the page without the token tells the admin how to get in', async ({ browser }) => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${server.origin}/`);
  await expect(page.getByTestId('connection-banner')).toContainText('switchboard serve');
  await context.close();
});
