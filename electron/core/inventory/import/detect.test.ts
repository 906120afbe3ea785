import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { detectInventoryFormat, loadInventoryFile } from './detect';

const exampleInventory = new URL('../fixtures/example-inventory.yaml', import.meta.url);

const samples = {
  sshConfig: '# my hosts\nHost bastion\n  HostName bastion.example.com\n  User ops\n\nHost *\n  ServerAliveInterval 30\n',
  sshConfigEquals: 'Include ~/.ssh/config.d/*\nHost=db\nHostName=10.0.0.5\n',
  ansibleIni: '[web]\nweb[01:02].example.com ansible_user=deploy\n\n[web:vars]\nansible_port=2222\n',
  ansibleIniHostsOnly: 'web1.example.com ansible_host=10.0.0.1\nweb2.example.com\n',
  ansibleYaml: 'all:\n  hosts:\n    web1.example.com:\n  children:\n    db:\n      hosts:\n        db1:\n          ansible_host: 10.0.0.9\n',
  switchboard: 'version: 1\nclusters: []\n',
};

describe('detectInventoryFormat', () => {
  it.each([
    ['sshConfig', 'ssh-config'],
    ['sshConfigEquals', 'ssh-config'],
    ['ansibleIni', 'ansible-ini'],
    ['ansibleIniHostsOnly', 'ansible-ini'],
    ['ansibleYaml', 'ansible-yaml'],
    ['switchboard', 'switchboard'],
  ] as const)('recognises %s as %s by content', (sample, format) => {
    expect(detectInventoryFormat(samples[sample])).toBe(format);
  });

  it('refuses empty and unrecognisable files', () => {
    expect(() => detectInventoryFormat('\n# only a comment\n')).toThrow('empty');
    expect(() => detectInventoryFormat('{"some": "json", "not": ["an inventory"]}')).toThrow('Not a recognised inventory');
    expect(() => detectInventoryFormat('Hello, this is a letter.\nKind regards\n')).toThrow('Not a recognised inventory');
  });
});

describe('loadInventoryFile', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  const tempDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'sb-load-'));
    dirs.push(dir);
    return dir;
  };

  it('reads a Switchboard inventory as it is', async () => {
    const dir = tempDir();
    copyFileSync(exampleInventory, join(dir, 'inventory.yaml'));
    const loaded = await loadInventoryFile(join(dir, 'inventory.yaml'));
    expect(loaded.format).toBe('switchboard');
    expect(loaded.inventory.clusters.map((c) => c.name)).toEqual(['chat-prod', 'mqtt-k8s', 'lab-demo']);
  });

  it('turns an Ansible inventory or an ssh_config into a one-cluster inventory named after the file', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'production.ini'), samples.ansibleIni);
    const ansible = await loadInventoryFile(join(dir, 'production.ini'), { localUser: 'me' });
    expect(ansible.format).toBe('ansible-ini');
    expect(ansible.inventory.clusters).toHaveLength(1);
    expect(ansible.inventory.clusters[0]).toMatchObject({ name: 'production', hosts: [{ name: 'web01.example.com', port: 2222 }, { name: 'web02.example.com' }] });

    mkdirSync(join(dir, '.ssh'));
    writeFileSync(join(dir, '.ssh', 'config'), samples.sshConfig);
    const ssh = await loadInventoryFile(join(dir, '.ssh', 'config'), { home: dir, localUser: 'me' });
    expect(ssh.format).toBe('ssh-config');
    expect(ssh.inventory.clusters[0]).toMatchObject({ name: 'ssh-config', hosts: [{ name: 'bastion', address: 'bastion.example.com', user: 'ops' }] });
  });

  it('reports a missing file and an invalid inventory clearly', async () => {
    const dir = tempDir();
    await expect(loadInventoryFile(join(dir, 'nope.yaml'))).rejects.toMatchObject({ code: 'NOT_FOUND', message: expect.stringContaining('ENOENT') });
    writeFileSync(join(dir, 'bad.yaml'), 'version: 1\nclusters:\n  - name: x\n    environment: lab\n    stacks: [generic]\n    hosts: [{ name: a, address: "-oProxyCommand=sh", user: u }]\n');
    await expect(loadInventoryFile(join(dir, 'bad.yaml'))).rejects.toThrow('clusters[0].hosts[0].address: "-oProxyCommand=sh" is refused');
  });
});
