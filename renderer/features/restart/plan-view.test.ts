import { describe, expect, it } from 'vitest';
import { actionLines } from './plan-view';

describe('the commands a preview shows', () => {
  it('quotes an argv exactly as it is sent', () => {
    expect(actionLines({ kind: 'ssh.exec', params: { argv: ['systemctl', 'restart', 'rocketchat@3000'] } })).toEqual(['systemctl restart rocketchat@3000']);
    expect(actionLines({ kind: 'ssh.exec', params: { argv: ['sh', '-c', "echo 'hi there'"] } })).toEqual([`sh -c 'echo '\\''hi there'\\'''`]);
  });

  it('shows one line per command of a multi-command action', () => {
    expect(actionLines({ kind: 'ssh.exec', params: { commands: [['vmq-admin', 'plugin', 'enable', '--name=vmq_bridge'], ['vmq-admin', 'bridge', 'start']] } })).toEqual([
      'vmq-admin plugin enable --name=vmq_bridge',
      'vmq-admin bridge start',
    ]);
  });

  it('shows the kind and parameters of an action that is not a command', () => {
    expect(actionLines({ kind: 'haproxy.setState', params: { backend: 'rocketchat', server: 'rc2', state: 'drain' } })).toEqual([
      'haproxy.setState backend=rocketchat server=rc2 state=drain',
    ]);
  });
});
