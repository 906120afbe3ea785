import { createHash, randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { AppError } from '../../../shared/contract/errors';
import { parsePublicKey } from '../../core/ssh/host-key';
import type { SshTarget } from '../../core/ssh/target';
import { upload } from '../../core/ssh/transfer';
import { createPoolFixture, type PoolFixture } from '../../testing/ssh-pool-fixture';
import { LabClock } from './clock';
import { LabHost, type LabHostDescription } from './lab-host';
import { connect, generateClientKey, sftp } from './test-helpers';

/**
 * The console's upload (SFTP to a temporary name, sha256sum on the host, chown, `mv -f`)
 * against a lab host through the real SSH pool, with the host key trusted explicitly.
 */

const clientKey = generateClientKey('console@lab');
let host: LabHost;
let description: LabHostDescription;
let fixture: PoolFixture;
let keyPath: string;

beforeAll(async () => {
  host = new LabHost({
    name: 'voms-1',
    clock: new LabClock({ timeScale: 0.01 }),
    users: [{ name: 'ops', uid: 1000, authorizedKeys: [clientKey.publicLine] }],
  });
  host.addUser({ name: 'root', uid: 0, authorizedKeys: [clientKey.publicLine] });
  host.vfs.mkdir('/srv/app', { parents: true });
  host.vfs.mount('/srv/full', { sizeBytes: 1024 * 1024, device: '/dev/sdb1' });
  host.vfs.mount('/srv/ro', { sizeBytes: 1024 * 1024, device: '/dev/sdc1' });
  description = await host.start();
  fixture = await createPoolFixture({ policy: 'strict' });
  await fixture.store.add(description.host, description.port, parsePublicKey(`${description.hostKey.algorithm} ${description.hostKey.base64}`));
  keyPath = join(fixture.dir, 'id_ed25519');
  await writeFile(keyPath, clientKey.privateKey, { mode: 0o600 });
});

afterAll(async () => {
  await fixture?.close();
  await host?.stop();
});

function target(user: string): SshTarget {
  return { host: description.host, port: description.port, user, auth: { identityFiles: [keyPath], agent: false, keyboardInteractive: false } };
}

const sha256 = (data: Buffer | string): string => createHash('sha256').update(data).digest('hex');

/** The names in `dir` (an upload's leftover temporary file would show here). */
const namesIn = (dir: string): string[] => host.vfs.readdir(dir).map((entry) => entry.name).sort();

async function failure(promise: Promise<unknown>): Promise<AppError> {
  const error = await promise.then(() => new Error('expected a failure'), (e: unknown) => e);
  expect(error).toBeInstanceOf(AppError);
  return error as AppError;
}

test('the server closes an SFTP channel the client ends, as sshd does', async () => {
  const client = await connect(description, { username: 'ops', privateKey: clientKey.privateKey });
  try {
    const session = await sftp(client);
    const closed = new Promise<void>((resolve) => session.once('close', () => resolve()));
    session.end();
    await closed;
    // The connection is still usable: only the channel closed.
    const next = await sftp(client);
    const entries = await new Promise<string[]>((resolve, reject) =>
      next.readdir('/home', (error, list) => (error ? reject(error) : resolve(list.map((entry) => entry.filename)))));
    expect(entries).toContain('ops');
  } finally {
    client.end();
  }
});

describe('upload to a lab host', () => {
  test('several SFTP writes arrive intact, with the mode and owner asked for', async () => {
    // Larger than one SFTP WRITE (ssh2 sends at most ~34 kB per request).
    const data = randomBytes(300_000);
    const result = await upload(fixture.pool, target('root'), {
      source: { data },
      remotePath: '/srv/app/server.bin',
      mode: 0o750,
      owner: 'ops',
      group: 'ops',
    });
    expect(result).toEqual({ remotePath: '/srv/app/server.bin', bytes: data.length, sha256: sha256(data) });
    expect(sha256(host.vfs.readFile('/srv/app/server.bin'))).toBe(sha256(data));
    expect(host.vfs.stat('/srv/app/server.bin')).toMatchObject({ kind: 'file', mode: 0o750, uid: 1000, gid: 1000, size: data.length });
    expect(namesIn('/srv/app')).toEqual(['server.bin']);
  });

  test('a replaced file keeps its mode when none is asked for', async () => {
    host.vfs.writeFile('/home/ops/notes.txt', 'old\n', { mode: 0o600 });
    host.vfs.chown('/home/ops/notes.txt', { uid: 1000, gid: 1000 });
    await upload(fixture.pool, target('ops'), { source: { data: 'new\n' }, remotePath: 'notes.txt' });
    expect(host.vfs.readFile('/home/ops/notes.txt').toString()).toBe('new\n');
    expect(host.vfs.stat('/home/ops/notes.txt')).toMatchObject({ mode: 0o600, uid: 1000, gid: 1000 });
  });

  test('a full disk fails the transfer and leaves the target and no temporary file', async () => {
    host.vfs.writeFile('/srv/full/app.conf', 'original\n');
    host.vfs.fill('/srv/full', 1024);
    const error = await failure(upload(fixture.pool, target('root'), { source: { data: randomBytes(64 * 1024) }, remotePath: '/srv/full/app.conf' }));
    expect(error.code).toBe('TRANSFER');
    expect(error.details).toMatchObject({ stage: 'write', remotePath: '/srv/full/app.conf' });
    expect(host.vfs.readFile('/srv/full/app.conf').toString()).toBe('original\n');
    expect(namesIn('/srv/full')).toEqual(['app.conf']);
  });

  test('a read-only mount fails the transfer and leaves the target and no temporary file', async () => {
    host.vfs.writeFile('/srv/ro/app.conf', 'original\n');
    host.vfs.setReadOnly('/srv/ro', true);
    const error = await failure(upload(fixture.pool, target('root'), { source: { data: 'replacement\n' }, remotePath: '/srv/ro/app.conf' }));
    expect(error.code).toBe('TRANSFER');
    expect(error.details).toMatchObject({ stage: 'write', remotePath: '/srv/ro/app.conf' });
    expect(host.vfs.readFile('/srv/ro/app.conf').toString()).toBe('original\n');
    expect(namesIn('/srv/ro')).toEqual(['app.conf']);
  });
});
