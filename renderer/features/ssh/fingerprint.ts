/**
 * OpenSSH public keys in the browser: read a `.pub` / known_hosts / ssh-keyscan line and
 * compute the fingerprint the way `ssh-keygen -lf` prints it (`SHA256:` + unpadded base64),
 * so the admin compares like with like.
 */

export interface PublicKeyLine {
  /** e.g. `ssh-ed25519`. */
  keyType: string;
  /** Base64 of the key blob. */
  publicKey: string;
}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

function base64ToBytes(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

function bytesToBase64(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

/** The key type written inside the blob (its first SSH string), or undefined when the blob is not a key. */
function blobKeyType(blob: string): string | undefined {
  if (!BASE64.test(blob)) return undefined;
  let bytes: Uint8Array;
  try {
    bytes = base64ToBytes(blob);
  } catch {
    return undefined;
  }
  if (bytes.length < 4) return undefined;
  const length = ((bytes[0]! << 24) | (bytes[1]! << 16) | (bytes[2]! << 8) | bytes[3]!) >>> 0;
  if (length === 0 || length > 64 || bytes.length < 4 + length) return undefined;
  return String.fromCharCode(...bytes.subarray(4, 4 + length));
}

/**
 * Finds `TYPE BASE64` in a pasted line: a `.pub` file (`TYPE KEY COMMENT`), a known_hosts
 * line or ssh-keyscan output (`HOST TYPE KEY`). The blob must name the same type as the line.
 */
export function parsePublicKeyLine(text: string): PublicKeyLine | undefined {
  const tokens = text.trim().split(/\s+/);
  for (let i = 0; i + 1 < tokens.length; i++) {
    const keyType = tokens[i]!;
    const publicKey = tokens[i + 1]!;
    if (blobKeyType(publicKey) === keyType) return { keyType, publicKey };
  }
  return undefined;
}

/** `SHA256:...` of a key blob, as OpenSSH prints it. Needs WebCrypto (a secure context: the app, or loopback). */
export async function sha256Fingerprint(publicKey: string): Promise<string> {
  if (!globalThis.crypto?.subtle) throw new Error('WebCrypto is not available on this page');
  const digest = new Uint8Array(await globalThis.crypto.subtle.digest('SHA-256', base64ToBytes(publicKey)));
  return `SHA256:${bytesToBase64(digest).replace(/=+$/, '')}`;
}

/** The last characters of a fingerprint that the admin types to confirm a replacement. */
export const CONFIRM_LENGTH = 8;

export function confirmationTail(fingerprint: string): string {
  return fingerprint.slice(-CONFIRM_LENGTH);
}

/** Where OpenSSH keeps the host's public key of this type, for the `ssh-keygen -lf` hint. */
export function hostKeyFileFor(keyType: string): string {
  const name = keyType.startsWith('ecdsa-') ? 'ecdsa' : keyType === 'ssh-rsa' || keyType.startsWith('rsa-') ? 'rsa' : 'ed25519';
  return `/etc/ssh/ssh_host_${name}_key.pub`;
}
