import { test } from '@playwright/test';
import { rpc } from './rpc';
import { startServe, type ServeProcess } from './serve';

/**
 * One browser-mode server for a spec that drives the rehearsal lab: a clean HOME (no ~/.ssh of
 * this machine takes part; lab hosts are trusted through the lab's own known_hosts), and no lab
 * left running after each test.
 */
export function labServerHooks(onStart: (server: ServeProcess) => void): void {
  let server: ServeProcess | undefined;
  const stopLab = async () => {
    if (server) await rpc(server, 'lab.stop', {}).catch(() => undefined);
  };
  test.beforeAll(async () => {
    server = await startServe({ env: { HOME: '/nonexistent-home', SSH_AUTH_SOCK: undefined } });
    onStart(server);
  });
  test.afterEach(stopLab);
  test.afterAll(async () => {
    await stopLab();
    await server?.stop();
  });
}
