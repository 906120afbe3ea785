import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../../shared/contract/errors';
import { generateKeyPair, type KeyPair } from '../../testing/keys';
import { runOk, waitFor } from '../../testing/process';
import { createPoolFixture, targetOf, type PoolFixture } from '../../testing/ssh-pool-fixture';
import { startSshd, type Sshd } from '../../testing/sshd';
import { ensureTestUser, type TestUser } from '../../testing/test-user';
import { exec } from './exec';
import { parsePublicKey } from './host-key';
import { formatKnownHostsLine } from './known-hosts-format';

let user: TestUser;
let clientKey: KeyPair;
let servers: Sshd[];
const fixtures: PoolFixture[] = [];

async function fixture(options: Parameters<typeof createPoolFixture>[0] = {}): Promise<PoolFixture> {
  const created = await createPoolFixture(options);
  fixtures.push(created);
  return created;
}

function target(server: Sshd) {
  return targetOf(server, user.name, { identityFiles: [clientKey.privatePath], agent: false });
}

function failure(promise: Promise<unknown>): Promise<AppError> {
  return promise.then(
    () => {
      throw new Error('expected a failure');
    },
    (error: unknown) => {
      expect(error).toBeInstanceOf(AppError);
      return error as AppError;
    },
  );
}

beforeAll(async () => {
  user = await ensureTestUser();
  const first = await startSshd();
  clientKey = await generateKeyPair(first.dir, 'client');
  await first.addAuthorizedKey(clientKey.publicLine);
  const others = await Promise.all([1, 2, 3].map(() => startSshd({ authorizedKeys: [clientKey.publicLine] })));
  servers = [first, ...others];
});

afterAll(async () => {
  await Promise.all(fixtures.map((f) => f.close()));
  await Promise.all(servers.map((s) => s.stop()));
});

describe('first use of a host key', () => {
  it('waits for the admin, shows the fingerprint ssh-keygen shows, and proceeds once approved', async () => {
    const [server] = servers as [Sshd];
    const f = await fixture();
    const running = exec(f.pool, target(server), ['echo', 'approved']);
    await waitFor(() => f.approvals.pending().length === 1, 'a pending host key');
    const [pending] = f.approvals.pending();
    const printed = await runOk('ssh-keygen', ['-l', '-E', 'sha256', '-f', server.hostKey.publicPath]);
    expect(pending).toMatchObject({ host: '127.0.0.1', port: server.port, keyType: 'ssh-ed25519' });
    expect(pending?.fingerprint).toBe(printed.split(' ')[1]);

    expect(await f.approvals.approve([pending!.id])).toEqual([pending!.id]);
    expect((await running).stdout).toBe('approved\n');
    expect(await readFile(f.store.storePath, 'utf8')).toBe(`${server.knownHostsLine()}\n`);
    expect(f.approvals.pending()).toEqual([]);
  });

  it('lets the admin approve many hosts in one batch, one item per host however many connections wait', async () => {
    const f = await fixture();
    const announced: string[] = [];
    f.approvals.onPending((item) => announced.push(item.id));
    const runs = servers.flatMap((server) => [
      exec(f.pool, target(server), ['echo', String(server.port)]),
      exec(f.pool, { ...target(server), user: 'root' }, ['true']).catch((e: unknown) => e),
    ]);
    await waitFor(() => f.approvals.pending().length === servers.length, 'one pending key per server');
    expect(announced).toHaveLength(servers.length);
    await f.approvals.approve(f.approvals.pending().map((item) => item.id));
    const results = await Promise.all(runs);
    servers.forEach((server, index) => {
      expect((results[index * 2] as { stdout: string }).stdout).toBe(`${server.port}\n`);
    });
  });

  it('fails with SSH_HOST_KEY_UNKNOWN when the admin rejects, and trusts nothing', async () => {
    const [server] = servers as [Sshd];
    const f = await fixture();
    const running = failure(exec(f.pool, target(server), ['true']));
    await waitFor(() => f.approvals.pending().length === 1, 'a pending host key');
    expect(f.approvals.reject(f.approvals.pending().map((item) => item.id))).toHaveLength(1);
    const error = await running;
    expect(error.code).toBe('SSH_HOST_KEY_UNKNOWN');
    expect(error.details?.fingerprint).toBe(server.hostKeyFingerprint);
    await expect(readFile(f.store.storePath, 'utf8')).rejects.toThrow();
  });

  it('refuses an unknown key in strict mode, naming its fingerprint', async () => {
    const [server] = servers as [Sshd];
    const f = await fixture({ policy: 'strict' });
    const error = await failure(exec(f.pool, target(server), ['true']));
    expect(error.code).toBe('SSH_HOST_KEY_UNKNOWN');
    expect(error.message).toContain(server.hostKeyFingerprint);
  });

  it('adds an unknown key in accept-new mode, but still refuses a changed one', async () => {
    const [first, second] = servers as [Sshd, Sshd];
    const f = await fixture({ policy: 'acceptNew' });
    expect((await exec(f.pool, target(first), ['true'])).exitCode).toBe(0);
    expect(await readFile(f.store.storePath, 'utf8')).toContain(first.knownHostsLine());

    const impostor = await generateKeyPair(f.dir, 'impostor');
    await writeFile(
      f.store.storePath,
      `${formatKnownHostsLine('127.0.0.1', second.port, parsePublicKey(impostor.publicLine))}\n`,
      { flag: 'a' },
    );
    expect((await failure(exec(f.pool, target(second), ['true']))).code).toBe('SSH_HOST_KEY_CHANGED');
  });

  it('trusts hashed entries of the user known_hosts without writing to it', async () => {
    const [server] = servers as [Sshd];
    const f = await fixture();
    const userFile = join(f.dir, 'user_known_hosts');
    await writeFile(userFile, `${server.knownHostsLine()}\n`);
    await runOk('ssh-keygen', ['-H', '-f', userFile]);
    const hashed = await readFile(userFile, 'utf8');
    expect(hashed).toMatch(/^\|1\|/);
    const { KnownHostsStore } = await import('./known-hosts');
    const { HostKeyVerifier } = await import('./host-verifier');
    const { SshPool } = await import('./pool');
    const store = new KnownHostsStore({ storePath: join(f.dir, 'app_known_hosts'), trustedPaths: [userFile] });
    const pool = new SshPool({ hostKeys: new HostKeyVerifier(store, { mode: 'strict' }, f.log), env: {} });
    try {
      expect((await exec(pool, target(server), ['echo', 'ok'])).stdout).toBe('ok\n');
    } finally {
      await pool.closeAll();
    }
    expect(await readFile(userFile, 'utf8')).toBe(hashed);
  });
});

describe('a changed host key', () => {
  it('is refused with both fingerprints until the admin replaces it explicitly', async () => {
    const [server] = servers as [Sshd];
    const impostor = await generateKeyPair(server.dir, 'old-host-key');
    const oldKey = parsePublicKey(impostor.publicLine);
    const f = await fixture();
    await writeFile(f.store.storePath, `${formatKnownHostsLine('127.0.0.1', server.port, oldKey)}\n`);

    const error = await failure(exec(f.pool, target(server), ['true']));
    expect(error.code).toBe('SSH_HOST_KEY_CHANGED');
    const printedOld = (await runOk('ssh-keygen', ['-l', '-E', 'sha256', '-f', impostor.publicPath])).split(' ')[1];
    expect(error.details?.expectedFingerprints).toEqual([printedOld]);
    expect(error.details?.presentedFingerprint).toBe(server.hostKeyFingerprint);
    expect(error.message).toContain(printedOld);
    expect(error.message).toContain(server.hostKeyFingerprint);
    expect(f.approvals.pending()).toEqual([]);

    // Still refused on a second try: nothing changed the store.
    expect((await failure(exec(f.pool, target(server), ['true']))).code).toBe('SSH_HOST_KEY_CHANGED');

    const presented = parsePublicKey(`${String(error.details?.keyType)} ${String(error.details?.presentedPublicKey)}`);
    await f.store.replace('127.0.0.1', server.port, presented);
    expect((await exec(f.pool, target(server), ['echo', 'replaced'])).stdout).toBe('replaced\n');
    expect(await readFile(f.store.storePath, 'utf8')).toBe(`${server.knownHostsLine()}\n`);
  });
});
