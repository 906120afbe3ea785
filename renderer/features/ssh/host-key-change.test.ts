import { describe, expect, it } from 'vitest';
import type { HostState } from '../../../shared/contract';
import { foldInspectRound, hostKeyChangeFromMessage, hostPort, withoutHost, type RefusedHostKey } from './host-key-change';

const known = 'SHA256:V8t4rhI3q3inGXPIQG4JJe8r/+m8BhsNc/oiabhhM14';
const other = 'SHA256:yTaPf+85Dt+aEH+1A0U/aR/YMfSl36CQVd3bCtTPj6o';
const presented = 'SHA256:3Hc1S0TqSx0sM0pCjQ1X4l2a3dGkQeMUv5k1iG7bZtE';
// The SSH layer's text (electron/core/ssh/host-verifier.ts), as inspect reports it.
const refusal = (name: string, expected: string) =>
  `The ssh-ed25519 host key of ${name} has changed: expected ${expected}, the server presented ${presented}. ` +
  'The connection was refused; replace the key only if the change is expected.';

function host(name: string, reach: HostState['reach']): HostState {
  return { name, address: '127.0.0.1', roles: [], reach, probedAt: '2026-01-01T00:00:00.000Z', status: 'unknown' };
}

describe('hostKeyChangeFromMessage', () => {
  it('reads host, port, key type and both fingerprints', () => {
    expect(hostKeyChangeFromMessage(refusal('[127.0.0.1]:2222', known))).toEqual({
      host: '127.0.0.1',
      port: 2222,
      keyType: 'ssh-ed25519',
      knownFingerprints: [known],
      presentedFingerprint: presented,
    });
  });
  it('takes port 22 for a bare name, several trusted keys, and the finding evidence form', () => {
    const change = hostKeyChangeFromMessage(`SSH_HOST_KEY_CHANGED: ${refusal('db.example.com', `${known} or ${other}`)}`);
    expect(change).toMatchObject({ host: 'db.example.com', port: 22, knownFingerprints: [known, other] });
  });
  it('ignores other failures and revoked keys', () => {
    expect(hostKeyChangeFromMessage('connect ECONNREFUSED 127.0.0.1:22')).toBeUndefined();
    expect(hostKeyChangeFromMessage('The host key of [h]:2 is marked @revoked in /etc/ssh/ssh_known_hosts')).toBeUndefined();
  });
});

describe('foldInspectRound', () => {
  const changed = host('beta', { ok: false, code: 'SSH_HOST_KEY_CHANGED', message: refusal('[127.0.0.1]:2222', known) });

  it('remembers a refusal, and forgets it when the host is reached again', () => {
    const after = foldInspectRound([], { cluster: 'c', changedHosts: [changed, host('alpha', { ok: true })], hostNames: ['alpha', 'beta'] });
    expect(after).toMatchObject([{ cluster: 'c', hostName: 'beta', port: 2222, presentedFingerprint: presented }]);
    expect(foldInspectRound(after, { cluster: 'c', changedHosts: [host('beta', { ok: true })], hostNames: ['alpha', 'beta'] })).toEqual([]);
  });

  it('keeps refusals of hosts not reported this round and of other clusters; drops hosts that left the cluster', () => {
    const start = foldInspectRound([], { cluster: 'c', changedHosts: [changed], hostNames: ['beta'] });
    const elsewhere = foldInspectRound(start, { cluster: 'd', changedHosts: [changed], hostNames: ['beta'] });
    expect(elsewhere).toHaveLength(2);
    expect(foldInspectRound(elsewhere, { cluster: 'c', changedHosts: [], hostNames: ['beta'] })).toHaveLength(2);
    expect(foldInspectRound(elsewhere, { cluster: 'c', changedHosts: [], hostNames: [] }).map((r) => r.cluster)).toEqual(['d']);
  });

  it('settles every refusal of a host:port once its key is replaced', () => {
    const refusals = foldInspectRound([], { cluster: 'c', changedHosts: [changed], hostNames: ['beta'] });
    const both: RefusedHostKey[] = [...refusals, { ...refusals[0]!, cluster: 'd' }, { ...refusals[0]!, cluster: 'e', port: 2223 }];
    expect(withoutHost(both, '127.0.0.1', 2222).map((r) => r.port)).toEqual([2223]);
  });
});

describe('hostPort', () => {
  it('brackets IPv6 addresses', () => {
    expect(hostPort('10.0.0.1', 22)).toBe('10.0.0.1:22');
    expect(hostPort('::1', 2222)).toBe('[::1]:2222');
  });
});
