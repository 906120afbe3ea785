import { posix } from 'node:path';
import ssh2 from 'ssh2';
import type { Attributes, FileEntry, SFTPWrapper } from 'ssh2';
import type { Accounts, Credentials, HostUser } from './accounts';
import type { HostClock } from './clock';
import { absolutePath, isVfsError, modeString, VfsError, type FileNode, type Vfs, type VfsStat } from './vfs';

/**
 * The SFTP subsystem on a host's VFS, answering like OpenSSH's sftp-server: its errno
 * mapping (ENOENT -> NO_SUCH_FILE, EACCES -> PERMISSION_DENIED, anything else such as
 * ENOSPC -> FAILURE) and its RENAME, which refuses to replace an existing file
 * (posix-rename@openssh.com does replace).
 */

const { OPEN_MODE, STATUS_CODE } = ssh2.utils.sftp;

const statusMessages: Record<number, string> = {
  [STATUS_CODE.OK]: 'Success',
  [STATUS_CODE.EOF]: 'End of file',
  [STATUS_CODE.NO_SUCH_FILE]: 'No such file',
  [STATUS_CODE.PERMISSION_DENIED]: 'Permission denied',
  [STATUS_CODE.FAILURE]: 'Failure',
  [STATUS_CODE.BAD_MESSAGE]: 'Bad message',
  [STATUS_CODE.OP_UNSUPPORTED]: 'Operation unsupported',
};

type Handle =
  | { kind: 'file'; node: FileNode; path: string; append: boolean }
  | { kind: 'dir'; path: string; done: boolean };

export interface SftpSessionDeps {
  vfs: Vfs;
  accounts: Accounts;
  clock: HostClock;
  user: HostUser;
  cred: Credentials;
}

const umask = 0o022;
const typeBits = { file: 0o100000, dir: 0o040000, symlink: 0o120000, socket: 0o140000 } as const;

export function serveSftp(sftp: SFTPWrapper, deps: SftpSessionDeps): void {
  const { vfs, cred, user } = deps;
  const handles = new Map<number, Handle>();
  let nextHandle = 1;
  const resolve = (path: string): string => absolutePath(user.home, path === '' ? '.' : path);

  const reply = (reqId: number, error: unknown): void => {
    const code = statusFor(error);
    sftp.status(reqId, code, statusMessages[code]);
  };
  const ok = (reqId: number): void => {
    sftp.status(reqId, STATUS_CODE.OK, statusMessages[STATUS_CODE.OK]);
  };
  const newHandle = (handle: Handle): Buffer => {
    const id = nextHandle++;
    handles.set(id, handle);
    const buffer = Buffer.alloc(4);
    buffer.writeUInt32BE(id);
    return buffer;
  };
  const lookup = (buffer: Buffer): Handle | undefined => (buffer.length === 4 ? handles.get(buffer.readUInt32BE(0)) : undefined);
  const attrsOf = (stat: VfsStat): Attributes => ({
    mode: typeBits[stat.kind] | stat.mode,
    uid: stat.uid,
    gid: stat.gid,
    size: stat.size,
    atime: Math.floor(stat.atimeMs / 1000),
    mtime: Math.floor(stat.mtimeMs / 1000),
  });
  const badHandle = (reqId: number): void => {
    sftp.status(reqId, STATUS_CODE.FAILURE, statusMessages[STATUS_CODE.FAILURE]);
  };

  sftp.on('OPEN', (reqId, filename, flags, attrs) => {
    const path = resolve(filename);
    try {
      const write = (flags & OPEN_MODE.WRITE) !== 0;
      // sftp-server creates files with the requested mode under its umask (022).
      const mode = (attrs?.mode !== undefined ? Number(attrs.mode) & 0o7777 : 0o666) & ~umask;
      const node = vfs.open(path, {
        read: (flags & OPEN_MODE.READ) !== 0,
        write,
        create: (flags & OPEN_MODE.CREAT) !== 0,
        truncate: (flags & OPEN_MODE.TRUNC) !== 0,
        exclusive: (flags & OPEN_MODE.EXCL) !== 0,
      }, cred, mode);
      sftp.handle(reqId, newHandle({ kind: 'file', node, path, append: (flags & OPEN_MODE.APPEND) !== 0 }));
    } catch (error) {
      reply(reqId, error);
    }
  });

  sftp.on('READ', (reqId, handleBuffer, offset, length) => {
    const handle = lookup(handleBuffer);
    if (!handle || handle.kind !== 'file') return badHandle(reqId);
    const data = vfs.readAt(handle.node, offset, length);
    if (data.length === 0) sftp.status(reqId, STATUS_CODE.EOF, statusMessages[STATUS_CODE.EOF]);
    else sftp.data(reqId, data);
  });

  sftp.on('WRITE', (reqId, handleBuffer, offset, data) => {
    const handle = lookup(handleBuffer);
    if (!handle || handle.kind !== 'file') return badHandle(reqId);
    try {
      const at = handle.append ? handle.node.content.length : offset;
      vfs.writeAt(handle.node, at, data, handle.path);
      ok(reqId);
    } catch (error) {
      reply(reqId, error);
    }
  });

  sftp.on('FSTAT', (reqId, handleBuffer) => {
    const handle = lookup(handleBuffer);
    if (!handle) return badHandle(reqId);
    try {
      sftp.attrs(reqId, attrsOf(handle.kind === 'file' ? vfs.statNode(handle.node) : vfs.stat(handle.path, cred)));
    } catch (error) {
      reply(reqId, error);
    }
  });

  sftp.on('FSETSTAT', (reqId, handleBuffer, attrs) => {
    const handle = lookup(handleBuffer);
    if (!handle) return badHandle(reqId);
    try {
      if (handle.kind === 'file' && attrs.size !== undefined) vfs.truncateNode(handle.node, attrs.size, handle.path);
      applyAttrs(vfs, handle.path, attrs, cred);
      ok(reqId);
    } catch (error) {
      reply(reqId, error);
    }
  });

  sftp.on('CLOSE', (reqId, handleBuffer) => {
    if (handleBuffer.length !== 4 || !handles.delete(handleBuffer.readUInt32BE(0))) return badHandle(reqId);
    ok(reqId);
  });

  sftp.on('STAT', (reqId, path) => {
    try {
      sftp.attrs(reqId, attrsOf(vfs.stat(resolve(path), cred)));
    } catch (error) {
      reply(reqId, error);
    }
  });

  sftp.on('LSTAT', (reqId, path) => {
    try {
      sftp.attrs(reqId, attrsOf(vfs.lstat(resolve(path), cred)));
    } catch (error) {
      reply(reqId, error);
    }
  });

  sftp.on('SETSTAT', (reqId, path, attrs) => {
    try {
      const target = resolve(path);
      if (attrs.size !== undefined) vfs.truncateNode(vfs.open(target, { write: true }, cred), attrs.size, target);
      applyAttrs(vfs, target, attrs, cred);
      ok(reqId);
    } catch (error) {
      reply(reqId, error);
    }
  });

  sftp.on('OPENDIR', (reqId, path) => {
    const target = resolve(path);
    try {
      if (vfs.stat(target, cred).kind !== 'dir') throw new VfsError('ENOTDIR', target);
      vfs.readdir(target, cred);
      sftp.handle(reqId, newHandle({ kind: 'dir', path: target, done: false }));
    } catch (error) {
      reply(reqId, error);
    }
  });

  sftp.on('READDIR', (reqId, handleBuffer) => {
    const handle = lookup(handleBuffer);
    if (!handle || handle.kind !== 'dir') return badHandle(reqId);
    if (handle.done) return sftp.status(reqId, STATUS_CODE.EOF, statusMessages[STATUS_CODE.EOF]);
    handle.done = true;
    try {
      const entries: FileEntry[] = [
        { name: '.', stat: vfs.stat(handle.path, cred) },
        { name: '..', stat: vfs.stat(posix.dirname(handle.path), cred) },
        ...vfs.readdir(handle.path, cred),
      ].map(({ name, stat }) => ({ filename: name, longname: longname(deps, name, stat), attrs: attrsOf(stat) }));
      sftp.name(reqId, entries);
    } catch (error) {
      reply(reqId, error);
    }
  });

  sftp.on('REMOVE', (reqId, path) => {
    try {
      vfs.unlink(resolve(path), cred);
      ok(reqId);
    } catch (error) {
      reply(reqId, error);
    }
  });

  sftp.on('RMDIR', (reqId, path) => {
    try {
      vfs.rmdir(resolve(path), cred);
      ok(reqId);
    } catch (error) {
      reply(reqId, error);
    }
  });

  sftp.on('MKDIR', (reqId, path, attrs) => {
    try {
      vfs.mkdir(resolve(path), { cred, mode: (attrs?.mode !== undefined ? Number(attrs.mode) & 0o7777 : 0o777) & ~umask });
      ok(reqId);
    } catch (error) {
      reply(reqId, error);
    }
  });

  sftp.on('RENAME', (reqId, oldPath, newPath) => {
    const from = resolve(oldPath);
    const to = resolve(newPath);
    try {
      // sftp-server renames files with link()+unlink(): an existing target is an error.
      const source = vfs.lstat(from, cred);
      if (source.kind !== 'dir' && vfs.exists(to, cred)) throw Object.assign(new Error('exists'), { sftpCode: STATUS_CODE.FAILURE });
      vfs.rename(from, to, cred);
      ok(reqId);
    } catch (error) {
      reply(reqId, error);
    }
  });

  sftp.on('EXTENDED', (reqId, name, data) => {
    if (name !== 'posix-rename@openssh.com' || !data) {
      sftp.status(reqId, STATUS_CODE.OP_UNSUPPORTED, statusMessages[STATUS_CODE.OP_UNSUPPORTED]);
      return;
    }
    try {
      const [oldPath, newPath] = readStrings(data, 2);
      vfs.rename(resolve(oldPath!), resolve(newPath!), cred);
      ok(reqId);
    } catch (error) {
      reply(reqId, error);
    }
  });

  sftp.on('REALPATH', (reqId, path) => {
    const target = posix.normalize(resolve(path));
    let canonical = target;
    try {
      canonical = vfs.realpath(target, cred);
    } catch {
      // OpenSSH answers with the normalized path when it does not exist.
    }
    sftp.name(reqId, [{ filename: canonical, longname: canonical, attrs: {} as Attributes }]);
  });

  sftp.on('READLINK', (reqId, path) => {
    try {
      const target = vfs.readlink(resolve(path), cred);
      sftp.name(reqId, [{ filename: target, longname: target, attrs: {} as Attributes }]);
    } catch (error) {
      reply(reqId, error);
    }
  });

  sftp.on('SYMLINK', (reqId, targetPath, linkPath) => {
    try {
      vfs.symlink(targetPath, resolve(linkPath), cred);
      ok(reqId);
    } catch (error) {
      reply(reqId, error);
    }
  });
}

/** OpenSSH's errno_to_portable(). */
function statusFor(error: unknown): number {
  const explicit = (error as { sftpCode?: number } | undefined)?.sftpCode;
  if (explicit !== undefined) return explicit;
  if (!isVfsError(error)) return STATUS_CODE.FAILURE;
  switch (error.code) {
    case 'ENOENT':
    case 'ENOTDIR':
    case 'ELOOP':
      return STATUS_CODE.NO_SUCH_FILE;
    case 'EPERM':
    case 'EACCES':
      return STATUS_CODE.PERMISSION_DENIED;
    case 'EINVAL':
      return STATUS_CODE.BAD_MESSAGE;
    default:
      return STATUS_CODE.FAILURE;
  }
}

/** SETSTAT's mode, owner and times (size is handled by the caller, on the open node). */
function applyAttrs(vfs: Vfs, path: string, attrs: Partial<Attributes>, cred: Credentials): void {
  if (attrs.mode !== undefined) vfs.chmod(path, Number(attrs.mode) & 0o7777, cred);
  if (attrs.uid !== undefined || attrs.gid !== undefined) {
    const current = vfs.stat(path, cred);
    if (attrs.uid !== current.uid || attrs.gid !== current.gid) vfs.chown(path, { uid: attrs.uid, gid: attrs.gid }, cred);
  }
  if (attrs.mtime !== undefined || attrs.atime !== undefined) {
    vfs.utimes(path, {
      mtimeMs: attrs.mtime === undefined ? undefined : Number(attrs.mtime) * 1000,
      atimeMs: attrs.atime === undefined ? undefined : Number(attrs.atime) * 1000,
    }, cred);
  }
}

function readStrings(data: Buffer, count: number): string[] {
  const strings: string[] = [];
  let offset = 0;
  for (let i = 0; i < count && offset + 4 <= data.length; i++) {
    const length = data.readUInt32BE(offset);
    strings.push(data.subarray(offset + 4, offset + 4 + length).toString('utf8'));
    offset += 4 + length;
  }
  return strings;
}

/** sftp-server's ls_file(): `-rw-r--r--    1 root     root         1234 Nov 26 10:15 name`. */
function longname(deps: SftpSessionDeps, name: string, stat: VfsStat): string {
  const now = deps.clock.now();
  const sixMonths = (365 / 2) * 86_400_000;
  const date = deps.clock.format(stat.mtimeMs > now - sixMonths && stat.mtimeMs <= now ? '%b %e %H:%M' : '%b %e  %Y', stat.mtimeMs);
  const owner = deps.accounts.userName(stat.uid).slice(0, 8).padEnd(8);
  const group = deps.accounts.groupName(stat.gid).slice(0, 8).padEnd(8);
  return `${modeString(stat.kind, stat.mode)} ${String(stat.nlink).padStart(3)} ${owner} ${group} ${String(stat.size).padStart(8)} ${date} ${name}`;
}
