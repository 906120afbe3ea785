import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { parseInventory } from '../../core/inventory/inventory-yaml';
import { startLab, type LabHandle } from '../lab';
import { isRocketChatSystem } from '../systems/rocketchat';

/** The control case: all four systems come up, each as a simulated lab cluster of the inventory. */

let dir: string;
let lab: LabHandle;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'lab-healthy-'));
  lab = await startLab({ scenario: 'healthy', timeScale: 0.01, dir });
});

afterAll(async () => {
  await lab?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('healthy (simulation)', () => {
  test('the inventory has the four clusters, all simulated lab clusters', () => {
    const inventory = parseInventory(readFileSync(lab.inventoryPath, 'utf8'));
    expect(inventory.clusters.map((cluster) => cluster.name)).toEqual(['rocketchat', 'wukongim', 'vernemq', 'voms']);
    for (const cluster of inventory.clusters) expect(cluster).toMatchObject({ environment: 'lab', simulated: true });
    expect(new Set(lab.hosts.map((host) => host.name)).size).toBe(lab.hosts.length);
  });

  test('Rocket.Chat: every node writable, every HAProxy server UP', async () => {
    const system = lab.system('rocketchat');
    if (!isRocketChatSystem(system)) throw new Error('no Rocket.Chat system');
    expect(system.nodes.map((node) => node.restricted)).toEqual([false, false, false, false]);
    expect(system.haproxy.serverStatus()).toEqual({ rc1: 'UP', rc2: 'UP', rc3: 'UP', rc4: 'UP' });
    const info = await lab.host('haproxy').run('curl -s http://localhost/api/info', lab.login.user);
    expect(info.stdout).toBe('{"version":"7.0","success":true}');
  });
});
