import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKeyPair, type KeyPair } from '../../testing/keys';
import { waitFor } from '../../testing/process';
import { createPoolFixture, type PoolFixture } from '../../testing/ssh-pool-fixture';
import { startSshd, type Sshd } from '../../testing/sshd';
import { ensureTestUser, type TestUser } from '../../testing/test-user';
import { exec } from './exec';
import type { SshHop, SshTarget } from './target';

let user: TestUser;
let outerKey: KeyPair;
let targetKey: KeyPair;
let outer: Sshd;
let inner: Sshd;
let final: Sshd;
let sibling: Sshd;
let f: PoolFixture;

function hops(): { outerHop: SshHop; innerHop: SshHop } {
  return {
    outerHop: { host: outer.host, port: outer.port, user: user.name, auth: { identityFiles: [outerKey.privatePath], agent: false } },
    innerHop: { host: inner.host, port: inner.port, user: user.name, auth: { password: user.password, agent: false } },
  };
}

function behindJumps(server: Sshd): SshTarget {
  const { outerHop, innerHop } = hops();
  return {
    host: server.host,
    port: server.port,
    user: user.name,
    auth: { identityFiles: [targetKey.privatePath], agent: false },
    jump: [outerHop, innerHop],
  };
}

beforeAll(async () => {
  user = await ensureTestUser();
  // DEBUG1: the jump hosts log each direct-tcpip request, which proves the path taken.
  [outer, inner] = await Promise.all([startSshd({ logLevel: 'DEBUG1' }), startSshd({ logLevel: 'DEBUG1', password: true })]);
  outerKey = await generateKeyPair(outer.dir, 'outer-client');
  targetKey = await generateKeyPair(outer.dir, 'target-client');
  await outer.addAuthorizedKey(outerKey.publicLine);
  [final, sibling] = await Promise.all([
    startSshd({ authorizedKeys: [targetKey.publicLine] }),
    startSshd({ authorizedKeys: [targetKey.publicLine] }),
  ]);
  f = await createPoolFixture();
});

afterAll(async () => {
  await f?.close();
  await Promise.all([outer, inner, final, sibling].map((s) => s?.stop()));
});

describe('ProxyJump chains', () => {
  it('reaches a host through two jump hosts, checking each hop’s host key with its own auth', async () => {
    const approvedOrder: string[] = [];
    const stop = f.approvals.onPending((item) => {
      approvedOrder.push(`${item.port}${item.via ? ` via ${item.via}` : ''}`);
      void f.approvals.approve([item.id]);
    });
    const result = await exec(f.pool, behindJumps(final), ['echo', 'through two hops']);
    stop();
    expect(result.stdout).toBe('through two hops\n');
    const outerKeyName = `${user.name}@127.0.0.1:${outer.port}`;
    const innerKeyName = `${outerKeyName} -> ${user.name}@127.0.0.1:${inner.port}`;
    expect(approvedOrder).toEqual([
      `${outer.port}`,
      `${inner.port} via ${outerKeyName}`,
      `${final.port} via ${innerKeyName}`,
    ]);
    expect(outer.log()).toMatch(new RegExp(`direct-tcpip.*port ${inner.port}|target 127\\.0\\.0\\.1 port ${inner.port}`));
    expect(inner.log()).toMatch(new RegExp(`direct-tcpip.*port ${final.port}|target 127\\.0\\.0\\.1 port ${final.port}`));
    expect(inner.log()).toContain(`Accepted password for ${user.name}`);
  });

  it('shares the jump connections between targets and closes them with their last child', async () => {
    f.approvals.onPending((item) => void f.approvals.approve([item.id]));
    await Promise.all([
      exec(f.pool, behindJumps(final), ['true']),
      exec(f.pool, behindJumps(sibling), ['true']),
    ]);
    const byKey = new Map(f.pool.stats().map((s) => [s.key, s.connections]));
    const { outerHop } = hops();
    const outerConnections = byKey.get(`${outerHop.user}@127.0.0.1:${outer.port}`);
    const innerConnections = [...byKey.entries()].find(([key]) => key.endsWith(`127.0.0.1:${inner.port}`))?.[1];
    expect(outerConnections).toHaveLength(1);
    expect(outerConnections?.[0]?.children).toBe(1);
    expect(innerConnections).toHaveLength(1);
    expect(innerConnections?.[0]?.children).toBe(2);

    await f.pool.close(behindJumps(final));
    expect(f.pool.stats().find((s) => s.key.endsWith(`:${inner.port}`))?.connections[0]?.children).toBe(1);
    await f.pool.close(behindJumps(sibling));
    await waitFor(() => f.pool.stats().every((s) => s.connections.length === 0), 'the jump connections to close');
  });
});
