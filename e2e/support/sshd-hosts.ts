import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateKeyPair, type KeyPair } from '../../electron/testing/keys';
import { freePort } from '../../electron/testing/process';
import { startSshd, type Sshd, type SshdOptions } from '../../electron/testing/sshd';
import { ensureTestUser, type TestUser } from '../../electron/testing/test-user';

/** Real OpenSSH servers on loopback that a Switchboard cluster can be pointed at. */
export interface SshdHosts {
  servers: Sshd[];
  user: TestUser;
  /** The client key every server accepts for `user`. */
  clientKey: KeyPair;
  /** A loopback port nothing listens on (a host that is down). */
  closedPort: number;
  /** Writes the servers' host keys into `<dataDir>/known_hosts`, the app's own store, so no approval is asked. */
  trustIn(dataDir: string): Promise<void>;
  stop(): Promise<void>;
}

/** One server per entry of `options` (an empty object is a plain host). */
export async function startSshdHosts(options: readonly SshdOptions[]): Promise<SshdHosts> {
  const user = await ensureTestUser();
  const keyDir = await mkdtemp(join(tmpdir(), 'sb-e2e-client-key-'));
  const clientKey = await generateKeyPair(keyDir, 'id_ed25519');
  const servers: Sshd[] = [];
  const stop = async () => {
    await Promise.all(servers.map((server) => server.stop()));
    await rm(keyDir, { recursive: true, force: true });
  };
  try {
    for (const extra of options) servers.push(await startSshd({ ...extra, authorizedKeys: [clientKey.publicLine, ...(extra.authorizedKeys ?? [])] }));
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    servers,
    user,
    clientKey,
    closedPort: await freePort(),
    trustIn: (dataDir) => writeFile(join(dataDir, 'known_hosts'), servers.map((server) => `${server.knownHostsLine()}\n`).join(''), { mode: 0o600 }),
    stop,
  };
}
