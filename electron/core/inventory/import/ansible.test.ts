import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Host } from '../../../../shared/inventory/schema';
import { importAnsible, importAnsibleFile } from './ansible';
import { parseAnsibleIni } from './ansible-ini';
import { expandHostPattern, splitHostPort } from './ansible-model';

const home = '/home/admin';
const options = { home, localUser: 'me' };

const ini = `# production inventory
bastion.example.com ansible_user=jump

[rocketchat]
rc[01:03].example.com ansible_user=deploy   # three app nodes

[rocketchat:vars]
ansible_ssh_private_key_file=~/.ssh/rc_key

[mongodb]
db1 ansible_host=10.0.2.5 ansible_port=2201

[haproxy]
lb.example.com:2222

[eu:children]
rocketchat
mongodb
haproxy

[eu:vars]
ansible_ssh_common_args='-o ProxyJump=ops@bastion.example.com'
ansible_ssh_private_key_file=~/.ssh/eu_key
datacenter = "eu-west"
ansible_password=not-imported

[all:vars]
ansible_user=admin

[local]
localhost ansible_connection=local

[broken]
bad ansible_host="x;reboot"
`;

const byName = (hosts: Host[]) => Object.fromEntries(hosts.map((host) => [host.name, host]));

describe('Ansible INI inventories', () => {
  it('reads groups, children, vars and ranges with Ansible precedence', () => {
    const proposal = importAnsible(ini, 'ansible-ini', options);
    expect(proposal.format).toBe('ansible-ini');
    expect(proposal.cluster.stacks).toEqual(['generic', 'rocketchat']);
    const hosts = byName(proposal.cluster.hosts);
    expect(Object.keys(hosts)).toEqual([
      'bastion.example.com', 'rc01.example.com', 'rc02.example.com', 'rc03.example.com', 'db1', 'lb.example.com',
    ]);
    expect(hosts['bastion.example.com']).toEqual({
      name: 'bastion.example.com', address: 'bastion.example.com', port: 22, user: 'jump', roles: ['generic'], auth: { method: 'agent' },
    });
    // Host vars beat group vars; the child group's key beats its parent's.
    expect(hosts['rc02.example.com']).toEqual({
      name: 'rc02.example.com',
      address: 'rc02.example.com',
      port: 22,
      user: 'deploy',
      roles: ['rocketchat'],
      auth: { method: 'key', identityFile: `${home}/.ssh/rc_key` },
      jump: ['ops@bastion.example.com'],
      labels: { eu: 'true' },
    });
    expect(hosts.db1).toMatchObject({ address: '10.0.2.5', port: 2201, user: 'admin', roles: ['mongodb'], auth: { identityFile: `${home}/.ssh/eu_key` } });
    expect(hosts['lb.example.com']).toMatchObject({ port: 2222, roles: ['haproxy'], labels: { eu: 'true' } });

    const warnings = proposal.warnings.join('\n');
    expect(warnings).toContain('Host "localhost" skipped: ansible_connection=local is not SSH');
    expect(warnings).toContain('Host "bad" skipped: "x;reboot" is refused: a host address cannot contain ";"');
    expect(warnings).toContain('Host db1: ansible_password not imported');
    expect(warnings).not.toContain('not-imported');
  });

  it('parses quoting, comments and sections like Ansible, and reports errors by line', () => {
    const model = parseAnsibleIni(`; comment\n[web]\nw1 note="two words" path='a b' esc=a\\ b # trailing\n[web:vars]\nx = 'quoted value'\n`);
    expect(model.hostVars.get('w1')).toEqual({ note: 'two words', path: 'a b', esc: 'a b' });
    expect(model.groups.get('web')?.vars).toEqual({ x: 'quoted value' });
    expect(() => parseAnsibleIni('[web:hostz]\n')).toThrow('line 1: section [web:hostz] has unknown type "hostz"');
    expect(() => parseAnsibleIni('[web]\nw1 lonely\n')).toThrow('line 2: expected key=value');
    expect(() => parseAnsibleIni('\n[web]\nw1 a="open\n')).toThrow('line 3: unclosed quotation');
    expect(() => parseAnsibleIni('[web]\nw[3:1]\n')).toThrow('line 2: Host range w[3:1]: the range runs backwards');
  });

  it('expands host ranges as Ansible does', () => {
    expect(expandHostPattern('web[01:03].example.com')).toEqual(['web01.example.com', 'web02.example.com', 'web03.example.com']);
    expect(expandHostPattern('db-[a:c]')).toEqual(['db-a', 'db-b', 'db-c']);
    expect(expandHostPattern('n[0:10:5]')).toEqual(['n0', 'n5', 'n10']);
    expect(expandHostPattern('r[1:2]-[x:y]')).toEqual(['r1-x', 'r1-y', 'r2-x', 'r2-y']);
    expect(expandHostPattern('plain')).toEqual(['plain']);
    expect(() => expandHostPattern('w[01:100]')).toThrow('same number of digits');
    expect(() => expandHostPattern('w[1:999999]')).toThrow('more than 10000 hosts');
    expect(splitHostPort('web[1:3]')).toEqual({ host: 'web[1:3]' });
    expect(splitHostPort('web[1:3]:2222')).toEqual({ host: 'web[1:3]', port: 2222 });
    expect(splitHostPort('fe80::1')).toEqual({ host: 'fe80::1' });
    expect(splitHostPort('[fe80::1]:22')).toEqual({ host: 'fe80::1', port: 22 });
  });
});

describe('Ansible YAML inventories', () => {
  const yaml = `all:
  vars:
    ansible_user: admin
  hosts:
    bastion.example.com:
      ansible_user: jump
  children:
    vernemq:
      hosts:
        mqtt[1:2].example.com:
          ansible_port: 2022
      vars:
        ansible_ssh_common_args: -J bastion.example.com
    monitoring:
      children:
        vernemq:
      hosts:
        grafana.example.com:
        templated.example.com:
          ansible_host: "{{ lookup('env', 'IP') }}"
`;

  it('reads all/children/hosts/vars, turning role-named groups into roles and others into labels', () => {
    const proposal = importAnsible(yaml, 'ansible-yaml', { ...options, clusterName: 'mqtt' });
    expect(proposal.cluster).toMatchObject({ name: 'mqtt', stacks: ['generic', 'vernemq'] });
    const hosts = byName(proposal.cluster.hosts);
    expect(Object.keys(hosts)).toEqual(['bastion.example.com', 'mqtt1.example.com', 'mqtt2.example.com', 'grafana.example.com']);
    expect(hosts['mqtt2.example.com']).toEqual({
      name: 'mqtt2.example.com',
      address: 'mqtt2.example.com',
      port: 2022,
      user: 'admin',
      roles: ['vernemq'],
      auth: { method: 'agent' },
      jump: ['bastion.example.com'],
      labels: { monitoring: 'true' },
    });
    expect(hosts['grafana.example.com']).toMatchObject({ roles: ['generic'], labels: { monitoring: 'true' } });
    expect(proposal.warnings).toEqual(['Host "templated.example.com" skipped: ansible_host is a Jinja template, which Switchboard does not evaluate']);
  });

  it('refuses a YAML file that is not an inventory, naming where', () => {
    expect(() => importAnsible('all:\n  hosts: [a, b]\n', 'ansible-yaml', options)).toThrow('Ansible inventory all.hosts: hosts is a mapping');
    expect(() => importAnsible('all:\n  hostz: {}\n', 'ansible-yaml', options)).toThrow('all.hostz: unexpected key');
  });
});

describe('Ansible inventory files with group_vars and host_vars', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('merges group_vars/ and host_vars/ above inventory group vars, skipping vault files', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sb-ansible-'));
    dirs.push(dir);
    const write = (relative: string, text: string) => {
      mkdirSync(dirname(join(dir, relative)), { recursive: true });
      writeFileSync(join(dir, relative), text);
    };
    const inventory = '[rocketchat]\nrc1\nrc2 ansible_user=inline\n\n[mongodb]\ndb1\n\n[all:vars]\nansible_user=from-inventory\n';
    write('hosts.ini', inventory);
    write('group_vars/all.yml', 'ansible_user: from-group-vars\n');
    write('group_vars/rocketchat/10-ssh.yaml', 'ansible_port: 2200\n');
    write('group_vars/rocketchat/20-more.json', '{"ansible_ssh_private_key_file": "/keys/rc"}\n');
    write('group_vars/mongodb.yml', '$ANSIBLE_VAULT;1.1;AES256\n6162636465\n');
    write('host_vars/db1.yml', 'ansible_host: 10.0.2.5\n');

    const proposal = await importAnsibleFile(join(dir, 'hosts.ini'), inventory, 'ansible-ini', options);
    expect(proposal.cluster.name).toBe('hosts');
    const hosts = byName(proposal.cluster.hosts);
    expect(hosts.rc1).toMatchObject({ user: 'from-group-vars', port: 2200, auth: { method: 'key', identityFile: '/keys/rc' } });
    expect(hosts.rc2).toMatchObject({ user: 'inline', port: 2200 });
    expect(hosts.db1).toMatchObject({ address: '10.0.2.5', user: 'from-group-vars', port: 22 });
    expect(proposal.warnings).toEqual([`${join(dir, 'group_vars/mongodb.yml')} is encrypted with ansible-vault and was not read`]);
  });
});
