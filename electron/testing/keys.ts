import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runOk } from './process';

export interface KeyPair {
  privatePath: string;
  publicPath: string;
  /** The `.pub` line: `TYPE BASE64 COMMENT`. */
  publicLine: string;
}

export interface KeyPairOptions {
  type?: 'ed25519' | 'rsa' | 'ecdsa';
  passphrase?: string;
  /** `pem` writes the legacy PEM format (RSA/ECDSA only); default OpenSSH's own format. */
  format?: 'openssh' | 'pem';
}

/** Generates a key pair with the real ssh-keygen. */
export async function generateKeyPair(dir: string, name: string, options: KeyPairOptions = {}): Promise<KeyPair> {
  const type = options.type ?? 'ed25519';
  const privatePath = join(dir, name);
  const args = ['-q', '-t', type, '-N', options.passphrase ?? '', '-C', `switchboard-test-${name}`, '-f', privatePath];
  if (type === 'rsa') args.push('-b', '2048');
  if (options.format === 'pem') args.push('-m', 'PEM');
  await runOk('ssh-keygen', args);
  const publicPath = `${privatePath}.pub`;
  return { privatePath, publicPath, publicLine: (await readFile(publicPath, 'utf8')).trim() };
}
