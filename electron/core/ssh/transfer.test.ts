import { createHash, randomBytes } from 'node:crypto';
import { chown, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../../shared/contract/errors';
import { generateKeyPair, type KeyPair } from '../../testing/keys';
import { run, runOk } from '../../testing/process';
import { createPoolFixture, targetOf, type PoolFixture } from '../../testing/ssh-pool-fixture';
import { startSshd, type Sshd } from '../../testing/sshd';
import { ensureTestUser, type TestUser } from '../../testing/test-user';
import { download, upload, type TransferProgress } from './transfer';
import type { SshTarget } from './target';

let user: TestUser;
let clientKey: KeyPair;
let server: Sshd;
let f: PoolFixture;
let target: SshTarget;
/** Writable by the test user. */
let work: string;
/** A 64 KiB tmpfs, writable by the test user: the "full disk". */
let tiny: string;
let tinyMounted = false;

function sha256(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

async function failure(promise: Promise<unknown>): Promise<AppError> {
  const error = await promise.then(
    () => new Error('expected a failure'),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AppError);
  return error as AppError;
}

beforeAll(async () => {
  user = await ensureTestUser();
  server = await startSshd();
  clientKey = await generateKeyPair(server.dir, 'client');
  await server.addAuthorizedKey(clientKey.publicLine);
  f = await createPoolFixture({ trust: [server] });
  target = targetOf(server, user.name, { identityFiles: [clientKey.privatePath], agent: false });
  work = await mkdtemp(join(tmpdir(), 'sb-transfer-'));
  await chown(work, user.uid, user.gid);
  tiny = join(work, 'tiny');
  await mkdir(tiny);
  await runOk('mount', ['-t', 'tmpfs', '-o', `size=64k,mode=0755,uid=${user.uid},gid=${user.gid}`, 'sb-test-tiny', tiny]);
  tinyMounted = true;
});

afterAll(async () => {
  await f?.close();
  await server?.stop();
  if (tinyMounted) await runOk('umount', [tiny]);
  if (work) await rm(work, { recursive: true, force: true });
});

describe('upload', () => {
  it('writes atomically, verifies the checksum on the host, reports progress and sets the mode', async () => {
    const data = randomBytes(300_000);
    const remotePath = join(work, 'payload.bin');
    const progress: TransferProgress[] = [];
    const result = await upload(f.pool, target, { source: { data }, remotePath, mode: 0o640, onProgress: (p) => progress.push(p) });

    expect(result).toEqual({ remotePath, bytes: data.length, sha256: sha256(data) });
    expect(sha256(await readFile(remotePath))).toBe(sha256(data));
    expect((await stat(remotePath)).mode & 0o777).toBe(0o640);
    expect((await stat(remotePath)).uid).toBe(user.uid);
    expect(progress.at(-1)).toEqual({ transferred: data.length, total: data.length });
    expect(progress.every((p, i) => i === 0 || p.transferred >= (progress[i - 1] as TransferProgress).transferred)).toBe(true);
    expect((await readdir(work)).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });

  it('replaces an existing file from a local path, keeping its mode', async () => {
    const remotePath = join(work, 'config.json');
    await writeFile(remotePath, '{"old":true}\n', { mode: 0o600 });
    await chown(remotePath, user.uid, user.gid);
    const local = join(work, 'local-source.json');
    await writeFile(local, '{"new":true}\n');
    await upload(f.pool, target, { source: { path: local }, remotePath });
    expect(await readFile(remotePath, 'utf8')).toBe('{"new":true}\n');
    expect((await stat(remotePath)).mode & 0o777).toBe(0o600);
    expect((await readdir(work)).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });

  it('fails with TRANSFER on a full disk, leaving the target untouched and no temporary file', async () => {
    const remotePath = join(tiny, 'license.dat');
    await writeFile(remotePath, 'original\n');
    await chown(remotePath, user.uid, user.gid);
    const error = await failure(upload(f.pool, target, { source: { data: randomBytes(200_000) }, remotePath }));
    expect(error.code).toBe('TRANSFER');
    expect(error.details).toMatchObject({ stage: 'write', remotePath });
    expect(await readFile(remotePath, 'utf8')).toBe('original\n');
    expect(await readdir(tiny)).toEqual(['license.dat']);
    // The disk has its space back: a small upload works.
    await upload(f.pool, target, { source: { data: 'small\n' }, remotePath });
    expect(await readFile(remotePath, 'utf8')).toBe('small\n');
  });

  it('fails with TRANSFER in a directory the user cannot write, leaving the target untouched', async () => {
    const locked = join(work, 'locked');
    await mkdir(locked, { mode: 0o755 });
    const remotePath = join(locked, 'app.conf');
    await writeFile(remotePath, 'root owned\n');
    const error = await failure(upload(f.pool, target, { source: { data: 'replacement\n' }, remotePath }));
    expect(error.code).toBe('TRANSFER');
    expect(error.details?.stage).toBe('write');
    expect(String(error.details?.reason)).toMatch(/permission denied/i);
    expect(await readFile(remotePath, 'utf8')).toBe('root owned\n');
    expect(await readdir(locked)).toEqual(['app.conf']);
  });

  it('fails with TRANSFER when the owner cannot be set, leaving the target untouched', async () => {
    const remotePath = join(work, 'owned.txt');
    await writeFile(remotePath, 'before\n');
    const error = await failure(upload(f.pool, target, { source: { data: 'after\n' }, remotePath, owner: 'root' }));
    expect(error.code).toBe('TRANSFER');
    expect(error.details?.stage).toBe('owner');
    expect(await readFile(remotePath, 'utf8')).toBe('before\n');
    expect((await readdir(work)).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });

  it('sets owner and group when allowed, with names quoted for the shell', async () => {
    const remotePath = join(work, `it's $(odd) name.txt`);
    await upload(f.pool, target, { source: { data: 'x' }, remotePath, owner: user.name, group: user.name });
    const owner = await run('stat', ['-c', '%U:%G', remotePath]);
    expect(owner.stdout.trim()).toBe(`${user.name}:${user.name}`);
  });
});

describe('download', () => {
  it('reads a file with its checksum and progress', async () => {
    const data = randomBytes(100_000);
    const remotePath = join(work, 'download.bin');
    await writeFile(remotePath, data);
    const progress: TransferProgress[] = [];
    const result = await download(f.pool, target, remotePath, { onProgress: (p) => progress.push(p) });
    expect(result.data.equals(data)).toBe(true);
    expect(result.sha256).toBe(sha256(data));
    expect(progress.at(-1)).toEqual({ transferred: data.length, total: data.length });
  });

  it('refuses a file over the size cap', async () => {
    const remotePath = join(work, 'big.bin');
    await writeFile(remotePath, randomBytes(10_000));
    const error = await failure(download(f.pool, target, remotePath, { maxBytes: 1000 }));
    expect(error.code).toBe('TRANSFER');
    expect(error.message).toContain('cap');
  });

  it('reports a missing file as TRANSFER', async () => {
    const error = await failure(download(f.pool, target, join(work, 'missing')));
    expect(error.code).toBe('TRANSFER');
  });
});
