import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCore, type Core } from './core/app-core';
import { createLogger } from './core/log/logger';
import { isLoopback, startBrowserServer, type RunningServer } from './serve';

let dir: string;
let server: RunningServer;
let core: Core;

function get(path: string, host: string): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: server.port, path, headers: { host } }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sb-serve-'));
  const rendererDir = join(dir, 'renderer');
  mkdirSync(rendererDir);
  writeFileSync(join(rendererDir, 'index.html'), '<html>app</html>');
  writeFileSync(join(dir, 'secret.txt'), 'do not serve');
  const log = createLogger();
  core = await createCore({ dataDir: join(dir, 'data'), host: 'browser', log });
  server = await startBrowserServer({ core, log, rendererDir });
});
afterAll(async () => {
  await server.close();
  await core.dispose();
  rmSync(dir, { recursive: true, force: true });
});

describe('browser-mode server', () => {
  it('listens on loopback and prints a URL whose token is in the fragment', () => {
    expect(server.url).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:${server.port}/#token=[A-Za-z0-9_-]{32}$`));
  });

  it('serves the app with a strict CSP and anti-framing headers', async () => {
    const res = await get('/', `127.0.0.1:${server.port}`);
    expect(res.status).toBe(200);
    expect(res.body).toBe('<html>app</html>');
    expect(res.headers['content-security-policy']).toContain("default-src 'self'");
    expect(res.headers['x-frame-options']).toBe('DENY');
  });

  it('refuses a foreign Host header (DNS rebinding)', async () => {
    expect((await get('/', `attacker.example:${server.port}`)).status).toBe(421);
  });

  it('never serves files outside the renderer directory', async () => {
    const res = await get('/../secret.txt', `127.0.0.1:${server.port}`);
    expect(res.body).not.toContain('do not serve');
    const encoded = await get('/%2e%2e/secret.txt', `127.0.0.1:${server.port}`);
    expect(encoded.body).not.toContain('do not serve');
  });

  it('refuses to bind a non-loopback address unless forced', async () => {
    const log = createLogger();
    await expect(startBrowserServer({ core, log, rendererDir: dir, host: '0.0.0.0' })).rejects.toThrow('loopback only');
  });

  it('knows which addresses are loopback', () => {
    expect(['127.0.0.1', '127.8.9.1', '::1', 'localhost'].every(isLoopback)).toBe(true);
    expect(['0.0.0.0', '10.0.0.1', '::', 'example.com'].some(isLoopback)).toBe(false);
  });
});
