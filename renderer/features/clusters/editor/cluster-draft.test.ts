import { describe, expect, it } from 'vitest';
import { clusterSchema } from '../../../../shared/inventory/schema';
import { validateCluster } from '../../../../shared/inventory/validate';
import {
  clusterForValidation,
  clusterToSave,
  draftFromCluster,
  hasTypedSecrets,
  newClusterDraft,
  newHostDraft,
  splitJumpList,
  storeTypedSecrets,
  type ClusterDraft,
} from './cluster-draft';

function twoHostDraft(): ClusterDraft {
  const draft = newClusterDraft();
  draft.name = ' chat-staging ';
  draft.stacks = ['generic', 'rocketchat'];
  draft.hosts = [
    { ...newHostDraft(), name: 'rc-1', address: '10.0.0.11', user: 'ops', roles: ['rocketchat'] },
    {
      ...newHostDraft(),
      name: 'db-1',
      address: 'db.example.com',
      port: '2222',
      user: 'ops',
      roles: ['mongodb'],
      authMethod: 'password',
      password: { stored: undefined, typed: 'hunter2-hunter2' },
      jump: 'rc-1, ops@bastion.example.com:22',
    },
  ];
  return draft;
}

describe('cluster draft', () => {
  it('turns typed text into the schema form: trimmed names, numeric ports, jump lists', () => {
    const form = clusterForValidation(twoHostDraft());
    expect(form.name).toBe('chat-staging');
    expect(form.hosts[1]).toMatchObject({ port: 2222, jump: ['rc-1', 'ops@bastion.example.com:22'], auth: { method: 'password' } });
    expect(form.mongo).toBeUndefined();
    expect(form.rocketchat).toBeUndefined();
    expect(validateCluster(form).ok).toBe(true);
  });

  it('reports a port that is not a number instead of dropping it', () => {
    const draft = twoHostDraft();
    draft.hosts[0]!.port = '22a';
    const result = validateCluster(clusterForValidation(draft));
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.issues.map((i) => i.path)).toContain('hosts[0].port');
  });

  it('stores typed secrets first and keeps only their references', async () => {
    const stored: string[] = [];
    const draft = twoHostDraft();
    expect(hasTypedSecrets(draft)).toBe(true);
    const settled = await storeTypedSecrets(draft, async (value) => {
      stored.push(value);
      return { secret: `id-${stored.length}` };
    });
    expect(stored).toEqual(['hunter2-hunter2']);
    expect(hasTypedSecrets(settled)).toBe(false);
    const form = clusterToSave(settled);
    expect(form.hosts[1]?.auth).toEqual({ method: 'password', password: { secret: 'id-1' } });
    expect(JSON.stringify(form)).not.toContain('hunter2');
  });

  it('ignores a typed password once the host no longer uses password auth', async () => {
    const draft = twoHostDraft();
    draft.hosts[1]!.authMethod = 'agent';
    expect(hasTypedSecrets(draft)).toBe(false);
    let calls = 0;
    await storeTypedSecrets(draft, async () => {
      calls += 1;
      return { secret: 'never' };
    });
    expect(calls).toBe(0);
    expect(clusterToSave(draft).hosts[1]?.auth).toEqual({ method: 'agent' });
  });

  it('keeps what the editor does not show when a saved cluster is edited', () => {
    const cluster = clusterSchema.parse({
      name: 'lab-demo',
      environment: 'lab',
      simulated: true,
      stacks: ['generic', 'voms'],
      hosts: [
        {
          name: 'voms-1',
          address: '127.0.0.1',
          port: 42022,
          user: 'lab',
          roles: ['voms'],
          auth: { method: 'key', identityFile: '~/.ssh/id', passphrase: { secret: 'pp' } },
          services: [{ name: 'voms-server', kind: 'systemd', unit: 'voms-server' }],
          labels: { rack: 'b2' },
        },
      ],
      mongo: { url: 'mongodb://10.0.0.1:27017/rc', remotePort: 27017, password: { secret: 'mp' } },
    });
    const draft = draftFromCluster(cluster);
    draft.hosts[0]!.address = 'voms-1.lab';
    const form = clusterToSave(draft);
    expect(form.simulated).toBe(true);
    expect(form.hosts[0]).toMatchObject({
      address: 'voms-1.lab',
      port: 42022,
      auth: { method: 'key', identityFile: '~/.ssh/id', passphrase: { secret: 'pp' } },
      services: [{ name: 'voms-server', kind: 'systemd', unit: 'voms-server' }],
      labels: { rack: 'b2' },
    });
    expect(form.mongo).toEqual({ url: 'mongodb://10.0.0.1:27017/rc', remotePort: 27017, password: { secret: 'mp' } });

    draft.environment = 'staging';
    expect(clusterToSave(draft).simulated).toBeUndefined();
  });

  it('removes a stored secret the admin cleared', () => {
    const cluster = clusterSchema.parse({
      name: 'c',
      environment: 'staging',
      stacks: ['generic'],
      hosts: [],
      rocketchat: { adminUser: 'admin', authToken: { secret: 'tok' } },
    });
    const draft = draftFromCluster(cluster);
    draft.rocketchat.authToken = { stored: undefined, typed: '' };
    expect(clusterToSave(draft).rocketchat).toEqual({ adminUser: 'admin' });
  });

  it('splits a comma-separated jump list and drops empty hops', () => {
    expect(splitJumpList(' a , ,b,')).toEqual(['a', 'b']);
  });
});
