import { describe, expect, it } from 'vitest';
import { jumpFromProxyCommand, jumpFromSshArgs } from './ssh-args';

describe('jumpFromSshArgs', () => {
  it.each([
    ['-J bastion', ['bastion']],
    ['-Jops@a.example.com:2200,b', ['ops@a.example.com:2200', 'b']],
    // Input as found in Ansible inventories; only the jump host is read from it.
    ['-o StrictHostKeyChecking=no -o ProxyJump=ssh://ops@gw', ['ops@gw']],
    ["-o 'ProxyJump gw1,gw2'", ['gw1', 'gw2']],
    ['-o ProxyCommand="ssh -W %h:%p -q -p 2222 -l ops bastion"', ['ops@bastion:2222']],
    ["-o ProxyCommand='ssh -J outer inner nc %h %p'", ['outer', 'inner']],
  ])('reads %s', (args, jump) => {
    expect(jumpFromSshArgs(args)).toEqual({ ok: true, jump, notes: [] });
  });

  it('returns nothing when there is no jump, and refuses what it cannot carry over', () => {
    expect(jumpFromSshArgs('-o ServerAliveInterval=30 -A')).toBeUndefined();
    expect(jumpFromSshArgs('-o ProxyJump=none')).toBeUndefined();
    expect(jumpFromSshArgs('-o ProxyCommand="connect-proxy -S socks:1080 %h %p"')).toMatchObject({ ok: false });
    expect(jumpFromSshArgs('-J a; rm -rf /')).toEqual({ ok: false, problem: 'the ssh arguments contain shell operators' });
  });
});

describe('jumpFromProxyCommand', () => {
  it('notes the options it drops', () => {
    expect(jumpFromProxyCommand('ssh -i ~/.ssh/jump -W [%h]:%p jump.example.com')).toEqual({
      ok: true,
      jump: ['jump.example.com'],
      notes: ['options -i of the ProxyCommand were not carried over'],
    });
  });

  it('refuses commands that are not a plain ssh jump', () => {
    for (const command of ['ssh bastion', 'ssh -W %h:%p bastion uptime', '/usr/bin/corkscrew proxy 8080 %h %p', 'ssh -W %h:%p bastion | tee x']) {
      expect(jumpFromProxyCommand(command).ok).toBe(false);
    }
  });
});
