import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { importSshConfig, importSshConfigFile } from './ssh-config';

let home: string;
beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), 'sb-sshconfig-home-'));
});
afterEach(() => {
  rmSync(home, { recursive: true, force: true });
});

function write(relative: string, text: string): string {
  const path = join(home, relative);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
  return path;
}

const mainConfig = () => `# Company config
Include config.d/*.conf

Host bastion
  HostName bastion.example.com
  User jump
  Port 2200
  IdentityFile ~/.ssh/bastion_key

Host web-* !web-skip
  User deploy

Host web-1 web-2
  HostName %h.internal.example.com
  ProxyJump bastion

Host db-1
  HostName 10.0.2.5
  ProxyJump ops@gw.example.com:2222,bastion
  IdentityFile %d/.ssh/db_%r

Match host 10.0.2.5
  Port 2201

Match exec "touch ${home}/pwned"
  User pwned

Host evil
  HostName "a;rm -rf /"

Host behind-evil
  HostName 10.9.9.9
  ProxyJump evil

Host legacy
  HostName 10.0.3.3
  ProxyCommand ssh -q -W %h:%p bastion

Host weird
  ProxyCommand nc -x proxy:1080 %h %p

Host *.example.org
  Port 2022

Host *
  User admin
  IdentityFile ~/.ssh/id_ed25519
  UserKnownHostsFile ~/.ssh/known_hosts_work
`;

function writeFixtures() {
  write('.ssh/config.d/10-mqtt.conf', 'Host mqtt-1\n  HostName 10.0.5.1\n  Include mqtt-extra/*\n  IdentityFile ~/.ssh/mqtt_key\n');
  write('.ssh/mqtt-extra/users', 'User mqttops\nHost mqtt-2\n  HostName 10.0.5.2\n');
  write('.ssh/config.d/README', 'Host not-included\n');
  write('.ssh/config.d/.hidden.conf', 'Host hidden\n');
  return write('.ssh/config', mainConfig());
}

describe('importSshConfig', () => {
  it('turns Host entries into hosts the way ssh computes them: Include, wildcards, first value wins, ProxyJump', async () => {
    writeFixtures();
    const proposal = await importSshConfigFile(undefined, { home, localUser: 'me' });
    expect(proposal.format).toBe('ssh-config');
    expect(proposal.cluster).toMatchObject({ name: 'ssh-config', environment: 'production', stacks: ['generic'] });
    const byName = Object.fromEntries(proposal.cluster.hosts.map((host) => [host.name, host]));
    expect(Object.keys(byName)).toEqual(['mqtt-1', 'bastion', 'web-1', 'web-2', 'db-1', 'legacy']);

    const key = (name: string) => ({ method: 'key', identityFile: join(home, '.ssh', name) });
    const knownHostsFile = join(home, '.ssh', 'known_hosts_work');
    expect(byName['mqtt-1']).toEqual({
      name: 'mqtt-1', address: '10.0.5.1', port: 22, user: 'mqttops', roles: ['generic'], auth: key('mqtt_key'), knownHostsFile,
    });
    expect(byName.bastion).toEqual({
      name: 'bastion', address: 'bastion.example.com', port: 2200, user: 'jump', roles: ['generic'], auth: key('bastion_key'), knownHostsFile,
    });
    expect(byName['web-1']).toMatchObject({ address: 'web-1.internal.example.com', user: 'deploy', port: 22, jump: ['bastion'], auth: key('id_ed25519') });
    expect(byName['web-2']).toMatchObject({ address: 'web-2.internal.example.com', jump: ['bastion'] });
    expect(byName['db-1']).toMatchObject({
      address: '10.0.2.5', port: 2201, user: 'admin', jump: ['ops@gw.example.com:2222', 'bastion'], auth: key('db_admin'),
    });
    expect(byName.legacy).toMatchObject({ address: '10.0.3.3', jump: ['bastion'] });

    const warnings = proposal.warnings.join('\n');
    expect(warnings).toContain('Host "evil" skipped: "a;rm -rf /" is refused');
    expect(warnings).toContain('Host "behind-evil" skipped: its jump host "evil" was skipped');
    expect(warnings).toContain('Host "weird" skipped: ProxyCommand "nc -x proxy:1080 %h %p" is not a plain ssh jump');
    expect(warnings).toContain('Host bastion: only the first IdentityFile');
    expect(existsSync(join(home, 'pwned'))).toBe(false);
  });

  it('leaves out hosts defined only under an Include that cannot match them, and hidden or unmatched files', async () => {
    writeFixtures();
    const proposal = await importSshConfigFile(join(home, '.ssh', 'config'), { home, localUser: 'me' });
    const names = proposal.cluster.hosts.map((host) => host.name);
    for (const absent of ['mqtt-2', 'not-included', 'hidden', 'web-skip']) expect(names).not.toContain(absent);
  });

  it('uses the local user and agent auth when nothing is configured, and warns about disabled host key checks', async () => {
    const proposal = await importSshConfig(
      'Host plain\n  HostName plain.example.com\n\nHost lax\n  StrictHostKeyChecking no\n  UserKnownHostsFile /dev/null\n\nInclude missing/*.conf\n',
      { home, localUser: 'me', clusterName: 'mine', environment: 'staging' },
    );
    expect(proposal.cluster).toMatchObject({ name: 'mine', environment: 'staging' });
    expect(proposal.cluster.hosts).toEqual([
      { name: 'plain', address: 'plain.example.com', port: 22, user: 'me', roles: ['generic'], auth: { method: 'agent' } },
      { name: 'lax', address: 'lax', port: 22, user: 'me', roles: ['generic'], auth: { method: 'agent' } },
    ]);
    expect(proposal.warnings).toEqual([
      'Include missing/*.conf matched no files',
      'Host lax: host key checking is off in ssh_config; Switchboard checks host keys regardless',
    ]);
  });

  it('refuses option injection through User, Port and jump hosts', async () => {
    const proposal = await importSshConfig(
      'Host a\n  User -oProxyCommand=x\nHost b\n  Port 22;id\nHost c\n  ProxyJump -oProxyCommand=x\nHost d\n  ProxyJump ok.example.com\n',
      { home, localUser: 'me' },
    );
    expect(proposal.cluster.hosts.map((host) => host.name)).toEqual(['d']);
    expect(proposal.cluster.hosts[0]?.jump).toEqual(['me@ok.example.com']);
    expect(proposal.warnings).toHaveLength(3);
    expect(proposal.warnings[0]).toContain('"-oProxyCommand=x" is not a valid user name');
  });
});
