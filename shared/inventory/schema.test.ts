import { describe, expect, it } from 'vitest';
import { clusterSchema, collectSecretIds, inferStacks, type ClusterForm, type Inventory } from './schema';
import { describeIssues, validateCluster, validateInventory, type InventoryIssue } from './validate';

const baseHost = () => ({ name: 'rc-1', address: 'rc1.example.com', user: 'ops', roles: ['rocketchat'] });

function inventoryWith(cluster: Record<string, unknown>): unknown {
  return { version: 1, clusters: [{ name: 'chat', environment: 'production', stacks: ['rocketchat'], hosts: [baseHost()], ...cluster }] };
}

function withHost(host: Record<string, unknown>): unknown {
  return inventoryWith({ hosts: [{ ...baseHost(), ...host }] });
}

function issuesOf(data: unknown): InventoryIssue[] {
  const result = validateInventory(data);
  if (result.ok) throw new Error('expected the inventory to be refused');
  return result.issues;
}

describe('inventory schema', () => {
  it('accepts a complete cluster and fills the defaults', () => {
    const result = validateInventory({
      version: 1,
      clusters: [
        {
          name: 'chat-prod',
          environment: 'production',
          stacks: ['generic', 'rocketchat'],
          hosts: [
            { name: 'bastion', address: 'bastion.example.com', user: 'ops', roles: ['generic'] },
            {
              name: 'rc-1',
              address: '10.0.1.21',
              port: 2222,
              user: 'deploy',
              roles: ['rocketchat', 'presence'],
              auth: { method: 'key', identityFile: '~/.ssh/id_ed25519', passphrase: { secret: 'k1' } },
              jump: ['bastion', 'jump@[fd00::1]:2200'],
              services: [
                { name: 'rocketchat', kind: 'docker', container: 'rocketchat-1' },
                { name: 'presence', kind: 'systemd', unit: 'rocketchat-presence.service' },
                { name: 'vernemq', kind: 'wrapped', wrapper: ['kubectl', 'exec', '-n', 'mqtt', 'vmq-0', '--'], command: ['vmq-admin'] },
              ],
              labels: { rack: 'b2' },
              knownHostsFile: '/etc/switchboard/known_hosts',
            },
            { name: 'mongo-1', address: 'fd00::10', user: 'ops', roles: ['mongodb'], auth: { method: 'password', password: { secret: 'p1' } } },
          ],
          mongo: { url: 'mongodb://10.0.1.10:27017/rocketchat?replicaSet=rs0', username: 'rc', password: { secret: 'm1' }, tunnelVia: 'bastion' },
          rocketchat: { adminUser: 'admin', adminUserId: 'abc', authToken: { secret: 't1' }, siteUrl: 'https://chat.example.com' },
        },
      ],
    });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const [cluster] = result.value.clusters;
    expect(cluster?.hosts[0]).toMatchObject({ port: 22, auth: { method: 'agent' } });
    expect(cluster?.hosts[1]?.jump).toEqual(['bastion', 'jump@[fd00::1]:2200']);
  });

  it.each([
    ['a;rm -rf /', 'cannot contain spaces'],
    ['a;rm', 'cannot contain ";"'],
    ['$(id)', 'cannot contain "$"'],
    ['`id`', 'cannot contain "`"'],
    ['-oProxyCommand=x', 'cannot start with "-"'],
    ['host name', 'cannot contain spaces'],
    ['host\nname', 'control character'],
    ['host\u0000', 'control character'],
    ['', 'a host address is required'],
    ['999.1.1.1', 'not a valid host name'],
    ['a..b', 'not a valid host name'],
    ['[::1]', 'cannot contain "["'],
    ['user@host', 'cannot contain "@"'],
  ])('refuses the hostile or broken address %j with a clear message naming its path', (address, message) => {
    const issues = issuesOf(withHost({ address }));
    expect(issues).toHaveLength(1);
    expect(issues[0]?.path).toBe('clusters[0].hosts[0].address');
    expect(issues[0]?.message).toContain(message);
  });

  it.each(['db1', 'db-1.internal.example.com', 'DB_1.corp', '10.0.0.1', '::1', 'fe80::1:2', 'example.com.'])('accepts the address %s', (address) => {
    expect(validateInventory(withHost({ address })).ok).toBe(true);
  });

  it('refuses plain-text secrets wherever a secret reference belongs, without echoing them', () => {
    const issues = issuesOf(
      inventoryWith({
        hosts: [{ ...baseHost(), auth: { method: 'password', password: 'hunter2' } }],
        mongo: { password: 'mongopass' },
        rocketchat: { authToken: 'tok-123', password: { secret: 'ok', value: 'x' } },
      }),
    );
    const paths = issues.map((issue) => issue.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        'clusters[0].hosts[0].auth.password',
        'clusters[0].mongo.password',
        'clusters[0].rocketchat.authToken',
        'clusters[0].rocketchat.password',
      ]),
    );
    const text = describeIssues(issues);
    expect(text).toContain('clusters[0].hosts[0].auth.password: secrets are never stored in the inventory');
    for (const secret of ['hunter2', 'mongopass', 'tok-123']) expect(text).not.toContain(secret);
  });

  it('refuses credentials inside a MongoDB or site URL', () => {
    const issues = issuesOf(inventoryWith({ mongo: { url: 'mongodb://rc:pw@10.0.0.1/rc' }, rocketchat: { siteUrl: 'https://a:b@chat.example.com' } }));
    expect(issues.map((i) => i.path)).toEqual(['clusters[0].mongo.url', 'clusters[0].rocketchat.siteUrl']);
    expect(issues[0]?.message).toContain('credentials are never stored in the URL');
    expect(describeIssues(issues)).not.toContain('pw@');
  });

  it('refuses duplicate cluster names and duplicate host names, naming both places', () => {
    const cluster = { name: 'chat', environment: 'production', stacks: ['generic'], hosts: [baseHost(), baseHost()] };
    const hostIssues = issuesOf({ version: 1, clusters: [cluster] });
    expect(hostIssues).toEqual([{ path: 'clusters[0].hosts[1].name', message: 'duplicate host name "rc-1" (also hosts[0])' }]);
    const single = { ...cluster, hosts: [baseHost()] };
    expect(issuesOf({ version: 1, clusters: [single, single] })).toEqual([
      { path: 'clusters[1].name', message: 'duplicate cluster name "chat" (also clusters[0])' },
    ]);
  });

  it('checks jump chains: names of hosts, [user@]host[:port], no loops, no self-jumps', () => {
    const hosts = [
      { ...baseHost(), name: 'a', jump: ['b'] },
      { ...baseHost(), name: 'b', jump: ['a'] },
      { ...baseHost(), name: 'c', jump: ['c'] },
      { ...baseHost(), name: 'd', jump: ['x;id', 'ops@gw.example.com:99999'] },
    ];
    const issues = issuesOf(inventoryWith({ hosts }));
    expect(issues).toEqual(
      expect.arrayContaining([
        { path: 'clusters[0].hosts[2].jump[0]', message: 'a host cannot jump through itself' },
        expect.objectContaining({ path: 'clusters[0].hosts[3].jump[0]', message: expect.stringContaining('cannot contain ";"') }),
        expect.objectContaining({ path: 'clusters[0].hosts[3].jump[1]', message: expect.stringContaining('invalid port') }),
        expect.objectContaining({ path: 'clusters[0].hosts[0].jump', message: 'jump hosts form a loop: a -> b -> a' }),
      ]),
    );
  });

  it('checks references and combinations inside a cluster', () => {
    const issues = issuesOf(
      inventoryWith({
        environment: 'production',
        simulated: true,
        mongo: { tunnelVia: 'nowhere' },
        hosts: [{ ...baseHost(), auth: { method: 'key' } }],
      }),
    );
    expect(issues.map((i) => `${i.path}: ${i.message}`)).toEqual([
      'clusters[0].hosts[0].auth.identityFile: key authentication needs an identityFile',
      'clusters[0].simulated: only a lab cluster can be simulated',
      'clusters[0].mongo.tunnelVia: "nowhere" is not a host of this cluster',
    ]);
  });

  it('refuses unknown keys, roles, stacks, bad ports, names and versions', () => {
    const issues = issuesOf({
      version: 2,
      clusters: [
        {
          name: 'bad name!',
          environment: 'prod',
          stacks: ['kafka'],
          hosts: [{ ...baseHost(), adress: 'x', port: 70000, roles: ['dns'], user: '-root' }],
        },
      ],
    });
    const paths = issues.map((i) => i.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        'version',
        'clusters[0].name',
        'clusters[0].environment',
        'clusters[0].stacks[0]',
        'clusters[0].hosts[0]',
        'clusters[0].hosts[0].port',
        'clusters[0].hosts[0].roles[0]',
        'clusters[0].hosts[0].user',
      ]),
    );
    expect(issues.find((i) => i.path === 'clusters[0].hosts[0]')?.message).toContain('adress');
  });

  it('validates service runs and refuses option-like units and wrappers', () => {
    const issues = issuesOf(
      withHost({
        services: [
          { name: 'rc', kind: 'systemd', unit: '-x' },
          { name: 'rc', kind: 'docker', container: 'a b' },
          { name: 'rc', kind: 'wrapped', wrapper: ['--help'] },
          { name: 'rc', kind: 'podman', container: 'x' },
        ],
      }),
    );
    expect(issues.map((i) => i.path)).toEqual([
      'clusters[0].hosts[0].services[0].unit',
      'clusters[0].hosts[0].services[1].container',
      'clusters[0].hosts[0].services[2].wrapper',
      'clusters[0].hosts[0].services[3].kind',
    ]);
  });

  it('validates a cluster form on its own with cluster-relative paths', () => {
    const form: ClusterForm = { name: 'lab', environment: 'lab', simulated: true, stacks: ['generic'], hosts: [{ ...baseHost(), roles: [], address: '$(reboot)' }] };
    const result = validateCluster(form);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.issues[0]?.path).toBe('hosts[0].address');
    expect(clusterSchema.safeParse({ ...form, hosts: [] }).success).toBe(true);
  });

  it('lists the secret ids a cluster uses and infers stacks from roles', () => {
    const inventory = validateInventory(
      inventoryWith({
        hosts: [{ ...baseHost(), auth: { method: 'key', identityFile: 'k', passphrase: { secret: 's1' }, password: { secret: 's2' } } }],
        mongo: { password: { secret: 's3' } },
        rocketchat: { authToken: { secret: 's4' }, password: { secret: 's1' } },
      }),
    );
    expect(inventory.ok).toBe(true);
    const clusters = (inventory as { value: Inventory }).value.clusters;
    expect([...collectSecretIds(clusters)].sort()).toEqual(['s1', 's2', 's3', 's4']);
    expect(inferStacks(['haproxy', 'nats', 'vernemq'])).toEqual(['generic', 'rocketchat', 'vernemq', 'voms']);
  });
});
