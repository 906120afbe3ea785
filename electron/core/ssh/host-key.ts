import { createHash } from 'node:crypto';
import { AppError } from '../../../shared/contract/errors';

/** A server's public host key: its type and the raw SSH wire blob. */
export interface HostKey {
  /** e.g. `ssh-ed25519`, `ecdsa-sha2-nistp256`, `ssh-rsa`. */
  type: string;
  blob: Buffer;
}

/** OpenSSH's fingerprint format: `SHA256:` and unpadded base64 of the blob's digest. */
export function fingerprintOf(blob: Buffer): string {
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}

/** The key type is the first SSH string inside the blob. */
export function hostKeyFromBlob(blob: Buffer): HostKey {
  if (blob.length < 4) throw new AppError('INVALID_INPUT', 'Host key blob is too short');
  const length = blob.readUInt32BE(0);
  if (length === 0 || 4 + length > blob.length) throw new AppError('INVALID_INPUT', 'Host key blob is malformed');
  return { type: blob.subarray(4, 4 + length).toString('latin1'), blob };
}

/** Parses `TYPE BASE64` (or just BASE64) as found in known_hosts and .pub files; checks both agree. */
export function parsePublicKey(text: string): HostKey {
  const parts = text.trim().split(/\s+/);
  const base64 = parts.length >= 2 ? parts[1] : parts[0];
  if (!base64 || !/^[A-Za-z0-9+/]+={0,2}$/.test(base64)) {
    throw new AppError('INVALID_INPUT', 'Public key is not base64');
  }
  const key = hostKeyFromBlob(Buffer.from(base64, 'base64'));
  if (parts.length >= 2 && parts[0] !== key.type) {
    throw new AppError('INVALID_INPUT', `Public key says ${parts[0]} but contains ${key.type}`);
  }
  return key;
}

export function publicKeyBase64(key: HostKey): string {
  return key.blob.toString('base64');
}
