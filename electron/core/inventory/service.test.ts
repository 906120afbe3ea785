import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { inventoryCalls, inventoryEvents } from '../../../shared/contract/inventory';
import type { ClusterForm } from '../../../shared/inventory/schema';
import { createLogger } from '../log/logger';
import { Dispatcher, type Handlers } from '../rpc/dispatcher';
import { VaultSecretStore } from './secrets';
import { InventoryService, inventoryChangedPayload, type InventoryChangedPayload } from './service';
import { InventoryStore } from './store';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** The service wired to the contract exactly as the app core does it, with real parts. */
function setup() {
  const dir = mkdtempSync(join(tmpdir(), 'sb-inventory-service-'));
  dirs.push(dir);
  const events: InventoryChangedPayload[] = [];
  const store = new InventoryStore(join(dir, 'data'), { onChange: (change, inventory) => events.push(inventoryChangedPayload(change, inventory)) });
  const secrets = new VaultSecretStore(join(dir, 'data'));
  const service = new InventoryService({ store, secrets, log: createLogger({ sink: () => undefined }), importDefaults: { home: dir, localUser: 'me' } });
  const groups = { inventory: inventoryCalls };
  const handlers: Handlers<typeof groups> = {
    inventory: {
      list: () => service.list(),
      get: (input) => service.get(input),
      save: (input) => service.save(input),
      duplicate: (input) => service.duplicate(input),
      delete: (input) => service.delete(input),
      importPreview: (input) => service.importPreview(input),
      setSecret: (input) => service.setSecret(input),
      vaultStatus: () => service.vaultStatus(),
      unlockVault: (input) => service.unlockVault(input),
      lockVault: () => service.lockVault(),
    },
  };
  const dispatcher = new Dispatcher(groups, handlers, createLogger({ sink: () => undefined }));
  const call = async (channel: string, input: unknown = {}) => dispatcher.dispatch(`inventory.${channel}`, input);
  return { dir, call, secrets, events };
}

const cluster = (password?: { secret: string }): ClusterForm => ({
  name: 'chat',
  environment: 'production',
  stacks: ['generic', 'rocketchat'],
  hosts: [{ name: 'rc-1', address: '10.0.0.21', user: 'ops', roles: ['rocketchat'], auth: password ? { method: 'password', password } : { method: 'agent' } }],
});

describe('InventoryService through the contract', () => {
  it('stores a password as a secret reference, and removes the secret with the last cluster that used it', async () => {
    const { call, secrets, events } = setup();
    expect(await call('vaultStatus')).toEqual({ ok: true, result: { backend: 'vault', state: 'absent' } });
    expect(await call('setSecret', { value: 'pw' })).toMatchObject({ ok: false, error: { code: 'UNAUTHORIZED' } });
    expect(await call('unlockVault', { passphrase: 'a long passphrase' })).toEqual({ ok: true, result: { backend: 'vault', state: 'unlocked' } });

    const ref = await call('setSecret', { value: 'hunter2-password' });
    if (!ref.ok) throw new Error(ref.error.message);
    const secretRef = ref.result as { secret: string };
    expect(await call('save', { cluster: cluster(secretRef) })).toMatchObject({ ok: true, result: { name: 'chat' } });
    expect(await call('duplicate', { name: 'chat' })).toMatchObject({ ok: true, result: { name: 'chat-copy' } });
    expect(await call('list')).toEqual({
      ok: true,
      result: [
        { name: 'chat', environment: 'production', stacks: ['generic', 'rocketchat'], simulated: false, hostCount: 1 },
        { name: 'chat-copy', environment: 'production', stacks: ['generic', 'rocketchat'], simulated: false, hostCount: 1 },
      ],
    });

    await call('delete', { name: 'chat' });
    expect(await secrets.get(secretRef.secret)).toBe('hunter2-password');
    await call('save', { cluster: { ...cluster(), name: 'chat-copy' }, previousName: 'chat-copy' });
    await expect(secrets.get(secretRef.secret)).rejects.toMatchObject({ code: 'NOT_FOUND' });

    expect(events.map((event) => event.change)).toEqual([
      { kind: 'saved', name: 'chat' },
      { kind: 'saved', name: 'chat-copy' },
      { kind: 'deleted', name: 'chat' },
      { kind: 'saved', name: 'chat-copy' },
    ]);
    for (const event of events) expect(inventoryEvents.inventoryChanged.payload.safeParse(event).success).toBe(true);

    expect(await call('lockVault')).toEqual({ ok: true, result: { backend: 'vault', state: 'locked' } });
  });

  it('refuses hostile input at the contract boundary with the path of the problem', async () => {
    const { call } = setup();
    const hostile = { ...cluster(), hosts: [{ name: 'x', address: 'a;rm -rf /', user: 'ops' }] };
    const result = await call('save', { cluster: hostile });
    expect(result).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    expect(JSON.stringify(result)).toContain('cluster.hosts.0.address');
    const plain = await call('save', { cluster: { ...cluster(), hosts: [{ ...cluster().hosts[0], auth: { method: 'password', password: 'plain' } }] } });
    expect(JSON.stringify(plain)).toContain('secrets are never stored in the inventory');
    expect(await call('list')).toEqual({ ok: true, result: [] });
  });

  it('previews imports from text and from files, detecting the format', async () => {
    const { dir, call } = setup();
    const ssh = await call('importPreview', { format: 'ssh-config', text: 'Host web\n  HostName web.example.com\n', clusterName: 'mine' });
    expect(ssh).toMatchObject({ ok: true, result: { format: 'ssh-config', cluster: { name: 'mine', hosts: [{ name: 'web', user: 'me' }] } } });

    mkdirSync(join(dir, '.ssh'));
    writeFileSync(join(dir, '.ssh', 'config'), 'Host db\n  HostName 10.0.0.5\n');
    const defaultConfig = await call('importPreview', { format: 'ssh-config' });
    expect(defaultConfig).toMatchObject({ ok: true, result: { cluster: { hosts: [{ name: 'db', address: '10.0.0.5' }] } } });

    writeFileSync(join(dir, 'prod.yml'), 'all:\n  children:\n    wukongim:\n      hosts:\n        wk[1:3]:\n');
    const ansible = await call('importPreview', { format: 'ansible', path: '~/prod.yml', environment: 'staging' });
    expect(ansible).toMatchObject({ ok: true, result: { format: 'ansible-yaml', cluster: { name: 'prod', environment: 'staging', stacks: ['generic', 'wukongim'] } } });

    expect(await call('importPreview', { format: 'ansible', text: 'Host a\n  User b\n' })).toMatchObject({
      ok: false,
      error: { code: 'INVALID_INPUT', message: 'This is not an Ansible inventory (it looks like ssh-config)' },
    });
    expect(await call('importPreview', { format: 'auto', text: 'x', path: '/etc/hosts' })).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
  });
});
