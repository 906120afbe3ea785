import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Cluster, Host } from '../../../shared/inventory/schema';
import { generateKeyPair, type KeyPair } from '../../testing/keys';
import { createPoolFixture, type PoolFixture } from '../../testing/ssh-pool-fixture';
import { startSshd, type Sshd } from '../../testing/sshd';
import { ensureTestUser, type TestUser } from '../../testing/test-user';
import type { SecretStore } from '../inventory/secrets';
import { PoolHostRunner } from './pool-runner';
import { sshTargetOf } from './ssh-targets';

const secrets: SecretStore = {
  status: async () => ({ backend: 'vault', state: 'unlocked' }),
  get: async (id) => {
    if (id === 'pw-1') return 'the password';
    throw new Error(`no secret ${id}`);
  },
  set: async () => 'x',
  delete: async () => undefined,
};

const host = (over: Partial<Host>): Host => ({ name: 'h', address: '10.0.0.1', port: 22, user: 'ops', roles: ['generic'], auth: { method: 'agent' }, ...over });

describe('sshTargetOf', () => {
  it('resolves jump hops named after hosts of the cluster, with their own chain, user, port and auth', async () => {
    const cluster: Cluster = {
      name: 'c',
      environment: 'lab',
      stacks: ['generic'],
      hosts: [
        host({ name: 'outer', address: 'outer.example.com', user: 'a' }),
        host({ name: 'bastion', address: 'bastion.example.com', port: 2200, user: 'b', jump: ['outer'] }),
        host({ name: 'app', address: '10.0.0.5', auth: { method: 'password', password: { secret: 'pw-1' } }, jump: ['bastion', 'c@10.0.0.9:2222'] }),
      ],
    };
    const target = await sshTargetOf(cluster, cluster.hosts[2]!, secrets, '/home/me');
    expect(target).toMatchObject({ host: '10.0.0.5', user: 'ops', auth: { password: 'the password' } });
    expect(target.jump?.map((h) => `${h.user}@${h.host}:${h.port}`)).toEqual(['a@outer.example.com:22', 'b@bastion.example.com:2200', 'c@10.0.0.9:2222']);
  });

  it('expands ~ in key files and per-host known_hosts files', async () => {
    const h = host({ auth: { method: 'key', identityFile: '~/.ssh/id_x' }, knownHostsFile: '~/kh' });
    const target = await sshTargetOf({ name: 'c', environment: 'lab', stacks: ['generic'], hosts: [h] }, h, secrets, '/home/me');
    expect(target.auth?.identityFiles).toEqual(['/home/me/.ssh/id_x']);
    expect(target.knownHostsFiles).toEqual(['/home/me/kh']);
  });
});

describe('PoolHostRunner against real sshd', () => {
  let dir: string;
  let key: KeyPair;
  let user: TestUser;
  let sshd: Sshd;
  let fixture: PoolFixture;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sb-runner-'));
    user = await ensureTestUser();
    key = await generateKeyPair(dir, 'id_ed25519');
    sshd = await startSshd({ authorizedKeys: [key.publicLine] });
    fixture = await createPoolFixture({ policy: 'strict' });
  });
  afterAll(async () => {
    await fixture?.close();
    await sshd?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  const clusterWith = (h: Host): Cluster => ({ name: 'c', environment: 'lab', stacks: ['generic'], hosts: [h] });

  it("trusts a host through the inventory's per-host known_hosts file, and only that host", async () => {
    const knownHosts = join(dir, 'lab_known_hosts');
    await writeFile(knownHosts, `${sshd.knownHostsLine()}\n`);
    const runner = new PoolHostRunner(fixture.pool, secrets);
    const trusted = host({ address: '127.0.0.1', port: sshd.port, user: user.name, auth: { method: 'key', identityFile: key.privatePath }, knownHostsFile: knownHosts });
    const result = await runner.run(clusterWith(trusted), trusted, ['echo', 'reached']);
    expect(result.stdout).toBe('reached\n');

    const stranger = { ...trusted, name: 'other', knownHostsFile: undefined, user: 'root' };
    await expect(runner.run(clusterWith(stranger), stranger, ['true'])).rejects.toMatchObject({ code: 'SSH_HOST_KEY_UNKNOWN' });
  });
});
