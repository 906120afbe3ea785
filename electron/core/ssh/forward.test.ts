import { createServer, connect, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKeyPair } from '../../testing/keys';
import { createPoolFixture, targetOf, type PoolFixture } from '../../testing/ssh-pool-fixture';
import { startSshd, type Sshd } from '../../testing/sshd';
import { ensureTestUser } from '../../testing/test-user';
import { forwardLocalPort } from './forward';
import type { SshTarget } from './target';

let server: Sshd;
let echo: Server;
let echoPort: number;
let f: PoolFixture;
let target: SshTarget;

/** Sends `message` to the local port and resolves with what comes back before the peer closes. */
function roundTrip(port: number, message: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let received = '';
    socket.on('error', reject);
    socket.on('data', (data) => {
      received += data.toString();
      if (received.length >= message.length) socket.end();
    });
    socket.on('close', () => resolve(received));
    socket.write(message);
  });
}

function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.on('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.on('error', () => resolve(true));
  });
}

beforeAll(async () => {
  const user = await ensureTestUser();
  server = await startSshd();
  const key = await generateKeyPair(server.dir, 'client');
  await server.addAuthorizedKey(key.publicLine);
  f = await createPoolFixture({ trust: [server] });
  target = targetOf(server, user.name, { identityFiles: [key.privatePath], agent: false });
  echo = createServer((socket) => socket.pipe(socket));
  await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve));
  echoPort = (echo.address() as { port: number }).port;
});

afterAll(async () => {
  await f?.close();
  await server?.stop();
  await new Promise<void>((resolve) => echo?.close(() => resolve()));
});

describe('local port forwarding', () => {
  it('carries several connections through the host and stops listening when closed', async () => {
    const forward = await forwardLocalPort(f.pool, target, { remoteHost: '127.0.0.1', remotePort: echoPort });
    expect(forward.localHost).toBe('127.0.0.1');
    const replies = await Promise.all(['one', 'two', 'ünïcode'].map((m) => roundTrip(forward.localPort, m)));
    expect(replies).toEqual(['one', 'two', 'ünïcode']);
    expect(f.pool.stats()[0]?.connections[0]?.holds).toBe(1);

    await forward.close();
    expect(await refused(forward.localPort)).toBe(true);
    expect(f.pool.stats()[0]?.connections[0]?.holds ?? 0).toBe(0);
  });

  it('closes with the connection it runs on', async () => {
    const forward = await forwardLocalPort(f.pool, target, { remoteHost: '127.0.0.1', remotePort: echoPort });
    expect(await roundTrip(forward.localPort, 'ping')).toBe('ping');
    await f.pool.close(target);
    await forward.closed;
    expect(await refused(forward.localPort)).toBe(true);
  });

  it('drops a local connection whose remote end cannot be reached, and keeps serving', async () => {
    const closedServer = createServer();
    await new Promise<void>((resolve) => closedServer.listen(0, '127.0.0.1', resolve));
    const deadPort = (closedServer.address() as { port: number }).port;
    await new Promise<void>((resolve) => closedServer.close(() => resolve()));
    const forward = await forwardLocalPort(f.pool, target, { remoteHost: '127.0.0.1', remotePort: deadPort });
    expect(await roundTrip(forward.localPort, 'lost')).toBe('');
    expect(f.log.read().some((entry) => entry.event === 'forward' && entry.message.includes('cannot reach'))).toBe(true);
    await forward.close();
  });
});
