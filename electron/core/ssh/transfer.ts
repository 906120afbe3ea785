import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { posix } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { SFTPWrapper, Stats } from 'ssh2';
import { AppError } from '../../../shared/contract/errors';
import { openSftpChannel } from './channels';
import { exec } from './exec';
import type { SessionLease, SshPool } from './pool';
import { poolKey, type SshTarget } from './target';

export interface TransferProgress {
  transferred: number;
  total: number;
}

export interface UploadOptions {
  /** A local file, or the bytes themselves. */
  source: { path: string } | { data: Buffer | string };
  remotePath: string;
  /** File mode, e.g. 0o640. Default: the replaced file's mode, or 0o644 for a new file. */
  mode?: number;
  /** `chown` the file (needs the right to; runs before it is renamed into place). */
  owner?: string;
  group?: string;
  onProgress?: (progress: TransferProgress) => void;
  signal?: AbortSignal;
}

export interface UploadResult {
  remotePath: string;
  bytes: number;
  /** Hex SHA-256, equal on both sides. */
  sha256: string;
}

export interface DownloadOptions {
  /** Refuse files larger than this (default 16 MiB). */
  maxBytes?: number;
  onProgress?: (progress: TransferProgress) => void;
  signal?: AbortSignal;
}

export interface DownloadResult {
  data: Buffer;
  sha256: string;
}

const DEFAULT_DOWNLOAD_CAP = 16 * 1024 * 1024;

type Stage = 'write' | 'mode' | 'verify' | 'owner' | 'rename' | 'read';

function transferError(where: string, remotePath: string, stage: Stage, reason: string): AppError {
  return new AppError('TRANSFER', `Transfer of ${remotePath} on ${where} failed (${stage}): ${reason}`, {
    target: where,
    remotePath,
    stage,
    reason,
  });
}

function reasonOf(error: unknown): string {
  if (error instanceof AppError) return error.message;
  const err = error as Error & { code?: unknown };
  return err.code !== undefined ? `${err.message} (${String(err.code)})` : String(err.message ?? error);
}

function sftpCall<T>(start: (callback: (error: Error | null | undefined, value: T) => void) => void): Promise<T> {
  return new Promise((resolve, reject) => start((error, value) => (error ? reject(error) : resolve(value))));
}

/** Counts and hashes bytes on their way through, reporting progress. */
function meter(total: number, onProgress?: (progress: TransferProgress) => void): { stream: Transform; digest: () => string; bytes: () => number } {
  const hash = createHash('sha256');
  let transferred = 0;
  const stream = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      transferred += chunk.length;
      onProgress?.({ transferred, total });
      done(null, chunk);
    },
  });
  return { stream, digest: () => hash.digest('hex'), bytes: () => transferred };
}

async function withSftp<T>(pool: SshPool, target: SshTarget, signal: AbortSignal | undefined, use: (sftp: SFTPWrapper) => Promise<T>): Promise<T> {
  const lease: SessionLease<SFTPWrapper> = await pool.openSession(target, openSftpChannel, signal ? { signal } : {});
  const sftp = lease.value;
  // Failures reach the caller through the pending operation; an 'error' event must not crash the process.
  sftp.on('error', (error: Error) => pool.log.add('debug', 'transfer', `sftp channel error: ${error.message}`, poolKey(target)));
  const closed = new Promise<void>((resolve) => sftp.once('close', () => resolve()));
  try {
    return await use(sftp);
  } finally {
    sftp.end();
    await closed;
    lease.release();
  }
}

/** SHA-256 of a remote file, computed on the host. */
async function remoteSha256(pool: SshPool, target: SshTarget, path: string, signal?: AbortSignal): Promise<string> {
  const script = 'if command -v sha256sum >/dev/null 2>&1; then sha256sum -- "$1"; else shasum -a 256 -- "$1"; fi';
  const result = await exec(pool, target, ['sh', '-c', script, 'sh', path], signal ? { signal } : {});
  const digest = result.stdout.trim().split(/\s+/)[0] ?? '';
  if (result.exitCode !== 0 || !/^[0-9a-f]{64}$/.test(digest)) {
    throw new Error(result.stderr.trim() || `sha256sum exited with ${String(result.exitCode)}`);
  }
  return digest;
}

async function runStep(pool: SshPool, target: SshTarget, argv: string[], signal?: AbortSignal): Promise<void> {
  const result = await exec(pool, target, argv, signal ? { signal } : {});
  if (result.exitCode !== 0) throw new Error(result.stderr.trim() || `${argv[0]} exited with ${String(result.exitCode)}`);
}

/**
 * Uploads atomically: the bytes go to a temporary name in the target directory,
 * get their mode, owner and a SHA-256 check on the host, and only then are renamed
 * over the target. On any failure the temporary file is removed and the target is
 * left as it was.
 */
export async function upload(pool: SshPool, target: SshTarget, options: UploadOptions): Promise<UploadResult> {
  const where = poolKey(target);
  const { remotePath, signal } = options;
  const directory = posix.dirname(remotePath);
  const temporary = posix.join(directory, `.${posix.basename(remotePath)}.switchboard-${randomBytes(6).toString('hex')}.tmp`);
  const total = 'path' in options.source ? (await stat(options.source.path)).size : Buffer.byteLength(options.source.data);
  const source = 'path' in options.source ? createReadStream(options.source.path) : Readable.from([Buffer.from(options.source.data)]);
  const metered = meter(total, options.onProgress);
  let stage: Stage = 'write';
  let created = false;
  try {
    await withSftp(pool, target, signal, async (sftp) => {
      const existing = await sftpCall<Stats>((cb) => sftp.stat(remotePath, cb)).catch(() => undefined);
      const writer = sftp.createWriteStream(temporary, { flags: 'wx', mode: 0o600 });
      writer.once('open', () => (created = true));
      await pipeline(source, metered.stream, writer, ...(signal ? [{ signal }] : []));
      created = true;
      stage = 'mode';
      const mode = options.mode ?? (existing ? existing.mode & 0o7777 : 0o644);
      await sftpCall<void>((cb) => sftp.chmod(temporary, mode, (error) => cb(error, undefined)));
    });
    stage = 'verify';
    const localDigest = metered.digest();
    const remoteDigest = await remoteSha256(pool, target, temporary, signal);
    if (remoteDigest !== localDigest) throw new Error(`checksum mismatch: sent ${localDigest}, host has ${remoteDigest}`);
    if (options.owner !== undefined || options.group !== undefined) {
      stage = 'owner';
      await runStep(
        pool,
        target,
        options.owner !== undefined
          ? ['chown', '--', options.group !== undefined ? `${options.owner}:${options.group}` : options.owner, temporary]
          : ['chgrp', '--', options.group as string, temporary],
        signal,
      );
    }
    stage = 'rename';
    await runStep(pool, target, ['mv', '-f', '--', temporary, remotePath], signal);
    return { remotePath, bytes: metered.bytes(), sha256: localDigest };
  } catch (error) {
    if (created) {
      await exec(pool, target, ['rm', '-f', '--', temporary]).catch((cleanupError: unknown) =>
        pool.log.add('warn', 'transfer', `could not remove ${temporary}: ${reasonOf(cleanupError)}`, where),
      );
    }
    if (signal?.aborted) throw new AppError('CANCELLED', `Upload of ${remotePath} to ${where} was cancelled`, { target: where });
    // Connection-level failures (SSH_DISCONNECTED, TIMEOUT, ...) keep their own code.
    if (error instanceof AppError) throw error;
    throw transferError(where, remotePath, stage, reasonOf(error));
  }
}

/** Downloads a remote file into memory, refusing anything larger than the cap. */
export async function download(
  pool: SshPool,
  target: SshTarget,
  remotePath: string,
  options: DownloadOptions = {},
): Promise<DownloadResult> {
  const where = poolKey(target);
  const maxBytes = options.maxBytes ?? DEFAULT_DOWNLOAD_CAP;
  try {
    return await withSftp(pool, target, options.signal, async (sftp) => {
      const info = await sftpCall<Stats>((cb) => sftp.stat(remotePath, cb));
      if (info.size > maxBytes) throw transferError(where, remotePath, 'read', `file is ${info.size} bytes, over the ${maxBytes}-byte cap`);
      const metered = meter(info.size, options.onProgress);
      const chunks: Buffer[] = [];
      let kept = 0;
      const collect = new Transform({
        transform(chunk: Buffer, _encoding, done) {
          kept += chunk.length;
          if (kept > maxBytes) return done(transferError(where, remotePath, 'read', `file grew over the ${maxBytes}-byte cap`));
          chunks.push(chunk);
          done();
        },
      });
      await pipeline(sftp.createReadStream(remotePath), metered.stream, collect, ...(options.signal ? [{ signal: options.signal }] : []));
      return { data: Buffer.concat(chunks), sha256: metered.digest() };
    });
  } catch (error) {
    if (options.signal?.aborted) throw new AppError('CANCELLED', `Download of ${remotePath} from ${where} was cancelled`, { target: where });
    if (error instanceof AppError) throw error;
    throw transferError(where, remotePath, 'read', reasonOf(error));
  }
}
