import { createHash } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import type { Credentials } from './accounts';
import { Vfs, VfsError } from './vfs';

const alice: Credentials = { uid: 1000, gids: [1000] };
const bob: Credentials = { uid: 1001, gids: [1001] };

function code(fn: () => unknown): string | undefined {
  try {
    fn();
    return undefined;
  } catch (error) {
    if (error instanceof VfsError) return error.code;
    throw error;
  }
}

describe('Vfs', () => {
  test('files keep content, owner, mode and a real SHA-256', () => {
    const vfs = new Vfs();
    vfs.mkdir('/opt/app', { parents: true });
    vfs.writeFile('/opt/app/config.json', '{"port":8181}', { mode: 0o640, uid: 1000, gid: 1000 });
    const stat = vfs.stat('/opt/app/config.json');
    expect(stat).toMatchObject({ kind: 'file', size: 13, mode: 0o640, uid: 1000, gid: 1000 });
    expect(vfs.sha256('/opt/app/config.json')).toBe(createHash('sha256').update('{"port":8181}').digest('hex'));
  });

  test('permissions: others cannot write into root-owned directories; /tmp is sticky', () => {
    const vfs = new Vfs();
    vfs.mkdir('/opt', { parents: true });
    vfs.mkdir('/tmp', { mode: 0o1777 });
    expect(code(() => vfs.writeFile('/opt/x', 'x', { cred: alice }))).toBe('EACCES');
    vfs.writeFile('/tmp/alice.txt', 'mine', { cred: alice });
    expect(vfs.stat('/tmp/alice.txt')).toMatchObject({ uid: 1000, gid: 1000, mode: 0o644 });
    expect(code(() => vfs.unlink('/tmp/alice.txt', bob))).toBe('EPERM');
    expect(code(() => vfs.readFile('/tmp/alice.txt', bob))).toBeUndefined();
    vfs.chmod('/tmp/alice.txt', 0o600, alice);
    expect(code(() => vfs.readFile('/tmp/alice.txt', bob))).toBe('EACCES');
    expect(code(() => vfs.chown('/tmp/alice.txt', { uid: 1001 }, alice))).toBe('EPERM');
  });

  test('a full disk fails writes with ENOSPC and leaves the old content', () => {
    const vfs = new Vfs({ sizeBytes: 1024 * 1024, baseUsedBytes: 0 });
    vfs.writeFile('/target', 'original');
    vfs.fill('/', 100);
    expect(code(() => vfs.writeFile('/target', Buffer.alloc(500)))).toBe('ENOSPC');
    expect(vfs.readFile('/target').toString()).toBe('original');
    expect(vfs.usage('/').availableBytes).toBe(100);
    // Shrinking frees space.
    vfs.writeFile('/target', '');
    expect(vfs.usage('/').availableBytes).toBe(108);
  });

  test('mounts have their own size and may be read-only', () => {
    const vfs = new Vfs();
    vfs.mount('/var/lib/postgresql', { sizeBytes: 10_000, device: '/dev/sdb1' });
    vfs.writeFile('/var/lib/postgresql/base', Buffer.alloc(9_000));
    expect(code(() => vfs.writeFile('/var/lib/postgresql/wal', Buffer.alloc(2_000)))).toBe('ENOSPC');
    expect(vfs.usage('/var/lib/postgresql')).toMatchObject({ usedBytes: 9_000, availableBytes: 1_000 });
    expect(code(() => vfs.rename('/var/lib/postgresql/base', '/base'))).toBe('EXDEV');
    vfs.mount('/usr', { sizeBytes: 1e9, device: '/dev/sdc1', readOnly: true });
    expect(code(() => vfs.writeFile('/usr/x', 'x'))).toBe('EROFS');
  });

  test('symlinks resolve like the kernel does', () => {
    const vfs = new Vfs();
    vfs.mkdir('/opt/releases/1.8.3', { parents: true });
    vfs.writeFile('/opt/releases/1.8.3/server', 'bin');
    vfs.symlink('releases/1.8.3', '/opt/current');
    expect(vfs.readFile('/opt/current/server').toString()).toBe('bin');
    expect(vfs.realpath('/opt/current/server')).toBe('/opt/releases/1.8.3/server');
    expect(vfs.lstat('/opt/current')).toMatchObject({ kind: 'symlink', target: 'releases/1.8.3' });
    vfs.symlink('/loop-b', '/loop-a');
    vfs.symlink('/loop-a', '/loop-b');
    expect(code(() => vfs.readFile('/loop-a'))).toBe('ELOOP');
  });

  test('a running executable cannot be opened for writing, but can be replaced by rename', () => {
    const vfs = new Vfs();
    vfs.writeFile('/server', 'old', { mode: 0o755 });
    vfs.writeFile('/server.new', 'new', { mode: 0o755 });
    const running = vfs.node('/server');
    if (running.kind !== 'file') throw new Error('expected a file');
    const release = vfs.holdExecutable(running);
    expect(code(() => vfs.writeFile('/server', 'x'))).toBe('ETXTBSY');
    vfs.rename('/server.new', '/server');
    expect(vfs.readFile('/server').toString()).toBe('new');
    release();
  });

  test('rename replaces files atomically and refuses a directory over a file', () => {
    const vfs = new Vfs();
    vfs.writeFile('/a', 'A');
    vfs.writeFile('/b', 'B');
    vfs.rename('/a', '/b');
    expect(vfs.exists('/a')).toBe(false);
    expect(vfs.readFile('/b').toString()).toBe('A');
    vfs.mkdir('/d');
    expect(code(() => vfs.rename('/d', '/b'))).toBe('ENOTDIR');
    expect(code(() => vfs.rmdir('/'))).toBe('EBUSY');
  });
});
