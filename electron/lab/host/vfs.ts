import { createHash } from 'node:crypto';
import { posix } from 'node:path';
import { rootCredentials, type Credentials } from './accounts';

/**
 * A host's file system, in memory: directories, regular files with Buffer content,
 * symlinks and sockets, with owners, permission bits and mtimes. Mounts have a size,
 * so a full disk fails writes with ENOSPC, and may be read-only (EROFS). Permission
 * checks follow POSIX (root bypasses read/write), so an unprivileged SFTP upload into
 * /opt fails exactly as it does on a real host.
 */

export type VfsErrorCode =
  | 'ENOENT' | 'EEXIST' | 'ENOTDIR' | 'EISDIR' | 'EACCES' | 'EPERM' | 'ENOSPC' | 'EROFS'
  | 'ENOTEMPTY' | 'ELOOP' | 'EINVAL' | 'ETXTBSY' | 'EXDEV' | 'EBUSY';

const strerror: Record<VfsErrorCode, string> = {
  ENOENT: 'No such file or directory',
  EEXIST: 'File exists',
  ENOTDIR: 'Not a directory',
  EISDIR: 'Is a directory',
  EACCES: 'Permission denied',
  EPERM: 'Operation not permitted',
  ENOSPC: 'No space left on device',
  EROFS: 'Read-only file system',
  ENOTEMPTY: 'Directory not empty',
  ELOOP: 'Too many levels of symbolic links',
  EINVAL: 'Invalid argument',
  ETXTBSY: 'Text file busy',
  EXDEV: 'Invalid cross-device link',
  EBUSY: 'Device or resource busy',
};

export class VfsError extends Error {
  readonly code: VfsErrorCode;
  readonly path: string;
  /** The C library's text for the code, as tools print it after the file name. */
  readonly strerror: string;

  constructor(code: VfsErrorCode, path: string) {
    super(`${path}: ${strerror[code]}`);
    this.name = 'VfsError';
    this.code = code;
    this.path = path;
    this.strerror = strerror[code];
  }
}

export function isVfsError(error: unknown, code?: VfsErrorCode): error is VfsError {
  return error instanceof VfsError && (code === undefined || error.code === code);
}

export interface Mount {
  /** Mount point, e.g. `/` or `/var/lib/postgresql`. */
  path: string;
  device: string;
  sizeBytes: number;
  /** Space taken by everything the lab does not model (the OS, other data). */
  baseUsedBytes: number;
  /** Bytes held by the lab's own files on this mount. */
  fileBytes: number;
  readOnly: boolean;
}

interface NodeBase {
  ino: number;
  /** Permission bits, including setuid/setgid/sticky (0o7777). */
  mode: number;
  uid: number;
  gid: number;
  mtimeMs: number;
  atimeMs: number;
  mount: Mount;
}

export interface FileNode extends NodeBase {
  kind: 'file';
  content: Buffer;
  /** Files like /proc/loadavg: content computed on each read. */
  generate?: () => Buffer;
  /** >0 while a process executes this file (writing it then fails with ETXTBSY). */
  executing: number;
}

export interface DirNode extends NodeBase {
  kind: 'dir';
  entries: Map<string, VfsNode>;
}

export interface SymlinkNode extends NodeBase {
  kind: 'symlink';
  target: string;
}

export interface SocketNode extends NodeBase {
  kind: 'socket';
}

export type VfsNode = FileNode | DirNode | SymlinkNode | SocketNode;
export type VfsNodeKind = VfsNode['kind'];

export interface VfsStat {
  kind: VfsNodeKind;
  mode: number;
  uid: number;
  gid: number;
  size: number;
  mtimeMs: number;
  atimeMs: number;
  ino: number;
  nlink: number;
  device: string;
  /** For symlinks (lstat): where the link points. */
  target?: string;
}

export interface OpenFlags {
  read?: boolean;
  write?: boolean;
  create?: boolean;
  truncate?: boolean;
  exclusive?: boolean;
  append?: boolean;
}

interface Resolved {
  /** The entry itself; undefined when only the parent exists. */
  node: VfsNode | undefined;
  parent: DirNode;
  name: string;
  /** Canonical absolute path of the entry (symlinks in parents resolved). */
  path: string;
}

const maxSymlinkHops = 40;
const R = 4;
const W = 2;
const X = 1;

/** Joins a possibly relative path to a working directory, as the kernel sees it. */
export function absolutePath(cwd: string, path: string): string {
  if (path.startsWith('/')) return path;
  return cwd.endsWith('/') ? `${cwd}${path}` : `${cwd}/${path}`;
}

export class Vfs {
  readonly #root: DirNode;
  readonly #mounts: Mount[] = [];
  readonly #now: () => number;
  #nextIno = 2;

  constructor(options: { sizeBytes?: number; baseUsedBytes?: number; device?: string; now?: () => number } = {}) {
    this.#now = options.now ?? Date.now;
    const rootMount: Mount = {
      path: '/',
      device: options.device ?? '/dev/sda1',
      sizeBytes: options.sizeBytes ?? 40 * 1024 ** 3,
      baseUsedBytes: options.baseUsedBytes ?? 6 * 1024 ** 3,
      fileBytes: 0,
      readOnly: false,
    };
    this.#mounts.push(rootMount);
    this.#root = this.#newDir(rootMount, 0o755, 0, 0);
  }

  // ---- mounts and capacity -------------------------------------------------

  /** Mounts a new file system at `path` (created if missing). */
  mount(path: string, options: { sizeBytes: number; baseUsedBytes?: number; device: string; readOnly?: boolean }): Mount {
    this.mkdir(path, { parents: true });
    const resolved = this.#resolve(path, rootCredentials, true);
    const dir = resolved.node as DirNode;
    if (dir.entries.size > 0) throw new VfsError('EBUSY', path);
    const mount: Mount = {
      path: resolved.path,
      device: options.device,
      sizeBytes: options.sizeBytes,
      baseUsedBytes: options.baseUsedBytes ?? 0,
      fileBytes: 0,
      readOnly: options.readOnly ?? false,
    };
    dir.mount = mount;
    this.#mounts.push(mount);
    return mount;
  }

  /** The mount holding `path` (after resolving symlinks). */
  mountOf(path: string): Mount {
    const resolved = this.#resolve(path, rootCredentials, true);
    return (resolved.node ?? resolved.parent).mount;
  }

  mounts(): Mount[] {
    return [...this.#mounts];
  }

  setReadOnly(mountPath: string, readOnly: boolean): void {
    this.#mountAt(mountPath).readOnly = readOnly;
  }

  setSize(mountPath: string, sizeBytes: number): void {
    this.#mountAt(mountPath).sizeBytes = sizeBytes;
  }

  /** Fills the file system holding `path` so that exactly `leaveBytes` stay free ("disk full"). */
  fill(path: string, leaveBytes = 0): void {
    const mount = this.mountOf(path);
    mount.baseUsedBytes = Math.max(0, mount.sizeBytes - mount.fileBytes - leaveBytes);
  }

  usage(path: string): { mount: Mount; usedBytes: number; availableBytes: number } {
    const mount = this.mountOf(path);
    const usedBytes = mount.baseUsedBytes + mount.fileBytes;
    return { mount, usedBytes, availableBytes: Math.max(0, mount.sizeBytes - usedBytes) };
  }

  // ---- lookups ---------------------------------------------------------------

  exists(path: string, cred: Credentials = rootCredentials): boolean {
    try {
      return this.#resolve(path, cred, true).node !== undefined;
    } catch {
      return false;
    }
  }

  stat(path: string, cred: Credentials = rootCredentials): VfsStat {
    return this.#statOf(this.#existing(path, cred, true));
  }

  lstat(path: string, cred: Credentials = rootCredentials): VfsStat {
    return this.#statOf(this.#existing(path, cred, false));
  }

  /** The node itself, for callers that hold on to it (SFTP handles, running processes). */
  node(path: string, cred: Credentials = rootCredentials, follow = true): VfsNode {
    return this.#existing(path, cred, follow);
  }

  statNode(node: VfsNode): VfsStat {
    return this.#statOf(node);
  }

  realpath(path: string, cred: Credentials = rootCredentials): string {
    return this.#resolveExisting(path, cred, true).path;
  }

  readlink(path: string, cred: Credentials = rootCredentials): string {
    const node = this.#existing(path, cred, false);
    if (node.kind !== 'symlink') throw new VfsError('EINVAL', path);
    return node.target;
  }

  /** May this user read/write/execute the entry? (`test -r/-w/-x`). */
  access(path: string, cred: Credentials, what: 'r' | 'w' | 'x'): boolean {
    try {
      const node = this.#existing(path, cred, true);
      if (what === 'w' && node.mount.readOnly) return false;
      return this.#allowed(node, cred, what === 'r' ? R : what === 'w' ? W : X);
    } catch {
      return false;
    }
  }

  readdir(path: string, cred: Credentials = rootCredentials): Array<{ name: string; stat: VfsStat }> {
    const dir = this.#existing(path, cred, true);
    if (dir.kind !== 'dir') throw new VfsError('ENOTDIR', path);
    this.#require(dir, cred, R, path);
    return [...dir.entries.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([name, node]) => ({ name, stat: this.#statOf(node) }));
  }

  readFile(path: string, cred: Credentials = rootCredentials): Buffer {
    const node = this.#existing(path, cred, true);
    if (node.kind === 'dir') throw new VfsError('EISDIR', path);
    if (node.kind !== 'file') throw new VfsError('EINVAL', path);
    this.#require(node, cred, R, path);
    node.atimeMs = this.#now();
    return Buffer.from(node.generate ? node.generate() : node.content);
  }

  sha256(path: string, cred: Credentials = rootCredentials): string {
    return createHash('sha256').update(this.readFile(path, cred)).digest('hex');
  }

  // ---- writing ---------------------------------------------------------------

  /** Creates or replaces a file's content. On ENOSPC/EROFS the file is left as it was. */
  writeFile(
    path: string,
    data: Buffer | string,
    options: { cred?: Credentials; mode?: number; append?: boolean; uid?: number; gid?: number } = {},
  ): void {
    const cred = options.cred ?? rootCredentials;
    const bytes = Buffer.isBuffer(data) ? data : Buffer.from(data);
    const node = this.open(path, { write: true, create: true }, cred, options.mode ?? 0o644);
    const next = options.append ? Buffer.concat([node.content, bytes]) : bytes;
    this.#replaceContent(node, next, path);
    if (options.uid !== undefined) node.uid = options.uid;
    if (options.gid !== undefined) node.gid = options.gid;
  }

  /** open(2): returns the file node to read or write through `readAt`/`writeAt`. */
  open(path: string, flags: OpenFlags, cred: Credentials = rootCredentials, createMode = 0o644): FileNode {
    const resolved = this.#resolve(path, cred, true);
    const node = resolved.node;
    if (node && flags.create && flags.exclusive) throw new VfsError('EEXIST', path);
    if (!node) {
      if (!flags.create) throw new VfsError('ENOENT', path);
      this.#requireWritableDir(resolved.parent, cred, path);
      const created = this.#newFile(resolved.parent.mount, createMode & 0o7777, cred.uid, cred.gids[0] ?? 0);
      resolved.parent.entries.set(resolved.name, created);
      resolved.parent.mtimeMs = this.#now();
      return created;
    }
    if (node.kind === 'dir') throw new VfsError('EISDIR', path);
    if (node.kind !== 'file') throw new VfsError('EINVAL', path);
    if (flags.read || !flags.write) this.#require(node, cred, R, path);
    if (flags.write) {
      if (node.mount.readOnly) throw new VfsError('EROFS', path);
      this.#require(node, cred, W, path);
      if (node.executing > 0) throw new VfsError('ETXTBSY', path);
      if (flags.truncate) this.#replaceContent(node, Buffer.alloc(0), path);
    }
    return node;
  }

  readAt(node: FileNode, offset: number, length: number): Buffer {
    const content = node.generate ? node.generate() : node.content;
    node.atimeMs = this.#now();
    return Buffer.from(content.subarray(offset, offset + length));
  }

  /** pwrite(2). Fails whole with ENOSPC when the mount lacks room for the growth. */
  writeAt(node: FileNode, offset: number, data: Buffer, path = '?'): void {
    const end = offset + data.length;
    if (end <= node.content.length) {
      if (node.mount.readOnly) throw new VfsError('EROFS', path);
      const next = Buffer.from(node.content);
      data.copy(next, offset);
      this.#replaceContent(node, next, path);
      return;
    }
    const next = Buffer.alloc(end);
    node.content.copy(next);
    data.copy(next, offset);
    this.#replaceContent(node, next, path);
  }

  truncateNode(node: FileNode, size: number, path = '?'): void {
    const next = Buffer.alloc(size);
    node.content.copy(next, 0, 0, Math.min(size, node.content.length));
    this.#replaceContent(node, next, path);
  }

  mkdir(path: string, options: { cred?: Credentials; mode?: number; parents?: boolean } = {}): void {
    const cred = options.cred ?? rootCredentials;
    const mode = options.mode ?? 0o755;
    if (options.parents) {
      const parts = path.split('/').filter(Boolean);
      let current = '';
      for (const part of parts) {
        current += `/${part}`;
        const resolved = this.#resolve(current, cred, true);
        if (resolved.node) {
          if (resolved.node.kind !== 'dir') throw new VfsError('EEXIST', current);
          continue;
        }
        this.#createDir(resolved, cred, mode, current);
      }
      return;
    }
    const resolved = this.#resolve(path, cred, false);
    if (resolved.node) throw new VfsError('EEXIST', path);
    this.#createDir(resolved, cred, mode, path);
  }

  symlink(target: string, path: string, cred: Credentials = rootCredentials): void {
    const resolved = this.#resolve(path, cred, false);
    if (resolved.node) throw new VfsError('EEXIST', path);
    this.#requireWritableDir(resolved.parent, cred, path);
    const link: SymlinkNode = {
      kind: 'symlink', target, ino: this.#nextIno++, mode: 0o777, uid: cred.uid, gid: cred.gids[0] ?? 0,
      mtimeMs: this.#now(), atimeMs: this.#now(), mount: resolved.parent.mount,
    };
    resolved.parent.entries.set(resolved.name, link);
    resolved.parent.mtimeMs = this.#now();
  }

  /** Creates a socket entry (e.g. HAProxy's admin socket). */
  mksock(path: string, options: { mode?: number; uid?: number; gid?: number } = {}): void {
    const resolved = this.#resolve(path, rootCredentials, false);
    const socket: SocketNode = {
      kind: 'socket', ino: this.#nextIno++, mode: options.mode ?? 0o660, uid: options.uid ?? 0, gid: options.gid ?? 0,
      mtimeMs: this.#now(), atimeMs: this.#now(), mount: resolved.parent.mount,
    };
    resolved.parent.entries.set(resolved.name, socket);
  }

  /** A file whose content is computed on every read, like /proc/loadavg. */
  defineGenerated(path: string, generate: () => string | Buffer): void {
    this.mkdir(posix.dirname(path), { parents: true });
    const resolved = this.#resolve(path, rootCredentials, false);
    const file = this.#newFile(resolved.parent.mount, 0o444, 0, 0);
    file.generate = () => {
      const value = generate();
      return Buffer.isBuffer(value) ? value : Buffer.from(value);
    };
    resolved.parent.entries.set(resolved.name, file);
  }

  unlink(path: string, cred: Credentials = rootCredentials): void {
    const resolved = this.#resolve(path, cred, false);
    const node = resolved.node;
    if (!node) throw new VfsError('ENOENT', path);
    if (node.kind === 'dir') throw new VfsError('EISDIR', path);
    this.#requireRemovable(resolved.parent, node, cred, path);
    resolved.parent.entries.delete(resolved.name);
    resolved.parent.mtimeMs = this.#now();
    if (node.kind === 'file') node.mount.fileBytes -= node.content.length;
  }

  rmdir(path: string, cred: Credentials = rootCredentials): void {
    const resolved = this.#resolve(path, cred, false);
    const node = resolved.node;
    if (!node) throw new VfsError('ENOENT', path);
    if (node.kind !== 'dir') throw new VfsError('ENOTDIR', path);
    if (node === this.#root || node.mount !== resolved.parent.mount) throw new VfsError('EBUSY', path);
    if (node.entries.size > 0) throw new VfsError('ENOTEMPTY', path);
    this.#requireRemovable(resolved.parent, node, cred, path);
    resolved.parent.entries.delete(resolved.name);
    resolved.parent.mtimeMs = this.#now();
  }

  /** rename(2): atomic replace of the target; EXDEV across mounts. */
  rename(from: string, to: string, cred: Credentials = rootCredentials): void {
    const source = this.#resolve(from, cred, false);
    if (!source.node) throw new VfsError('ENOENT', from);
    const target = this.#resolve(to, cred, false);
    const node = source.node;
    if (node.mount !== target.parent.mount) throw new VfsError('EXDEV', to);
    if (target.node === node) return;
    if (node.kind === 'dir' && (target.path === source.path || target.path.startsWith(`${source.path}/`))) {
      throw new VfsError('EINVAL', to);
    }
    this.#requireRemovable(source.parent, node, cred, from);
    this.#requireWritableDir(target.parent, cred, to);
    if (target.node) {
      if (target.node.kind === 'dir' && node.kind !== 'dir') throw new VfsError('EISDIR', to);
      if (target.node.kind !== 'dir' && node.kind === 'dir') throw new VfsError('ENOTDIR', to);
      if (target.node.kind === 'dir' && target.node.entries.size > 0) throw new VfsError('ENOTEMPTY', to);
      this.#requireRemovable(target.parent, target.node, cred, to);
      if (target.node.kind === 'file') target.node.mount.fileBytes -= target.node.content.length;
    }
    source.parent.entries.delete(source.name);
    target.parent.entries.set(target.name, node);
    source.parent.mtimeMs = target.parent.mtimeMs = this.#now();
  }

  chmod(path: string, mode: number, cred: Credentials = rootCredentials): void {
    const node = this.#existing(path, cred, true);
    if (cred.uid !== 0 && cred.uid !== node.uid) throw new VfsError('EPERM', path);
    if (node.mount.readOnly) throw new VfsError('EROFS', path);
    node.mode = mode & 0o7777;
  }

  chown(path: string, owner: { uid?: number; gid?: number }, cred: Credentials = rootCredentials, follow = true): void {
    const node = this.#existing(path, cred, follow);
    const changesOwner = owner.uid !== undefined && owner.uid !== node.uid;
    const changesGroup = owner.gid !== undefined && owner.gid !== node.gid;
    if (cred.uid !== 0 && (changesOwner || (changesGroup && (cred.uid !== node.uid || !cred.gids.includes(owner.gid!))))) {
      throw new VfsError('EPERM', path);
    }
    if (node.mount.readOnly) throw new VfsError('EROFS', path);
    if (owner.uid !== undefined) node.uid = owner.uid;
    if (owner.gid !== undefined) node.gid = owner.gid;
  }

  utimes(path: string, times: { atimeMs?: number; mtimeMs?: number }, cred: Credentials = rootCredentials): void {
    const node = this.#existing(path, cred, true);
    if (cred.uid !== 0 && cred.uid !== node.uid) throw new VfsError('EPERM', path);
    if (times.atimeMs !== undefined) node.atimeMs = times.atimeMs;
    if (times.mtimeMs !== undefined) node.mtimeMs = times.mtimeMs;
  }

  /** Marks a file as executing (ETXTBSY for writers) until the returned release is called. */
  holdExecutable(node: FileNode): () => void {
    node.executing += 1;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      node.executing -= 1;
    };
  }

  // ---- internals -------------------------------------------------------------

  #mountAt(path: string): Mount {
    const mount = this.#mounts.find((m) => m.path === path);
    if (!mount) throw new VfsError('EINVAL', path);
    return mount;
  }

  #newDir(mount: Mount, mode: number, uid: number, gid: number): DirNode {
    const now = this.#now();
    return { kind: 'dir', entries: new Map(), ino: this.#nextIno++, mode, uid, gid, mtimeMs: now, atimeMs: now, mount };
  }

  #newFile(mount: Mount, mode: number, uid: number, gid: number): FileNode {
    const now = this.#now();
    return {
      kind: 'file', content: Buffer.alloc(0), executing: 0, ino: this.#nextIno++, mode, uid, gid,
      mtimeMs: now, atimeMs: now, mount,
    };
  }

  #createDir(resolved: Resolved, cred: Credentials, mode: number, path: string): void {
    this.#requireWritableDir(resolved.parent, cred, path);
    const dir = this.#newDir(resolved.parent.mount, mode & 0o7777, cred.uid, cred.gids[0] ?? 0);
    resolved.parent.entries.set(resolved.name, dir);
    resolved.parent.mtimeMs = this.#now();
  }

  #replaceContent(node: FileNode, next: Buffer, path: string): void {
    if (node.mount.readOnly) throw new VfsError('EROFS', path);
    const growth = next.length - node.content.length;
    const mount = node.mount;
    if (growth > 0 && mount.baseUsedBytes + mount.fileBytes + growth > mount.sizeBytes) {
      throw new VfsError('ENOSPC', path);
    }
    mount.fileBytes += growth;
    node.content = next;
    node.mtimeMs = this.#now();
  }

  #statOf(node: VfsNode): VfsStat {
    const size =
      node.kind === 'file' ? (node.generate ? 0 : node.content.length)
        : node.kind === 'dir' ? 4096
          : node.kind === 'symlink' ? Buffer.byteLength(node.target)
            : 0;
    const stat: VfsStat = {
      kind: node.kind, mode: node.mode, uid: node.uid, gid: node.gid, size, mtimeMs: node.mtimeMs,
      atimeMs: node.atimeMs, ino: node.ino, device: node.mount.device,
      nlink: node.kind === 'dir' ? 2 + [...node.entries.values()].filter((n) => n.kind === 'dir').length : 1,
    };
    if (node.kind === 'symlink') stat.target = node.target;
    return stat;
  }

  #allowed(node: VfsNode, cred: Credentials, bit: number): boolean {
    if (cred.uid === 0) {
      // Root may read and write anything, but executes a file only if some x bit is set.
      return bit !== X || node.kind !== 'file' || (node.mode & 0o111) !== 0;
    }
    const shift = node.uid === cred.uid ? 6 : cred.gids.includes(node.gid) ? 3 : 0;
    return ((node.mode >> shift) & bit) !== 0;
  }

  #require(node: VfsNode, cred: Credentials, bit: number, path: string): void {
    if (!this.#allowed(node, cred, bit)) throw new VfsError('EACCES', path);
  }

  #requireWritableDir(dir: DirNode, cred: Credentials, path: string): void {
    if (dir.mount.readOnly) throw new VfsError('EROFS', path);
    if (!this.#allowed(dir, cred, W) || !this.#allowed(dir, cred, X)) throw new VfsError('EACCES', path);
  }

  #requireRemovable(dir: DirNode, node: VfsNode, cred: Credentials, path: string): void {
    this.#requireWritableDir(dir, cred, path);
    const sticky = (dir.mode & 0o1000) !== 0;
    if (sticky && cred.uid !== 0 && cred.uid !== node.uid && cred.uid !== dir.uid) throw new VfsError('EPERM', path);
  }

  #existing(path: string, cred: Credentials, follow: boolean): VfsNode {
    return this.#resolveExisting(path, cred, follow).node!;
  }

  #resolveExisting(path: string, cred: Credentials, follow: boolean): Resolved {
    const resolved = this.#resolve(path, cred, follow);
    if (!resolved.node) throw new VfsError('ENOENT', path);
    return resolved;
  }

  /**
   * Walks `path` component by component like the kernel's namei: checks search (x)
   * permission on every directory, follows symlinks (the last one only if `follow`),
   * and returns the entry with its parent.
   */
  #resolve(path: string, cred: Credentials, follow: boolean): Resolved {
    if (!path.startsWith('/')) throw new VfsError('EINVAL', path);
    const dirs: DirNode[] = [this.#root];
    const names: string[] = [];
    const queue = path.split('/').filter((part) => part !== '' && part !== '.');
    const trailingSlash = path.length > 1 && path.endsWith('/');
    let hops = 0;

    while (queue.length > 0) {
      const part = queue.shift()!;
      const dir = dirs[dirs.length - 1]!;
      if (part === '..') {
        if (dirs.length > 1) {
          dirs.pop();
          names.pop();
        }
        continue;
      }
      this.#require(dir, cred, X, path);
      const isLast = queue.length === 0;
      const child = dir.entries.get(part);
      if (!child) {
        if (isLast) return { node: undefined, parent: dir, name: part, path: joinNames([...names, part]) };
        throw new VfsError('ENOENT', path);
      }
      if (child.kind === 'symlink' && (!isLast || follow || trailingSlash)) {
        if (++hops > maxSymlinkHops) throw new VfsError('ELOOP', path);
        const targetParts = child.target.split('/').filter((p) => p !== '' && p !== '.');
        if (child.target.startsWith('/')) {
          dirs.splice(1);
          names.splice(0);
        }
        queue.unshift(...targetParts);
        if (queue.length === 0) {
          // A link to "/" itself.
          return this.#selfOf(dirs, names);
        }
        continue;
      }
      if (isLast) {
        if (trailingSlash && child.kind !== 'dir') throw new VfsError('ENOTDIR', path);
        return { node: child, parent: dir, name: part, path: joinNames([...names, part]) };
      }
      if (child.kind !== 'dir') throw new VfsError('ENOTDIR', path);
      dirs.push(child);
      names.push(part);
    }
    return this.#selfOf(dirs, names);
  }

  #selfOf(dirs: DirNode[], names: string[]): Resolved {
    const node = dirs[dirs.length - 1]!;
    const parent = dirs.length > 1 ? dirs[dirs.length - 2]! : node;
    return { node, parent, name: names[names.length - 1] ?? '', path: joinNames(names) };
  }
}

function joinNames(names: string[]): string {
  return `/${names.join('/')}`;
}

/** `ls -l`'s mode string: `-rwxr-xr-x`, `drwxrwxrwt`, `lrwxrwxrwx`. */
export function modeString(kind: VfsNodeKind, mode: number): string {
  const type = kind === 'dir' ? 'd' : kind === 'symlink' ? 'l' : kind === 'socket' ? 's' : '-';
  const triplet = (bits: number, special: boolean, specialChar: string): string => {
    const r = bits & 4 ? 'r' : '-';
    const w = bits & 2 ? 'w' : '-';
    const x = bits & 1;
    const xChar = special ? (x ? specialChar : specialChar.toUpperCase()) : x ? 'x' : '-';
    return r + w + xChar;
  };
  return (
    type +
    triplet((mode >> 6) & 7, (mode & 0o4000) !== 0, 's') +
    triplet((mode >> 3) & 7, (mode & 0o2000) !== 0, 's') +
    triplet(mode & 7, (mode & 0o1000) !== 0, 't')
  );
}
